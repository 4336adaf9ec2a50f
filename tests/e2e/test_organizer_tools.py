"""The organizer's tools of issue #23, as one seminar day.

An organizer adds two questions to the signup form (a required choice of interpretation, an optional institution);
a diplomat answers them on her phone. The organizer finds the answers in the CSV and XLSX exports and the choice
as a bar chart in the report, watches the live view count a door volunteer's check-in without a reload, and after
the seminar writes to those who did not come: one copy each, with only their own address and name, and none to the
person who came or to one who had cancelled.
"""

import csv
import io
import re
import time
from datetime import timedelta
from itertools import zip_longest

import openpyxl
from playwright.sync_api import expect
from sqlalchemy import select

from eventreg.models import Registration, Seminar, utcnow
from tests import factories
from tests.e2e.helpers import DESKTOP, PHONE, WAIT_MS, door, log_in, plain_text, sent_to, sqlite_only

PASSWORD = "organizer-tools-password-1"
TITLE = "Belt and Road: Logistics Corridors"
INTERPRETATION = "Which interpretation do you need?"
LANGUAGES = ["Kazakh", "Russian", "Chinese", "English"]
INSTITUTION = "Embassy or institution"
DIPLOMAT = "王静 Wang Jing"
DIPLOMAT_EMAIL = "wang.jing@example.cn"
INSTITUTION_ANSWER = "Embassy of the People's Republic of China in Kazakhstan"
CAME = "Daniyar Akhmetov"
ABSENT = {"Айгерім Нұрланқызы": "aigerim@example.kz", "Ерлан Оспанов": "erlan@example.kz"}
CANCELLED = "Madina Seitkali"
NO_SHOWS = {DIPLOMAT: DIPLOMAT_EMAIL, **ABSENT}
SUBJECT = "We missed you at {seminar}"
BODY = ("We kept a seat for you, {name}, but did not see you today.\n\n"
        "The slides and the recording are on your ticket's page:\n{ticket_link}\n\n"
        "We hope to see you at the next seminar.")


def _seminar(live_server):
    """A seminar that starts in half an hour (the door is open), three more confirmed guests and a cancellation,
    an organizer and a door volunteer on its team."""
    with live_server.db() as session:
        starts = (utcnow() + timedelta(minutes=30)).replace(second=0, microsecond=0)
        seminar = factories.make_seminar(session, title=TITLE, starts_at=starts)
        factories.make_registration(session, seminar, full_name=CAME, email="daniyar@example.kz",
                                    category_key="business")
        for name, email in ABSENT.items():
            factories.make_registration(session, seminar, full_name=name, email=email)
        factories.make_registration(session, seminar, full_name=CANCELLED, email="madina@example.kz",
                                    status="cancelled")
        organizer = factories.make_user(session, role="organizer", email="organizer@example.kz", password=PASSWORD)
        factories.add_member(session, seminar, organizer, "organizer")
        volunteer = factories.make_user(session, email="door@example.kz", password=PASSWORD)
        factories.add_member(session, seminar, volunteer, "door")
        return seminar.slug


def _add_questions(page, slug, shot):
    page.goto(f"/organizer/s/{slug}/")
    page.get_by_role("link", name="Questions on the signup form").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Questions on the signup form")

    page.get_by_role("link", name="Add a question").click()
    page.get_by_label("Question", exact=True).fill(INTERPRETATION)
    page.get_by_label("Kind of answer").select_option(label="One of several choices")
    page.get_by_label("An answer is required").check()
    # Saved before the choices are written: refused, with what was typed kept, the problem said at the top.
    page.get_by_role("button", name="Save").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Offer at least two choices.")
    expect(summary).to_be_focused()
    assert summary.evaluate("box => getComputedStyle(box).borderTopWidth") == "3px"
    expect(page.get_by_label("Question", exact=True)).to_have_value(INTERPRETATION)
    expect(page.get_by_label("An answer is required")).to_be_checked()
    folded = page.locator(".question-choice summary")
    assert all(box["height"] >= 44 for box in (folded.nth(n).bounding_box() for n in range(folded.count())))
    shot(page, "tools-1-choice-question-refused-desktop")
    choices = page.get_by_label("Choice", exact=True)
    for number, language in enumerate(LANGUAGES):
        choices.nth(number).fill(language)
    shot(page, "tools-1-choice-question-desktop")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#questions")).to_contain_text(" / ".join(LANGUAGES))

    page.get_by_role("link", name="Add a question").click()
    page.get_by_label("Question", exact=True).fill(INSTITUTION)
    page.get_by_label("Kind of answer").select_option(label="Short text")
    # The choices belong to the kinds with choices: the form does not show them for a text.
    expect(page.locator("#choices")).to_be_hidden()
    shot(page, "tools-1-text-question-desktop")
    page.get_by_role("button", name="Save").click()

    rows = page.locator("#questions li")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("One of several choices · required · asked of everyone · 0 answers")
    expect(rows.last).to_contain_text("Short text · asked of everyone · 0 answers")
    shot(page, "tools-1-questions-desktop")


def _sign_up_on_a_phone(phone, slug, shot):
    phone.goto(f"/s/{slug}/")
    phone.get_by_role("link", name=re.compile("^Register")).first.click()
    phone.get_by_label("Full name").fill(DIPLOMAT)
    phone.get_by_label("E-mail").fill(DIPLOMAT_EMAIL)
    phone.get_by_label("Government / diplomatic", exact=True).check()
    questions = phone.get_by_role("group", name="Questions from the organizers")
    expect(questions.get_by_role("group", name=INTERPRETATION).get_by_role("radio")).to_have_count(4)
    questions.get_by_role("group", name=INTERPRETATION).get_by_label("Chinese").check()
    questions.get_by_label(INSTITUTION).fill(INSTITUTION_ANSWER)
    phone.get_by_label("I agree to the processing of my personal data").check()
    shot(phone, "tools-2-signup-questions-phone")
    phone.get_by_role("button", name=re.compile("^Register")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Thank you, {DIPLOMAT}")
    expect(phone.locator(".notice").first).to_contain_text(f"We have sent an e-mail to {DIPLOMAT_EMAIL}")
    shot(phone, "tools-2-registered-phone")


def _downloads(page):
    """The full registration list as CSV and XLSX, read back as {name: {column: value}}."""
    registrations = page.locator("form.download", has=page.get_by_role("heading", name="Full registration list"))
    files = {}
    for fmt in ("csv", "xlsx"):
        with page.expect_download() as download:
            registrations.get_by_role("button", name=fmt.upper(), exact=True).click()
        files[fmt] = download.value.path().read_bytes()
    header, *rows = csv.reader(io.StringIO(files["csv"].decode("utf-8-sig")))
    sheet = openpyxl.load_workbook(io.BytesIO(files["xlsx"]), read_only=True).worksheets[0]
    sheet_header, *sheet_rows = sheet.iter_rows(values_only=True)
    return ({row[0]: dict(zip(header, row, strict=True)) for row in rows},
            # A row of a read-only sheet ends at its last filled cell.
            {row[0]: dict(zip_longest(sheet_header, row)) for row in sheet_rows})


def _check_in_while_the_live_view_watches(new_context, organizer, slug, shot):
    organizer.goto(f"/organizer/s/{slug}/")
    organizer.get_by_role("link", name="Live view").click()
    organizer.wait_for_selector("body[data-live='online']", state="attached")
    expect(organizer.locator("#live-checked-in")).to_have_text("0")
    expect(organizer.locator("#live-expected")).to_have_text("4")
    organizer.evaluate("window.stillTheSamePage = true")

    phone = door(new_context, "Main entrance", camera=False, **PHONE)
    log_in(phone, "door@example.kz", PASSWORD)
    phone.goto(f"/checkin/s/{slug}/")
    phone.wait_for_selector("body[data-scanner-ready]", state="attached")
    phone.get_by_placeholder("Name, e-mail or organization").fill("Daniyar")
    phone.locator(".search-result", has_text=CAME).get_by_role("button", name="Check in").click()
    assert phone.wait_for_selector("body[data-answers='1']", state="attached").get_attribute(
        "data-last-status") == "checked_in"

    expect(organizer.locator("#live-checked-in")).to_have_text("1")
    expect(organizer.locator("#live-latest .live-arrival").first).to_contain_text(CAME)
    assert organizer.evaluate("window.stillTheSamePage") is True  # the page polled; nobody reloaded it
    shot(organizer, "tools-4-live-view-desktop")


def _the_seminar_is_over(live_server, slug):
    """Three hours on: the seminar has been held and ended a few minutes ago."""
    with live_server.db() as session:
        seminar = session.scalar(select(Seminar).where(Seminar.slug == slug))
        seminar.starts_at = utcnow() - timedelta(hours=3)
        seminar.ends_at = utcnow() - timedelta(minutes=5)
        return dict(session.execute(select(Registration.email, Registration.token)
                                    .where(Registration.seminar_id == seminar.id)).all())


def _write_to_the_no_shows(live_server, page, slug, tokens, shot):
    page.goto(f"/organizer/s/{slug}/")
    page.get_by_role("link", name="Registrations", exact=True).click()
    page.get_by_label("Attendance").select_option(label="Did not come (confirmed, not checked in)")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("3 registrations")).to_be_visible()
    names = page.locator(".registration-table tbody tr td:nth-child(2) a")
    assert sorted(names.all_inner_texts()) == sorted(NO_SHOWS)
    page.get_by_label("Every row of this filter (3)").check()
    page.get_by_role("button", name="Write to them").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Write to attendees")
    expect(page.get_by_label("Attendance")).to_have_value("no_show")
    page.get_by_label("Subject").fill(SUBJECT)
    page.get_by_label("Message").fill(BODY)
    shot(page, "tools-5-compose-desktop")
    page.get_by_role("button", name="Preview").click()

    expect(page.locator(".message-count")).to_have_text("It goes to 3 people.")
    page.get_by_label("Show it as it reaches").select_option(label=f"{DIPLOMAT} ({DIPLOMAT_EMAIL})")
    page.get_by_role("button", name="Show").click()
    preview = page.locator(".message-preview")
    expect(preview).to_contain_text(f"To: {DIPLOMAT_EMAIL}")
    expect(preview.locator(".message-subject")).to_have_text(f"We missed you at {TITLE}")
    expect(preview.locator(".message-text")).to_contain_text(f"Dear {DIPLOMAT},")
    expect(preview.locator(".message-text")).to_contain_text(f"We kept a seat for you, {DIPLOMAT}, but")
    expect(preview.locator(".message-text")).to_contain_text(f"/t/{tokens[DIPLOMAT_EMAIL]}/")
    shot(page, "tools-5-preview-desktop")
    page.get_by_role("button", name="Send to 3 people").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Messages to attendees")
    expect(page.locator(".flash-success")).to_have_text("The message is on its way to 3 people.")
    for name, email in NO_SHOWS.items():
        message = live_server.mail(lambda m, email=email: sent_to(email)(m) and "We missed you" in m["Subject"])
        assert str(message["To"]) == email and not message["Cc"] and not message["Bcc"]
        text = plain_text(message).replace("\r\n", "\n")  # as the SMTP server received it: CRLF line ends
        assert f"Dear {name}," in text and f"We kept a seat for you, {name}, but did not see you today." in text
        assert "today.\n\nThe slides" in text  # the paragraphs came through the preview's round trip
        assert f"/t/{tokens[email]}/" in text  # {ticket_link}: their own ticket
        others = [other for other in [*NO_SHOWS, *NO_SHOWS.values(), CAME] if other not in (name, email)]
        assert not [other for other in others if other in text], f"{email} got somebody else's name or address"
    copies = [m for m in live_server.smtp_server.messages if "We missed you" in m["Subject"]]
    assert sorted(str(m["To"]) for m in copies) == sorted(NO_SHOWS.values())  # one each; none to Daniyar or Madina

    delivery = page.locator(".message-history tbody tr .message-delivery")
    deadline = time.monotonic() + WAIT_MS / 1000
    while delivery.inner_text().strip() != "Sent: 3" and time.monotonic() < deadline:
        page.reload()  # the copies are marked sent just after the server hands them over
    row = page.locator(".message-history tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(SUBJECT)
    expect(row).to_contain_text("Did not come")
    expect(row).to_contain_text("3 people")
    expect(delivery).to_have_text("Sent: 3")
    shot(page, "tools-5-history-desktop")


@sqlite_only
def test_an_organizer_asks_two_questions_and_writes_to_the_no_shows(live_server, new_context, shot):
    slug = _seminar(live_server)
    organizer = new_context(**DESKTOP).new_page()
    log_in(organizer, "organizer@example.kz", PASSWORD)
    _add_questions(organizer, slug, shot)

    _sign_up_on_a_phone(new_context(**PHONE).new_page(), slug, shot)
    assert TITLE in live_server.mail(sent_to(DIPLOMAT_EMAIL))["Subject"]  # her ticket: the registration is made

    # The answers: in both exports, under the questions, and the choice as a chart in the report.
    organizer.goto(f"/organizer/s/{slug}/")
    organizer.get_by_role("link", name="Report and exports").click()
    chart = organizer.locator("section.report-section", has=organizer.get_by_role("heading", name=INTERPRETATION))
    expect(chart.locator(".report-chart svg")).to_be_visible()
    expect(chart.locator(".report-chart svg")).to_contain_text("Chinese")
    for language in LANGUAGES:  # every choice has its row, the ones nobody took at zero
        expect(chart.get_by_role("row", name=re.compile(f"^{language}"))).to_be_visible()
    expect(chart.get_by_role("row", name=re.compile("^Chinese"))).to_have_text(re.compile(r"Chinese\s*1\s*0"))
    shot(organizer, "tools-3-report-desktop")
    from_csv, from_xlsx = _downloads(organizer)
    for rows in (from_csv, from_xlsx):
        assert rows[DIPLOMAT][INTERPRETATION] == "Chinese"
        assert rows[DIPLOMAT][INSTITUTION] == INSTITUTION_ANSWER
        assert not rows[CAME][INTERPRETATION]  # registered before the questions existed

    _check_in_while_the_live_view_watches(new_context, organizer, slug, shot)
    tokens = _the_seminar_is_over(live_server, slug)
    _write_to_the_no_shows(live_server, organizer, slug, tokens, shot)
