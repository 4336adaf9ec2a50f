"""Exports opened with real readers (csv, openpyxl, pypdf), never with our own writer's code."""

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from eventreg.models import AuditEntry
from eventreg.reports.exports import neutralise
from tests.openapi_check import assert_matches_openapi
from tests.test_reports import CHINESE_NAME, FORMULA_NAME, KAZAKH_NAME, make_report_seminar

BASE = "/reports/s/silk-road-report"
ATTENDANCE_HEADER = ["Name", "Checked in at", "Gate", "Category", "Organization", "Position", "E-mail", "University",
                     "Level", "Year of study", "Checked in by"]


@pytest.fixture
def report_seminar(session):
    return make_report_seminar(session)


@pytest.fixture
def organizer(login, report_seminar):
    return login("organizer")


def _csv(response):
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 BOM to read Cyrillic and Chinese"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _pdf_text(response):
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.get_data()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_attendance_csv_lists_who_came_in_local_time(client, organizer):
    response = client.get(f"{BASE}/attendance.csv?sort=arrival")

    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert 'filename="silk-road-report-attendance.csv"' in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == ATTENDANCE_HEADER
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        (KAZAKH_NAME, "2024-09-13 09:52", "Door 1"),
        ("Walk In", "2024-09-13 09:58", "Door 1"),
        ("Dana Student", "2024-09-13 10:01", "Door 1"),
        (CHINESE_NAME, "2024-09-13 10:03", "Door 2"),
        ("'" + FORMULA_NAME, "2024-09-13 10:12", "Door 2"),
    ]
    aliya = rows[1]
    assert aliya[3:] == ["Student", "", "", "aliya@example.kz", "Nazarbayev University", "Bachelor", "2", "Aigerim"]


def test_attendance_sorted_by_name_by_default(client, organizer):
    names = [row[0] for row in _csv(client.get(f"{BASE}/attendance.csv"))[1:]]

    assert names == sorted(names)
    assert len(names) == 5


def test_registration_csv_carries_the_organizer_list_filters(client, organizer):
    everyone = _csv(client.get(f"{BASE}/registrations.csv"))
    students = _csv(client.get(f"{BASE}/registrations.csv?status=confirmed&category=student"))
    cancelled = _csv(client.get(f"{BASE}/registrations.csv?status=cancelled"))

    assert len(everyone) == 1 + 11
    assert sorted(r[0] for r in students[1:]) == ["Dana Student", "Timur Student", KAZAKH_NAME]
    header = cancelled[0]
    assert [r[0] for r in cancelled[1:]] == ["Cancelled Person"]
    assert cancelled[1][header.index("Status")] == "Cancelled"
    assert cancelled[1][header.index("Cancelled at")] == "2024-09-05 10:00"


def test_unknown_filter_exports_nothing_and_says_why(client, session, organizer):
    response = client.get(f"{BASE}/registrations.csv?category=astronauts", follow_redirects=True)

    assert "That filter does not exist" in response.get_data(as_text=True)
    assert session.query(AuditEntry).filter_by(action="export").count() == 0


def test_no_show_list_is_confirmed_people_who_did_not_come(client, organizer):
    rows = _csv(client.get(f"{BASE}/no-shows.csv"))

    assert [r[0] for r in rows[1:]] == ["Timur Student", "Иванов Сергей"]
    header = rows[0]
    assert rows[2][header.index("Phone")] == "'+7 701 111 2233"


@pytest.mark.parametrize("text, expected", [
    ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
    ("+7 701 000", "'+7 701 000"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("Әлия", "Әлия"),
    ("a=b", "a=b"),
])
def test_cells_a_spreadsheet_would_run_are_neutralised(text, expected):
    assert neutralise(text) == expected


def test_csv_injection_name_becomes_plain_text(client, organizer):
    rows = _csv(client.get(f"{BASE}/registrations.csv?category=business"))
    header = rows[0]
    formula = next(r for r in rows[1:] if "HYPERLINK" in r[0])

    assert formula[0] == "'" + FORMULA_NAME
    assert formula[header.index("Position")] == "'-Manager"


def test_attendance_xlsx_has_types_header_and_rows(client, organizer):
    response = client.get(f"{BASE}/attendance.xlsx?sort=arrival")

    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert [c.value for c in sheet[1]] == ATTENDANCE_HEADER
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 1 + 5
    assert sheet.column_dimensions["A"].width == 30
    first = sheet[2]
    assert first[0].value == KAZAKH_NAME
    assert isinstance(first[1].value, datetime) and first[1].value == datetime(2024, 9, 13, 9, 52)
    assert first[1].is_date
    assert first[9].value == 2 and first[9].data_type == "n"
    formula = sheet[6]
    assert formula[0].value == FORMULA_NAME
    assert formula[0].data_type == "s", "a registrant's name must never become a formula"
    assert formula[5].value == "-Manager" and formula[5].data_type == "s"


def test_registrations_xlsx_keeps_filters_and_every_name(client, organizer):
    sheet = load_workbook(io.BytesIO(client.get(f"{BASE}/registrations.xlsx?status=confirmed").get_data())).active

    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(names) == 7
    assert KAZAKH_NAME in names and CHINESE_NAME in names


@pytest.mark.parametrize("query, columns, rows", [
    ("attendance.xlsx", "K", 5), ("registrations.xlsx", "R", 11), ("no-shows.xlsx", "J", 2),
    ("registrations.xlsx?category=media", "R", 0),
])
def test_every_xlsx_filters_from_its_header_over_every_row(client, organizer, query, columns, rows):
    sheet = load_workbook(io.BytesIO(client.get(f"{BASE}/{query}").get_data())).active

    assert sheet.auto_filter.ref == f"A1:{columns}{1 + rows}"
    assert sheet.max_row == 1 + rows and sheet.cell(row=1, column=sheet.max_column).column_letter == columns


def test_attendance_pdf_has_kazakh_and_chinese_names(client, organizer):
    text = _pdf_text(client.get(f"{BASE}/attendance.pdf"))

    assert "Attendance list" in text
    assert KAZAKH_NAME in text
    assert CHINESE_NAME in text
    assert "Timur Student" not in text


def test_signin_sheet_lists_confirmed_people_with_a_signature_column(client, organizer):
    response = client.get(f"{BASE}/signin-sheet.pdf")

    text = _pdf_text(response)
    reader = PdfReader(io.BytesIO(response.get_data()))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert "Sign-in sheet" in text and "Signature" in text
    for name in (KAZAKH_NAME, CHINESE_NAME, "Иванов Сергей", "Walk In"):
        assert name in text
    assert "Wait Listed" not in text and "Cancelled Person" not in text


def test_summary_pdf_has_the_headline_figures_and_charts(client, organizer):
    text = _pdf_text(client.get(f"{BASE}/summary.pdf"))

    assert "Summary report" in text and "Silk Road Report" in text
    assert "Headline figures" in text and "71%" in text and "35% (7/20)" in text
    for heading in ("By category", "Students by university", "Top organizations", "Registrations per day",
                    "Arrivals per 5 minutes", "Check-ins per gate", "Check-ins per staff member",
                    "Refused scans by reason"):
        assert heading in text
    assert "Start 10:00" in text and "Aigerim" in text


def test_no_show_and_registration_pdfs_open(client, organizer):
    assert "Иванов Сергей" in _pdf_text(client.get(f"{BASE}/no-shows.pdf"))
    assert CHINESE_NAME in _pdf_text(client.get(f"{BASE}/registrations.pdf?category=business"))


def test_a_list_too_long_to_print_points_to_csv(client, session, organizer, api_token, monkeypatch):
    monkeypatch.setattr("eventreg.reports.services.PDF_MAX_ROWS", 4)

    page = client.get(f"{BASE}/registrations.pdf", follow_redirects=True)
    sheet = client.get(f"{BASE}/signin-sheet.pdf", follow_redirects=True)
    api = client.get("/api/v1/seminars/silk-road-report/exports/registrations.pdf",
                     headers={"Authorization": f"Bearer {api_token('organizer')}"})

    assert "too long to print" in page.get_data(as_text=True)
    assert "too long to print" in sheet.get_data(as_text=True)
    assert api.status_code == 400 and api.get_json()["error"] == "too_long_for_pdf"
    assert client.get(f"{BASE}/registrations.csv").status_code == 200
    assert [e.details["list"] for e in session.query(AuditEntry).filter_by(action="export")] == ["registrations"]


def test_every_export_is_in_the_audit_trail(client, session, organizer, report_seminar):
    client.get(f"{BASE}/attendance.csv?sort=arrival").get_data()
    client.get(f"{BASE}/registrations.xlsx?status=confirmed&category=student")
    client.get(f"{BASE}/signin-sheet.pdf")

    entries = session.query(AuditEntry).filter_by(action="export").order_by(AuditEntry.id).all()
    assert [(e.user_id, e.seminar_id) for e in entries] == [(organizer.id, report_seminar.id)] * 3
    assert [e.details for e in entries] == [
        {"list": "attendance", "format": "csv", "separator": "comma", "sort": "arrival"},
        {"list": "registrations", "format": "xlsx", "status": "confirmed", "category": "student"},
        {"list": "signin-sheet", "format": "pdf"},
    ]


@pytest.mark.parametrize("path", ["attendance.csv", "registrations.xlsx", "no-shows.pdf", "signin-sheet.pdf",
                                  "summary.pdf"])
def test_staff_cannot_export_and_anonymous_must_log_in(client, session, login, report_seminar, path):
    anonymous = client.get(f"{BASE}/{path}")
    assert anonymous.status_code == 302 and "/login" in anonymous.location

    login("staff")
    assert client.get(f"{BASE}/{path}").status_code == 403
    assert session.query(AuditEntry).filter_by(action="export").count() == 0


def test_unknown_list_or_format_is_not_found(client, organizer):
    assert client.get(f"{BASE}/everyone.csv").status_code == 404
    assert client.get(f"{BASE}/attendance.docx").status_code == 404


def test_api_exports_for_organizer_tokens_only(client, session, api_token, report_seminar):
    url = "/api/v1/seminars/silk-road-report/exports/no-shows.csv"

    organizer = client.get(url, headers={"Authorization": f"Bearer {api_token('organizer')}"})
    staff = client.get(url, headers={"Authorization": f"Bearer {api_token('staff')}"})
    anonymous = client.get(url)

    assert organizer.status_code == 200
    assert [r[0] for r in _csv(organizer)[1:]] == ["Timur Student", "Иванов Сергей"]
    assert staff.status_code == 403 and staff.get_json()["error"] == "forbidden"
    assert anonymous.status_code == 401
    for response in (organizer, staff, anonymous):
        assert_matches_openapi(client, "GET", url, response)
    assert session.query(AuditEntry).filter_by(action="export").count() == 1


def test_api_export_refuses_unknown_lists_and_filters(client, api_token, report_seminar):
    headers = {"Authorization": f"Bearer {api_token('admin')}"}

    unknown = client.get("/api/v1/seminars/silk-road-report/exports/everyone.csv", headers=headers)
    bad_filter = client.get("/api/v1/seminars/silk-road-report/exports/registrations.xlsx?status=lost",
                            headers=headers)
    xlsx = client.get("/api/v1/seminars/silk-road-report/exports/attendance.xlsx", headers=headers)

    assert unknown.status_code == 404
    assert bad_filter.status_code == 400 and bad_filter.get_json()["fields"] == {"status": ["Unknown status."]}
    assert_matches_openapi(client, "GET", "/api/v1/seminars/silk-road-report/exports/registrations.xlsx", bad_filter)
    assert load_workbook(io.BytesIO(xlsx.get_data())).active.max_row == 6
