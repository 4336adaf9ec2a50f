"""Rolls for partner universities: per university, its confirmed students and whether each came, listed on the
summary report and downloaded as CSV, XLSX and PDF (read back with csv, openpyxl and pypdf)."""

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from eventreg.models import AuditEntry
from tests import factories
from tests.openapi_check import assert_matches_openapi

NU = "Назарбаев Университеті"
ENU = "L.N. Gumilyov Eurasian National University"
ARRIVED = datetime(2024, 9, 13, 4, 52, tzinfo=UTC)  # 09:52 in Astana
ROLL_HEADER = ["Name", "University", "Study programme", "Level", "Year of study", "Attended", "Checked in at"]


@pytest.fixture
def seminar(session):
    """NU: four confirmed students (two came); also on NU's list but not on its roll: a waitlisted student, an erased
    one, an academic (not a student category) and another seminar's student. ENU: one student. One student named no
    university."""
    seminar = factories.make_seminar(session, slug="silk-road")

    def student(name, university, status="confirmed", **extra):
        return factories.make_registration(session, seminar, category_key="student", status=status, full_name=name,
                                           university=university, **extra)

    student("Өмірзақ Серік", NU, checked_in_at=ARRIVED, checked_in_gate="Door 1", checked_in_method="camera")
    student("王小明", NU, study_level="phd", study_year=1)
    student("Аян Бекова", NU)
    student("=cmd|' /C calc'!A0", NU, checked_in_at=ARRIVED, checked_in_gate="Door 2", checked_in_method="camera")
    student("Wait Listed", NU, status="waitlisted")
    student("", NU, anonymised_at=ARRIVED, email="")
    student("Timur Student", ENU)
    student("No University", "")
    factories.make_registration(session, seminar, category_key="academic", full_name="Professor", university=NU)
    other = factories.make_seminar(session)
    factories.make_registration(session, other, category_key="student", full_name="Stranger", university=NU)
    session.commit()
    return seminar


@pytest.fixture
def organizer(login, seminar):
    return login("organizer")


def _roll(client, fmt, university=NU, **params):
    return client.get(f"/reports/s/silk-road/university-roll.{fmt}", query_string={"university": university, **params},
                      headers={"Accept-Language": "en"})


def _csv_rows(response):
    body = response.get_data().decode("utf-8-sig")
    delimiter = ";" if ";" in body.splitlines()[0] else ","
    return list(csv.reader(io.StringIO(body, newline=""), delimiter=delimiter))


def test_the_report_lists_each_universitys_roll_with_its_counts_and_downloads(client, organizer):
    page = client.get("/reports/s/silk-road/", headers={"Accept-Language": "en"}).get_data(as_text=True)

    section = page[page.index('id="section-rolls"'):]
    section = section[:section.index("</section>")]
    # English order: Latin names before Cyrillic ones; no roll for "not given".
    assert section.index(ENU) < section.index(NU)
    assert "No University" not in section
    rows = {university: section[section.index(university):][:2000] for university in (NU, ENU)}
    assert '<td class="num">4</td><td class="num">2</td>' in rows[NU]
    assert '<td class="num">1</td><td class="num">0</td>' in rows[ENU]
    for fmt in ("csv", "xlsx", "pdf"):
        assert f"/reports/s/silk-road/university-roll.{fmt}?university=" in rows[NU]


def test_a_roll_in_csv_holds_the_universitys_confirmed_students_in_alphabetical_order(client, session, organizer):
    response = _roll(client, "csv", sep="comma")

    assert response.status_code == 200
    assert response.get_data().startswith(b"\xef\xbb\xbf")
    assert 'filename="silk-road-university-roll-nazarbayev-universiteti.csv"' in response.headers[
        "Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0] == ROLL_HEADER
    assert [(r[0], r[1], r[5], r[6]) for r in rows[1:]] == [
        # A spreadsheet must not run the formula: it is shown with a quote before it.
        ("'=cmd|' /C calc'!A0", NU, "Yes", "2024-09-13 09:52"),
        ("Аян Бекова", NU, "No", ""),
        ("Өмірзақ Серік", NU, "Yes", "2024-09-13 09:52"),
        ("王小明", NU, "No", ""),
    ]
    assert rows[4][3:5] == ["PhD", "1"]
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert entry.details == {"list": "university-roll", "format": "csv", "separator": "comma", "university": NU}


@pytest.mark.parametrize("app_config", [{"LANGUAGES": {"en": "English", "kk": "Қазақша"}}])
def test_a_roll_follows_the_readers_alphabet_and_separator(client, organizer):
    rows = _csv_rows(client.get("/reports/s/silk-road/university-roll.csv", query_string={"university": NU},
                                headers={"Accept-Language": "kk"}))

    assert [r[0] for r in rows[1:]] == ["Аян Бекова", "Өмірзақ Серік", "'=cmd|' /C calc'!A0", "王小明"]
    body = client.get("/reports/s/silk-road/university-roll.csv", query_string={"university": NU},
                      headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert body.splitlines()[0].count(";") == len(ROLL_HEADER) - 1  # Excel in Kazakh splits on ";"


def test_a_roll_in_xlsx_reads_back_with_openpyxl(client, organizer):
    response = _roll(client, "xlsx")

    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == ROLL_HEADER
    assert [(r[0], r[5]) for r in rows[1:]] == [("=cmd|' /C calc'!A0", "Yes"), ("Аян Бекова", "No"),
                                                ("Өмірзақ Серік", "Yes"), ("王小明", "No")]
    assert rows[3][6] == datetime(2024, 9, 13, 9, 52)  # a real date cell, in Astana's time


def test_a_roll_in_pdf_names_its_university_and_prints_every_script(client, organizer):
    response = _roll(client, "pdf")

    assert response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.get_data())).pages)
    assert f"University roll: {NU}" in text
    for name in ("Өмірзақ Серік", "Аян Бекова", "王小明"):
        assert name in text
    assert "Timur Student" not in text and "Wait Listed" not in text and "Professor" not in text
    assert "Stranger" not in text


def test_the_other_universitys_roll_has_only_its_own_students(client, organizer):
    rows = _csv_rows(_roll(client, "csv", university=ENU))

    assert [r[0] for r in rows[1:]] == ["Timur Student"]


def test_a_roll_without_a_university_is_refused_and_nothing_is_exported(client, session, organizer):
    response = _roll(client, "csv", university="")

    assert response.status_code == 302
    assert session.scalars(select(AuditEntry)).all() == []


def test_rolls_are_for_the_seminars_team_with_the_export_right(app, client, session, seminar, login):
    outsider = login("organizer", seminars=[])
    assert outsider is not None
    assert _roll(client, "csv").status_code == 404
    assert client.get("/reports/s/silk-road/").status_code == 404

    viewer_client = app.test_client()
    login("staff", test_client=viewer_client, seminar_role="viewer")
    assert _roll(viewer_client, "csv").status_code == 403
    page = viewer_client.get("/reports/s/silk-road/").get_data(as_text=True)
    assert "section-rolls" not in page and NU in page  # the figures, not the rolls


def test_an_organizer_token_downloads_a_roll_by_api(client, seminar, api_token):
    headers = {"Authorization": f"Bearer {api_token('organizer')}"}
    url = f"/api/v1/seminars/{seminar.slug}/exports/university-roll.csv"

    response = client.get(url, query_string={"university": ENU}, headers=headers)

    assert_matches_openapi(client, "GET", url, response)
    assert [r[0] for r in _csv_rows(response)[1:]] == ["Timur Student"]
    refused = client.get(url, headers=headers)
    assert (refused.status_code, refused.get_json()["error"]) == (400, "invalid_filter")
    assert "university" in refused.get_json()["fields"]
