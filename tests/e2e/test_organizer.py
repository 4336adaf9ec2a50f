"""Journey 5: an organizer creates and publishes a seminar through the forms, then after the event opens
the summary and downloads the attendance list as CSV, XLSX and PDF, which real readers open."""

import csv
import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pypdf
from playwright.sync_api import expect
from sqlalchemy import select

from eventreg.checkin import services as checkin
from eventreg.models import Category, Seminar, utcnow
from eventreg.registration import services as registration
from tests import factories
from tests.e2e.helpers import DESKTOP, log_in, sqlite_only

TITLE = "Youth Forum: Kazakhstan and China in the Digital Age"
PASSWORD = "organizer-password-1"
ATTENDED = ["Дархан Серікбаев", "王芳", "Madina Seitkali"]
ABSENT = ["Ерлан Оспанов"]


def _people():
    return [
        {"full_name": name, "email": f"person{number}@example.kz", "consent_data": True}
        for number, name in enumerate(ATTENDED + ABSENT)
    ]


@sqlite_only
def test_organizer_creates_publishes_and_reports(live_server, new_context, shot):
    with live_server.db() as session:
        factories.make_user(session, role="organizer", email="organizer@example.kz", password=PASSWORD)
    page = new_context(**DESKTOP).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "organizer@example.kz", PASSWORD)

    day = (utcnow().astimezone(ZoneInfo("Asia/Almaty")) + timedelta(days=10)).date()
    page.goto("/organizer/")
    page.get_by_role("link", name="New seminar").first.click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Description").fill("A forum for students and young researchers.\n\nIn English and Russian.")
    page.get_by_label("Venue").fill("Astana Hub, Congress Hall")
    page.get_by_label("Starts").fill(f"{day.isoformat()}T10:00")
    page.get_by_label("Ends").fill(f"{day.isoformat()}T13:00")
    page.get_by_label("Capacity").fill("80")
    shot(page, "5-new-seminar-desktop")
    page.get_by_role("button", name="Create the draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    for title, kind, starts, ends in [("Welcome speech", "Welcome speech", "10:00", "10:15"),
                                      ("Panel: digital corridors", "Panel", "10:15", "11:30")]:
        # The add form is on the seminar's page: open while the programme is empty, folded after.
        add = page.locator("#agenda details.inline-add")
        if add.get_attribute("open") is None:
            add.locator("summary").click()
        page.get_by_label("Title").fill(title)
        page.get_by_label("Kind").select_option(label=kind)
        page.get_by_label("Starts").fill(starts)
        page.get_by_label("Ends").fill(ends)
        page.get_by_role("button", name="Add to the programme").click()
        expect(page.locator("#agenda")).to_contain_text(title)

    page.get_by_role("row", name=re.compile("^Student")).get_by_role("link", name="Edit").click()
    page.get_by_label("Seat quota").fill("30")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("row", name=re.compile("^Student"))).to_contain_text("0 / 30")

    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".badge")).to_have_text("Published")
    shot(page, "5-manage-desktop")

    page.goto("/")
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("main")).to_contain_text("Panel: digital corridors")

    with live_server.db() as session:
        seminar = session.scalar(select(Seminar).where(Seminar.title == TITLE))
        slug = seminar.slug
        general = session.scalar(select(Category).where(Category.seminar_id == seminar.id,
                                                        Category.key != "student", Category.is_public))
        door = factories.make_user(session, role="staff")
        for minutes, person in enumerate(_people()):
            added = registration.register(session, seminar, {**person, "category_id": general.id})
            if person["full_name"] in ATTENDED:
                # On the day: arrivals from a quarter of an hour before the start.
                result = checkin.check_in(session, seminar, added.token, gate="Door 1", by=door, method="camera",
                                          now=seminar.starts_at - timedelta(minutes=15 - 4 * minutes))
                assert result.status == "checked_in"

    page.goto(f"/reports/s/{slug}/")
    expect(page.locator("[data-figure=checked_in]")).to_have_text("3")
    shot(page, "5-summary-desktop")
    attendance = page.locator("form.download", has=page.get_by_role("heading", name="Attendance list"))

    files = {}
    for fmt in ("csv", "xlsx", "pdf"):
        with page.expect_download() as download:
            attendance.get_by_role("button", name=fmt.upper(), exact=True).click()
        assert download.value.suggested_filename.endswith(f".{fmt}")
        files[fmt] = download.value.path().read_bytes()

    rows = list(csv.reader(io.StringIO(files["csv"].decode("utf-8-sig"))))
    csv_text = "\n".join(",".join(row) for row in rows)
    workbook = openpyxl.load_workbook(io.BytesIO(files["xlsx"]), read_only=True)
    xlsx_text = "\n".join(str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True)
                          for cell in row if cell is not None)
    pdf_text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(files["pdf"])).pages)
    for text in (csv_text, xlsx_text, pdf_text):
        for name in ATTENDED:
            assert name in text
        for name in ABSENT:
            assert name not in text
