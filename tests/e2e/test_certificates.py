"""Journeys of #22: what an institution hands people on paper.

1. After the seminar the organizer turns certificates on (logo, signatory, Kazakh beside English), sees who will
   get one and issues them; the attendee's e-mail carries the PDF, whose QR code a stranger's phone opens to a
   page that says it is valid; the attendee's ticket page, opened from that e-mail, offers it again.
2. A door volunteer registers a walk-in on a phone and prints the badge; its QR code is the walk-in's ticket.
3. The organizer makes the badge sheets of everyone confirmed: eight a page, eight QR codes.

The PDFs are saved in tests/e2e/artifacts/ with a picture of their first page, rendered by pdfium: look at them.
"""

import io
import json
import re
from contextlib import contextmanager
from datetime import timedelta

import pypdfium2
import pytest
import zxingcpp
from flask_babel import force_locale, gettext
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from eventreg import tickets
from eventreg.models import Certificate, Registration, utcnow
from tests import factories
from tests.e2e.helpers import ARTIFACTS, DESKTOP, PHONE, attachment, log_in, plain_text, sent_to, sqlite_only

PASSWORD = "journey-password-1"
TITLE = "Belt and Road: The Second «Golden» Decade"
HER = "Аружан Қайратқызы Сәрсенбаева-Жұмабекова"
HER_EMAIL = "aruzhan.sarsenbayeva@example.kz"
ATTENDED = [(HER, HER_EMAIL, "kk", "student"), ("Иван Сергеевич Петров", "ivan.petrov@example.ru", "ru", "expert"),
            ("王小明", "wang.xiaoming@example.cn", "zh", "business")]
NO_SHOW = "Ерлан Оспанов"
SIGNATORY = ("Gulnar Shaimergenova", "Director, China Studies Centre")
WALK_IN = "Нұрсұлтан Ерланұлы Жақсыбеков-Әбдірахманов"
WALK_IN_ORGANIZATION = "Әл-Фараби атындағы Қазақ ұлттық университеті"
CONFIRMED = [  # (name, category, organization): more than a sheet of eight
    ("Әлия Нұрғалиқызы Өмірбекова", "student", ""),
    ("Иванов Сергей", "expert", "Институт мировой экономики и политики"),
    ("王伟", "business", "华为技术哈萨克斯坦公司"),
    ("Ерлан Серікбаев", "government", "Ministry of Foreign Affairs of Kazakhstan"),
    ("Sophie Laurent", "media", "The Astana Times"),
    ("Дана Жұмабекова", "academic", "L.N. Gumilyov Eurasian National University"),
    ("Темірлан Әбенов", "student", ""),
    ("Мөлдір Серікбаева-Ахметова", "business", "Kazakhstan Temir Zholy"),
    ("Zhang Wei", "general", "Astana Hub"),
]
RENDER_SCALE = 3  # 216 dpi: a badge's QR module (about 0.5 mm) is four pixels


def said(language, text, **values):
    with force_locale(language):
        return gettext(text, **values)


def pdf_artifact(pdf_bytes, name):
    """Save the PDF and a picture of its first page (as a printer would print it) as artifacts; give the picture."""
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf_bytes)
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        page = document[0]
        image = page.render(scale=RENDER_SCALE).to_pil()
        page.close()
    finally:
        document.close()
    image.save(ARTIFACTS / f"{name}.png")
    return image


def pdf_text(pdf_bytes):
    """Every page's text, whitespace as single spaces; a line that ends in a hyphen goes on (a double-barrelled
    name may break after its hyphen)."""
    pages = PdfReader(io.BytesIO(pdf_bytes)).pages
    return " ".join(" ".join(page.extract_text().replace("-\n", "-").split()) for page in pages)


def png_bytes(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def logo_png():
    """A plain round emblem, as an organizer's logo file might be."""
    image = Image.new("RGB", (480, 480), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, 460, 460), outline=(11, 92, 171), width=28)
    draw.ellipse((120, 120, 360, 360), fill=(11, 92, 171))
    return png_bytes(image)


def signature_png():
    """A pen stroke on white, as a scanned signature is."""
    image = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(image).line([(30, 150), (110, 40), (150, 160), (230, 60), (300, 140), (420, 70), (570, 120)],
                               fill=(20, 30, 90), width=9, joint="curve")
    return png_bytes(image)


# --- 1. certificates ----------------------------------------------------------------------------------------------


@pytest.fixture
def seminar_over(live_server):
    """The seminar ended two days ago: three came (in Kazakh, Russian and Chinese), one stayed home; the organizer
    is on its team."""
    with live_server.db() as session:
        starts = (utcnow() - timedelta(days=2)).replace(hour=4, minute=0, second=0, microsecond=0)
        seminar = factories.make_seminar(session, title=TITLE, starts_at=starts, ends_at=starts + timedelta(hours=3),
                                         status="closed")
        for name, email, language, key in ATTENDED:
            factories.make_registration(session, seminar, full_name=name, email=email, language=language,
                                        category_key=key, checked_in_at=starts + timedelta(minutes=5),
                                        checked_in_method="camera", checked_in_gate="Door 1")
        factories.make_registration(session, seminar, full_name=NO_SHOW, email="erlan@example.kz")
        organizer = factories.make_user(session, role="organizer", email="organizer@example.kz", password=PASSWORD)
        factories.add_member(session, seminar, organizer, "organizer")
        return seminar.slug


@sqlite_only
def test_an_organizer_issues_certificates_and_a_stranger_verifies_one_on_a_phone(live_server, seminar_over,
                                                                                  new_context, shot):
    page = new_context(**DESKTOP).new_page()
    log_in(page, "organizer@example.kz", PASSWORD)
    page.goto(f"/organizer/s/{seminar_over}/")
    page.get_by_role("link", name="Certificates", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificates of attendance")

    page.get_by_label("Give certificates of attendance for this seminar").check()
    page.get_by_label("Second language, side by side").select_option(label="English")
    page.get_by_label("Logo of the organizing body").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": logo_png()}])
    signatory = page.get_by_role("group", name="Signatory 1")
    signatory.get_by_label("Name").fill(SIGNATORY[0])
    signatory.get_by_label("Position").fill(SIGNATORY[1])
    signatory.get_by_label("Signature").set_input_files(
        files=[{"name": "signature.png", "mimeType": "image/png", "buffer": signature_png()}])
    page.get_by_role("button", name="Save the settings").click()
    expect(page.locator(".flash")).to_have_text("Certificate settings saved.")
    # The pictures are shown as they will be printed, as previews: not at the size of the uploaded file.
    for picture in ("The logo as it is printed", "The signature as it is printed"):
        assert page.get_by_role("img", name=picture).bounding_box()["height"] <= 100
    expect(page.get_by_text("3 people attended and have no certificate yet.")).to_be_visible()
    shot(page, "cert-1-settings-desktop")

    page.get_by_role("link", name="Issue certificates", exact=True).click()
    expect(page.get_by_text("3 certificates will be issued and e-mailed, to:")).to_be_visible()
    names = page.locator("table tbody tr td:first-child")
    expect(names).to_have_text([name for name, *_ in ATTENDED])
    expect(page.get_by_text(NO_SHOW)).to_have_count(0)
    shot(page, "cert-2-issue-desktop")
    page.get_by_role("button", name="Issue 3 certificates").click()
    expect(page.locator(".flash")).to_have_text("3 certificates issued; they are on their way by e-mail.")
    expect(page.locator("#issued tbody tr")).to_have_count(3)
    shot(page, "cert-3-issued-desktop")

    (number, code), message, pdf = certificate_mail(live_server, HER_EMAIL)
    assert message["Subject"] == said("kk", "Your certificate of attendance: %(title)s", title=TITLE)
    assert HER in pdf_text(pdf) and number in pdf_text(pdf)
    [qr] = zxingcpp.read_barcodes(pdf_artifact(pdf, "cert-4-certificate"))
    assert qr.text == f"{live_server.url}/verify/{code}"
    for name, email, language, _ in ATTENDED[1:]:  # each in their own language beside English
        *_, theirs = certificate_mail(live_server, email)
        assert name in pdf_text(theirs) and "has attended the seminar" in pdf_text(theirs)
        pdf_artifact(theirs, f"cert-4-certificate-{language}")

    stranger = new_context(**PHONE).new_page()
    stranger.goto(qr.text)
    expect(stranger.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")
    expect(stranger.locator("[data-verdict]")).to_have_text("This certificate is valid.")
    expect(stranger.locator(".ticket-details")).to_contain_text(HER)
    expect(stranger.locator(".ticket-details")).to_contain_text(TITLE)
    expect(stranger.locator(".ticket-details")).to_contain_text("China Studies Centre")
    shot(stranger, "cert-5-verify-phone")

    # Her phone speaks English; the page opened from her Kazakh e-mail speaks Kazakh, as the ticket's e-mail does.
    link = re.search(r"https?://\S+/t/[\w-]+/\S*", plain_text(message)).group(0)
    attendee = new_context(**PHONE).new_page()
    attendee.goto(link)
    expect(attendee.locator(".ticket-name")).to_have_text(HER)
    again = attendee.get_by_role("link", name=said("kk", "Certificate of attendance (PDF)"))
    expect(again).to_be_visible()
    shot(attendee, "cert-6-ticket-phone")
    download = attendee.request.get(again.get_attribute("href"))
    assert download.ok and download.headers["content-type"] == "application/pdf"
    assert number in pdf_text(download.body())


def certificate_mail(live_server, email):
    """(the certificate's number and code, the e-mail that brought it to `email`, its PDF)."""
    with live_server.db() as session:
        number, code = session.execute(
            select(Certificate.number, Certificate.code).join(Certificate.registration)
            .where(Registration.email == email)).one()
    message = live_server.mail(sent_to(email))
    return (number, code), message, attachment(message, f"certificate-{number}.pdf")


# --- 2 and 3. badges ----------------------------------------------------------------------------------------------


@pytest.fixture
def door_day(live_server):
    """A seminar whose door is open (it starts in half an hour) with nine confirmed people; a door volunteer and an
    organizer on its team."""
    with live_server.db() as session:
        starts = (utcnow() + timedelta(minutes=30)).replace(second=0, microsecond=0)
        seminar = factories.make_seminar(session, title=TITLE, starts_at=starts)
        for name, key, organization in CONFIRMED:
            factories.make_registration(session, seminar, full_name=name, category_key=key,
                                        organization=organization)
        factories.make_registration(session, seminar, full_name="Pending Person", status="pending")
        for email, role in (("door@example.kz", "door"), ("organizer@example.kz", "organizer")):
            user = factories.make_user(session, role="staff", email=email, password=PASSWORD)
            factories.add_member(session, seminar, user, role)
        return seminar.slug


def door_phone(new_context):
    """The volunteer's phone: its gate is set and its camera off (as the scanner page keeps them)."""
    context = new_context(**PHONE)
    settings = {"eventreg.gate": "Main entrance", "eventreg.gate.camera": "off"}
    # about:blank and the badge's PDF have no localStorage: only pages of the site get the settings.
    context.add_init_script("if (location.protocol.startsWith('http') && window.localStorage) {" + "".join(
        f"localStorage.setItem({json.dumps(k)}, {json.dumps(v)});" for k, v in settings.items()) + "}")
    return context.new_page()


@contextmanager
def posted_pdfs(context, url_glob):
    """The PDFs the app answers to forms posted to `url_glob`, as they travel to the browser (its PDF viewer
    shows them; Playwright's response body would be the viewer's page)."""
    bodies = []

    def keep(route):
        if route.request.method != "POST":
            return route.continue_()
        answer = route.fetch()
        assert answer.headers["content-type"] == "application/pdf"
        bodies.append(answer.body())
        return route.fulfill(response=answer)

    context.route(url_glob, keep)
    with context.expect_event("requestfinished", predicate=lambda request: request.method == "POST"):
        yield bodies
    context.unroute(url_glob)


def ticket_payload(live_server, name):
    with live_server.db() as session:
        return tickets.ticket_payload(session.scalar(select(Registration).where(Registration.full_name == name)))


@sqlite_only
def test_a_door_volunteer_prints_a_walk_ins_badge(live_server, door_day, new_context, shot):
    page = door_phone(new_context)
    log_in(page, "door@example.kz", PASSWORD)
    page.goto(f"/checkin/s/{door_day}/")
    page.get_by_role("link", name="Register a walk-in").click()
    page.get_by_label("Full name").fill(WALK_IN)
    page.get_by_label("Organization").fill(WALK_IN_ORGANIZATION)
    page.get_by_label("Category").select_option(label="Academic")
    shot(page, "badge-1-walk-in-form-phone")
    page.get_by_role("button", name="Register and check in").click()

    expect(page.locator(".notice-success")).to_have_text(f"{WALK_IN} is registered and checked in.")
    shot(page, "badge-2-walk-in-done-phone")
    # The badge opens in a new tab, in Chromium's PDF viewer, ready to print.
    with posted_pdfs(page.context, "**/badge") as pdfs, page.expect_popup() as popup:
        page.get_by_role("button", name="Print badge").click()
    [pdf] = pdfs
    assert popup.value.url.endswith("/badge")
    image = pdf_artifact(pdf, "badge-3-walk-in-label")
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [ticket_payload(live_server, WALK_IN)]
    assert WALK_IN in pdf_text(pdf) and WALK_IN_ORGANIZATION in pdf_text(pdf)
    assert "Nursultan Yerlanuly Zhaksybekov-Abdirakhmanov" in pdf_text(pdf)  # the Latin line, ticked by default
    page.reload()
    expect(page.get_by_text(re.compile("^A badge was last printed on"))).to_be_visible()


@sqlite_only
def test_an_organizer_prints_the_badge_sheets_of_everyone_confirmed(live_server, door_day, new_context, shot):
    page = new_context(**DESKTOP).new_page()
    log_in(page, "organizer@example.kz", PASSWORD)
    page.goto(f"/organizer/s/{door_day}/")
    page.get_by_role("link", name="Badges", exact=True).click()
    expect(page.get_by_label("A4 sheets: 8 badges of 90 × 55 mm, with cut marks")).to_be_checked()
    shot(page, "badge-4-badges-page-desktop")
    with posted_pdfs(page.context, "**/badges") as pdfs:
        page.get_by_role("button", name="Make the badge PDF").click()
    [pdf] = pdfs
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2  # nine people: eight, then one

    codes = {code.text for code in zxingcpp.read_barcodes(pdf_artifact(pdf, "badge-5-a4-sheet"))}
    everyone = {ticket_payload(live_server, name) for name, *_ in CONFIRMED}
    assert len(codes) == 8 and codes <= everyone
