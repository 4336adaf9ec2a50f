"""Certificates of attendance (#22): only for those who came, once each, a PDF whose QR code leads to a public page
that says whether it is valid, revoked, or unknown."""

import io
import uuid
import zipfile
from datetime import timedelta
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from eventreg import mail
from eventreg.certificates import services
from eventreg.models import AuditEntry, Certificate, CertificateSettings, OutboxMessage, utcnow
from eventreg.privacy import services as privacy
from tests import factories
from tests.openapi_check import assert_matches_openapi

KAZAKH = "Әлия Нұрғалиқызы Өмірбекова"
RUSSIAN = "Иван Сергеевич Петров"
CHINESE = "王小明"
LANGUAGES = {"kk": "Қазақша", "ru": "Русский", "en": "English", "zh": "中文"}


def _png(size=(300, 100), mode="RGB", colour=(11, 92, 171)):
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _jpeg(size=(300, 100)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _ended_seminar(session, **overrides):
    starts = (utcnow() - timedelta(days=2)).replace(hour=4, minute=0, second=0, microsecond=0)
    values = dict(title="Digital Silk Road", starts_at=starts, ends_at=starts + timedelta(hours=3),
                  organizer_name="China Studies Centre")
    return factories.make_seminar(session, **{**values, **overrides})


def _enable(session, seminar, **data):
    return services.save_settings(session, seminar, {"enabled": True, **data}, languages=LANGUAGES, by=None)


def _attendee(session, seminar, full_name, **overrides):
    return factories.make_registration(session, seminar, full_name=full_name, checked_in_at=utcnow(),
                                       checked_in_method="manual", **overrides)


def _count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def _text(pdf_bytes):
    return PdfReader(io.BytesIO(pdf_bytes)).pages[0].extract_text()


def _qr_path(pdf_bytes):
    """The QR code read off the rendered page (as a phone's camera would), as a path on this site."""
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        page = document[0]
        image = page.render(scale=2).to_pil()
        page.close()
    finally:
        document.close()
    [code] = zxingcpp.read_barcodes(image)
    url = urlsplit(code.text)
    assert f"{url.scheme}://{url.netloc}" == "http://localhost"  # PUBLIC_URL, not the request's host
    return url.path


# --- who gets one ---------------------------------------------------------------------------------------------


def test_issuing_gives_one_to_each_attendee_none_to_a_no_show_and_nothing_more_when_run_again(session):
    seminar = _ended_seminar(session)
    _enable(session, seminar)
    came = [_attendee(session, seminar, name) for name in (KAZAKH, RUSSIAN, CHINESE)]
    no_show = factories.make_registration(session, seminar, full_name="Stayed Home")
    session.commit()

    assert {r.id for r in services.to_issue(session, seminar)} == {r.id for r in came}
    assert services.issue_certificates(session, seminar, by=None) == 3
    session.commit()
    assert services.issue_certificates(session, seminar, by=None) == 0
    session.commit()

    assert _count(session, Certificate) == 3
    assert services.valid_certificate(session, no_show) is None
    assert {c.holder_name for c in services.certificates_of(session, seminar)} == {KAZAKH, RUSSIAN, CHINESE}
    kinds = session.scalars(select(OutboxMessage.kind)).all()
    assert kinds.count("certificate") == 3


def test_certificates_wait_for_the_end_of_the_seminar_and_for_the_organizer_to_turn_them_on(session):
    upcoming = factories.make_seminar(session)
    _attendee(session, upcoming, RUSSIAN)
    ended = _ended_seminar(session)
    _attendee(session, ended, KAZAKH)
    session.commit()
    with pytest.raises(services.CertificateRefused) as off:
        services.issue_certificates(session, ended, by=None)
    assert off.value.code == "not_enabled"
    _enable(session, upcoming)
    with pytest.raises(services.CertificateRefused) as early:
        services.issue_certificates(session, upcoming, by=None)
    assert early.value.code == "not_over"


def test_only_the_chosen_categories_get_one(session):
    seminar = _ended_seminar(session)
    student = factories.category(seminar, "student")
    _enable(session, seminar, category_ids=[student.id])
    learner = _attendee(session, seminar, KAZAKH, category_key="student")
    guest = _attendee(session, seminar, RUSSIAN)
    session.commit()
    assert services.issue_certificates(session, seminar, by=None) == 1
    assert services.valid_certificate(session, learner) is not None
    with pytest.raises(services.CertificateRefused) as refused:
        services.certificate_for(session, seminar, guest, by=None)
    assert refused.value.code == "not_eligible"


def test_the_cli_issues_for_ended_seminars_and_is_safe_to_run_again(runner, session):
    seminar = _ended_seminar(session, slug="silk-road")
    _enable(session, seminar)
    _attendee(session, seminar, CHINESE)
    later = factories.make_seminar(session)
    _enable(session, later)
    _attendee(session, later, RUSSIAN)
    session.commit()
    first = runner.invoke(args=["issue-certificates", "--no-send"])
    assert first.exit_code == 0, first.output
    assert "silk-road: issued 1 certificate(s)." in first.output
    again = runner.invoke(args=["issue-certificates", "--no-send"])
    assert "silk-road: issued 0 certificate(s)." in again.output
    assert _count(session, Certificate) == 1


# --- the document and its verification ----------------------------------------------------------------------


@pytest.mark.parametrize("name", [KAZAKH, RUSSIAN, CHINESE])
def test_the_pdf_prints_the_name_number_and_title_and_its_qr_code_opens_a_page_that_says_valid_then_revoked(
        session, client, name):
    seminar = _ended_seminar(session)
    _enable(session, seminar, logo=_png(), signatories=[{"name": "Асқар Жұмабаев", "position": "Директор",
                                                          "signature": _jpeg()}])
    registration = _attendee(session, seminar, name, email="alumna@example.kz", organization="Secret Ministry")
    _attendee(session, seminar, "Other Attendee")
    services.issue_certificates(session, seminar, by=None)
    session.commit()
    certificate = services.valid_certificate(session, registration)

    response = client.get(f"/t/{registration.token}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.data)
    assert name in text and certificate.number in text and "Digital Silk Road" in text
    assert "Асқар Жұмабаев" in text

    path = _qr_path(response.data)
    page = client.get(path)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-verdict="valid"' in body
    assert name in body and "Digital Silk Road" in body and "China Studies Centre" in body
    # Nothing else about the person, nor anyone else.
    for private in ("alumna@example.kz", "Secret Ministry", "Other Attendee"):
        assert private not in body
    assert page.headers["X-Robots-Tag"] == "noindex"

    services.revoke(session, certificate, by=None, reason="Issued by mistake")
    session.commit()
    revoked = client.get(path).get_data(as_text=True)
    assert 'data-verdict="revoked"' in revoked and "Issued by mistake" not in revoked


def test_two_languages_side_by_side_with_the_organizers_wording_and_markup_printed_as_text(session):
    seminar = _ended_seminar(session, title="Silk <i>Road</i> **2026**")
    _enable(session, seminar, languages=["ru", "en"], hours=4,
            title_line={"ru": "Сертификат участника"},
            body_text={"en": "{name} took part in {seminar} ({hours} hours, {date})."})
    registration = _attendee(session, seminar, "<b>Bold</b> __Name__", language="kk")
    services.issue_certificates(session, seminar, by=None)
    session.commit()
    text = " ".join(_text(_certificate_pdf(session, registration)).split())
    assert "Сертификат участника" in text  # the organizer's Russian title
    assert "Certificate of attendance" in text  # English: the standard title
    assert "<b>Bold</b> __Name__ took part in Silk <i>Road</i> **2026** (4 hours," in text


MM = 72 / 25.4  # points
DOUBLE_BARRELLED = "Нұрсұлтанқызы Әлия-Гүлнар Ерланқызы Серікбаева-Омарова Жұмабекова Қайратқызы"


def test_the_longest_name_titles_and_texts_shrink_into_their_places_clear_of_the_signatures_and_the_qr_code():
    from eventreg.certificates import document

    name = (DOUBLE_BARRELLED + " ") * 3
    columns = (document.Column(("Қатысу сертификаты " * 11)[:200].strip(),
                               ("Бағдарлама көлік дәліздерін, цифрлық ынтымақтастықты қамтыды. " * 33)[:2000].strip()),
               document.Column(("Certificate of attendance " * 8)[:200].strip(),
                               ("The programme covered transport corridors and digital trade. " * 33)[:2000].strip()))
    signatories = tuple((("Асқар Жұмабаев-Омаров " * 10)[:200].strip(), ("Директор департаменті " * 14)[:300].strip(),
                         _png((600, 200))) for _ in range(3))
    pdf = document.render(document.CertificateContent(
        "Certificate", columns, name[:200].strip(), signatories, _png((900, 200)), "Certificate No. 0001-000001-1",
        "https://events.example.kz/verify/" + "A" * 32))

    pdfium = pypdfium2.PdfDocument(pdf)
    try:
        text = pdfium[0].get_textpage()
        middle = _read(text, document.SIDE, document.TOP, document.PAGE_W - document.SIDE, document.SIGN_TOP - 4)
        for printed in (name[:200], *(column.title for column in columns), *(column.body for column in columns)):
            assert " ".join(printed.split()) in middle  # in full, above the signatures and the QR code
        signed = _read(text, document.SIDE, document.SIGN_TOP + 17,
                       document.PAGE_W - document.SIDE - document.QR_MM - 10, document.FOOT_TOP)
        assert all(person in signed and position in signed for person, position, _ in signatories)
        # Every letter lies in one of those places or the footer (inside the inner frame): none on the QR code.
        places = [(document.SIDE, document.TOP, document.PAGE_W - document.SIDE, document.SIGN_TOP - 4),
                  (document.SIDE, document.SIGN_TOP + 17, document.PAGE_W - document.SIDE - document.QR_MM - 10,
                   document.FOOT_TOP), (document.SIDE, document.FOOT_TOP, document.PAGE_W - document.SIDE, 198)]
        for left, bottom, right, top in _letters(text):
            assert any(x0 * MM <= left and right <= x1 * MM and (210 - y1) * MM <= bottom and top <= (210 - y0) * MM
                       for x0, y0, x1, y1 in places)
    finally:
        pdfium.close()


def _read(text, left, top, right, bottom):
    """The text printed inside a rectangle given in mm from the top left, whitespace as single spaces (pdfium reads
    a hyphen that ends a line as \\x02 and joins the lines: the name's own hyphen)."""
    said = text.get_text_bounded(left * MM, (210 - bottom) * MM, right * MM, (210 - top) * MM)
    return " ".join(said.replace("\x02", "-").split())


def _letters(text):
    return [text.get_charbox(i) for i in range(text.count_chars()) if not text.get_text_range(i, 1).isspace()]


def test_a_date_is_never_split_over_two_lines(session):
    from eventreg.certificates import document
    from eventreg.pdf import fitted, new_document

    seminar = _ended_seminar(session, title="Belt and Road: The Second «Golden» Decade")
    _enable(session, seminar)
    registration = _attendee(session, seminar, KAZAKH)
    services.issue_certificates(session, seminar, by=None)
    content = document.certificate_content(services.valid_certificate(session, registration),
                                           services.settings_of(session, seminar))
    said = document.dates(seminar)
    pdf = new_document("Measuring", orientation="landscape")
    pdf.add_page()
    for width in range(60, 240, 2):
        _, [lines] = fitted(pdf, [content.columns[0].body], width, 200, largest=14, spacing=0.5)
        assert any(said in " ".join(line.split()) for line in lines), lines


def test_each_language_writes_the_date_its_own_way(session):
    seminar = _ended_seminar(session, starts_at=factories.aware(2025, 9, 13, 4),
                             ends_at=factories.aware(2025, 9, 13, 7))
    _enable(session, seminar, languages=["", "en"])
    registration = _attendee(session, seminar, CHINESE, language="zh")
    services.issue_certificates(session, seminar, by=None)
    session.commit()
    text = " ".join(_text(_certificate_pdf(session, registration)).split())
    assert "2025年9月13日" in text and "13 September 2025" in text
    assert "has attended the seminar" in text  # the English beside the Chinese prints too


def _certificate_pdf(session, registration):
    from eventreg.certificates import document

    return document.certificate_pdf(services.valid_certificate(session, registration))


# (path, whether it reaches the verification page: the others are no page at all, answered by the site's 404)
@pytest.mark.parametrize(("path", "verifies"), [
    ("/verify/unknown", True), ("/verify/" + "A" * 32, True), ("/verify/" + "A" * 5000, True), ("/verify/%00", True),
    ("/verify/%FF%FE", True), ("/verify/ʼ%3Bdrop", True), ("/verify/%E2%80%AE", True), ("/verify/" + "ж" * 40, True),
    ("/verify/x?code=1", True), ("/verify/..%2F..%2Fetc%2Fpasswd", False), ("/verify/", False),
    ("/verify/a/b", False),
])
def test_unknown_codes_say_not_found_and_nothing_else_and_no_path_is_an_error(client, path, verifies):
    response = client.get(path)
    assert response.status_code in (400, 404)
    if verifies and response.status_code == 404:
        assert 'data-verdict="not_found"' in response.get_data(as_text=True)


def test_the_verification_code_is_long_and_random(session):
    seminar = _ended_seminar(session)
    _enable(session, seminar)
    for n in range(3):
        _attendee(session, seminar, f"Guest {n}")
    services.issue_certificates(session, seminar, by=None)
    codes = [c.code for c in services.certificates_of(session, seminar)]
    assert len(set(codes)) == 3 and all(len(code) >= 32 for code in codes)  # 192 bits of token_urlsafe


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_guessing_codes_is_limited_and_a_real_code_always_answers(client, session, app_config):
    seminar = _ended_seminar(session)
    _enable(session, seminar)
    registration = _attendee(session, seminar, RUSSIAN)
    services.issue_certificates(session, seminar, by=None)
    session.commit()
    real = services.valid_certificate(session, registration).code
    address = {"REMOTE_ADDR": f"10.{uuid.uuid4().bytes[0]}.{uuid.uuid4().bytes[1]}.7"}
    guesses = [client.get(f"/verify/{'B' * 31}{n % 10}", environ_base=address).status_code for n in range(31)]
    assert set(guesses[:30]) == {404} and guesses[30] == 429
    assert client.get(f"/verify/{real}", environ_base=address).status_code == 200


# --- revoking and re-issuing --------------------------------------------------------------------------------


def test_a_name_correction_is_reissued_and_the_old_code_says_revoked(session, client):
    seminar = _ended_seminar(session)
    _enable(session, seminar)
    registration = _attendee(session, seminar, "Ivan Petrov")
    services.issue_certificates(session, seminar, by=None)
    session.commit()
    old = services.valid_certificate(session, registration)
    with pytest.raises(services.CertificateRefused) as unchanged:
        services.reissue(session, seminar, registration, by=None)
    assert unchanged.value.code == "name_unchanged"

    registration.full_name = RUSSIAN
    new = services.reissue(session, seminar, registration, by=None)
    session.commit()
    assert new.holder_name == RUSSIAN and new.edition == 2 and new.number != old.number
    assert 'data-verdict="revoked"' in client.get(f"/verify/{old.code}").get_data(as_text=True)
    assert 'data-verdict="valid"' in client.get(f"/verify/{new.code}").get_data(as_text=True)
    assert services.issue_certificates(session, seminar, by=None) == 0


def test_a_revoked_certificate_is_not_issued_again_by_cron_and_its_unsent_mail_is_withdrawn(session):
    seminar = _ended_seminar(session)
    _enable(session, seminar)
    registration = _attendee(session, seminar, KAZAKH)
    services.issue_certificates(session, seminar, by=None)
    certificate = services.valid_certificate(session, registration)
    with pytest.raises(services.CertificateRefused) as no_reason:
        services.revoke(session, certificate, by=None, reason="  ")
    assert no_reason.value.code == "reason_required"
    services.revoke(session, certificate, by=None, reason="Left after ten minutes")
    session.commit()
    assert _count(session, OutboxMessage) == 0
    assert services.issue_certificates(session, seminar, by=None) == 0
    assert services.issue_due(session) == [(seminar, 0)]
    with pytest.raises(services.CertificateRefused) as again:
        services.revoke(session, certificate, by=None, reason="twice")
    assert again.value.code == "already_revoked"


def test_erasure_blanks_the_printed_name(session, client):
    seminar = _ended_seminar(session)
    _enable(session, seminar)
    registration = _attendee(session, seminar, KAZAKH)
    services.issue_certificates(session, seminar, by=None)
    code = services.valid_certificate(session, registration).code
    privacy.anonymise_registration(session, registration, by=None)
    session.commit()
    body = client.get(f"/verify/{code}").get_data(as_text=True)
    assert KAZAKH not in body and "has been erased" in body


# --- the e-mail ---------------------------------------------------------------------------------------------------


def test_the_attendee_is_emailed_the_pdf_in_their_language(app, session, smtp_server):
    seminar = _ended_seminar(session)
    _enable(session, seminar)
    registration = _attendee(session, seminar, RUSSIAN, email="ivan@example.kz", language="ru")
    services.issue_certificates(session, seminar, by=None)
    session.commit()
    assert mail.send_due(session) == (1, 0)
    [message] = smtp_server.messages
    assert message["To"] == "ivan@example.kz"
    # The ticket page opened from it speaks Russian too, whatever the browser says.
    assert f"/t/{registration.token}/?lang=ru" in message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert 'lang="ru"' in html and "/verify/" in html
    [attachment] = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert RUSSIAN in _text(attachment.get_content())


# --- the organizer's pages -----------------------------------------------------------------------------------


def _form(**overrides):
    data = {"enabled": "y", "everyone": "y", "language_1": "", "language_2": "en", "attendance_rule": "any_day",
            "title_en": "Certificate", "body_en": "attended {seminar} on {date}", "signatory_1_name": "Dr. Rector",
            "signatory_1_position": "Rector"}
    data.update(overrides)
    return data


def test_the_organizer_saves_settings_with_pictures_that_are_reencoded(client, session, login):
    seminar = _ended_seminar(session)
    session.commit()
    login("organizer")
    assert client.get(f"/organizer/s/{seminar.slug}/").get_data(as_text=True).count("/certificates") >= 1
    page = client.get(f"/organizer/s/{seminar.slug}/certificates")
    assert page.status_code == 200 and "PNG or JPEG" in page.get_data(as_text=True)
    logo = _jpeg()
    response = client.post(f"/organizer/s/{seminar.slug}/certificates", content_type="multipart/form-data",
                           data=_form(logo=(io.BytesIO(logo), "logo.jpg"),
                                      signature_1=(io.BytesIO(_png(mode="RGBA", colour=(0, 0, 0, 0))), "s.png")))
    assert response.status_code == 302
    settings = session.scalar(select(CertificateSettings))
    assert settings.enabled and settings.languages == ["", "en"] and settings.category_ids is None
    assert settings.logo_png.startswith(b"\x89PNG") and settings.logo_png != logo
    assert settings.signatories[0].name == "Dr. Rector" and settings.signatories[0].signature_png.startswith(b"\x89PNG")
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "certificate_settings_saved"))


@pytest.mark.parametrize(("upload", "message"), [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "not a PNG or JPEG"),
    (b"GIF89a" + b"\x00" * 100, "not a PNG or JPEG"),
    (_png()[:60], "not a PNG or JPEG"),
])
def test_a_bad_picture_is_refused_with_a_message_and_the_form_keeps_its_values(client, session, login, upload,
                                                                                 message):
    seminar = _ended_seminar(session)
    session.commit()
    login("organizer")
    response = client.post(f"/organizer/s/{seminar.slug}/certificates", content_type="multipart/form-data",
                           data=_form(logo=(io.BytesIO(upload), "logo.svg")))
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body
    assert "Dr. Rector" in body  # what the organizer typed is still there
    assert _count(session, CertificateSettings) == 0


def test_a_picture_too_large_or_with_too_many_pixels_is_refused_before_it_is_decoded():
    from eventreg.certificates.images import MAX_BYTES, ImageRefused, reencoded_png

    for upload, code in ((_png() + b"\x00" * MAX_BYTES, "too_large"), (_png(size=(6000, 5000)), "too_many_pixels")):
        with pytest.raises(ImageRefused) as refused:
            reencoded_png(upload)
        assert refused.value.code == code


def test_an_unknown_placeholder_is_refused(client, session, login):
    seminar = _ended_seminar(session)
    session.commit()
    login("organizer")
    response = client.post(f"/organizer/s/{seminar.slug}/certificates", data=_form(body_en="{email} {name.__class__}"))
    assert response.status_code == 400 and "Unknown placeholder {email}" in response.get_data(as_text=True)


def test_issue_certificates_shows_how_many_and_to_whom_then_issues_and_downloads_them_as_a_zip(client, session, login):
    seminar = _ended_seminar(session)
    _enable(session, seminar)
    for name in (KAZAKH, CHINESE):
        _attendee(session, seminar, name)
    factories.make_registration(session, seminar, full_name="No Show")
    session.commit()
    login("organizer")
    preview = client.get(f"/organizer/s/{seminar.slug}/certificates/issue").get_data(as_text=True)
    assert "2 certificates will be issued" in preview and KAZAKH in preview and "No Show" not in preview
    assert client.post(f"/organizer/s/{seminar.slug}/certificates/issue").status_code == 302
    assert client.post(f"/organizer/s/{seminar.slug}/certificates/issue").status_code == 302
    assert _count(session, Certificate) == 2
    download = client.get(f"/organizer/s/{seminar.slug}/certificates.zip")
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert len(names) == 2 and all(name.endswith(".pdf") for name in names)
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.seminar_id == seminar.id)).all()
    assert actions.count("certificates_issued") == 1 and "certificates_downloaded" in actions


def test_the_ticket_page_links_to_the_certificate_once_issued(client, session):
    seminar = _ended_seminar(session)
    _enable(session, seminar)
    registration = _attendee(session, seminar, KAZAKH)
    session.commit()
    assert "certificate.pdf" not in client.get(f"/t/{registration.token}/").get_data(as_text=True)
    assert client.get(f"/t/{registration.token}/certificate.pdf").status_code == 404
    services.issue_certificates(session, seminar, by=None)
    session.commit()
    assert "certificate.pdf" in client.get(f"/t/{registration.token}/").get_data(as_text=True)


# --- the API -----------------------------------------------------------------------------------------------------


def test_the_api_refuses_a_certificate_for_someone_who_did_not_attend_and_issues_once_for_someone_who_did(
        client, session, api_token):
    seminar = _ended_seminar(session)
    _enable(session, seminar)
    came = _attendee(session, seminar, CHINESE)
    stayed = factories.make_registration(session, seminar)
    session.commit()
    bearer = {"Authorization": f"Bearer {api_token('organizer')}"}
    base = f"/api/v1/seminars/{seminar.slug}/registrations"

    for method in ("GET", "POST"):
        refused = client.open(f"{base}/{stayed.id}/certificate", method=method, headers=bearer)
        assert refused.status_code == 409 and refused.get_json()["error"] == "not_attended"
        assert_matches_openapi(client, method, f"{base}/{stayed.id}/certificate", refused)
    created = client.post(f"{base}/{came.id}/certificate", headers=bearer)
    again = client.post(f"{base}/{came.id}/certificate", headers=bearer)
    assert (created.status_code, again.status_code) == (201, 200)
    assert created.get_json()["number"] == again.get_json()["number"]
    assert created.get_json()["status"] == "valid" and created.get_json()["holder_name"] == CHINESE
    for response, method in ((created, "POST"), (again, "POST")):
        assert_matches_openapi(client, method, f"{base}/{came.id}/certificate", response)
    read = client.get(f"{base}/{came.id}/certificate", headers=bearer)
    assert_matches_openapi(client, "GET", f"{base}/{came.id}/certificate", read)
    pdf = client.get(f"{base}/{came.id}/certificate.pdf", headers=bearer)
    assert pdf.mimetype == "application/pdf" and CHINESE in _text(pdf.data)
    door = client.post(f"{base}/{came.id}/certificate", headers={"Authorization": f"Bearer {api_token('staff')}"})
    assert door.status_code == 403
    assert _count(session, Certificate) == 1


def _issue_at_once(app, seminar_id, barrier, results, index):
    from eventreg.extensions import db
    from eventreg.models import Seminar

    with app.app_context():
        seminar = db.session.get(Seminar, seminar_id)
        db.session.commit()  # end the read: on SQLite it would hold the write lock
        barrier.wait()
        results[index] = services.issue_certificates(db.session, seminar, by=None)
        db.session.commit()
        db.session.remove()


def test_two_issuers_at_once_give_each_attendee_one_certificate(app, session):
    """The organizer's button and cron at the same moment, each in its own transaction."""
    import threading

    seminar = _ended_seminar(session)
    _enable(session, seminar)
    for n in range(5):
        _attendee(session, seminar, f"Guest {n}")
    seminar_id = seminar.id
    session.commit()
    barrier, results = threading.Barrier(2, timeout=30), {}
    threads = [threading.Thread(target=_issue_at_once, args=(app, seminar_id, barrier, results, i)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results.values()) == 5
    assert _count(session, Certificate) == 5
