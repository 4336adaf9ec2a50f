"""The summary report: every figure against a small seminar whose numbers are worked out by hand below."""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from eventreg.models import AuditEntry, CheckInEvent
from eventreg.reports import services
from eventreg.reports.queries import Headline, Row
from tests import factories
from tests.openapi_check import assert_matches_openapi

ALMATY = ZoneInfo("Asia/Almaty")
NU = "Nazarbayev University"
ENU = "L.N. Gumilyov Eurasian National University"
KAZAKH_NAME = "Әлия Нұрғалиқызы Өмірбекова"
CHINESE_NAME = "王小明"
FORMULA_NAME = '=HYPERLINK("http://evil.example/x","Click")'


def local(month, day, hour, minute=0):
    """A moment in Astana (UTC+5), as the aware UTC datetime the database stores."""
    return datetime(2024, month, day, hour, minute, tzinfo=ALMATY).astimezone(UTC)


def make_report_seminar(session):
    """A seminar on 13 September 2024 at 10:00 in Astana (05:00 UTC), capacity 20, with these people:

    | # | name            | category | status     | registered (local) | checked in (local)  | notes               |
    |---|-----------------|----------|------------|--------------------|---------------------|---------------------|
    | 1 | Әлия (Kazakh)   | student  | confirmed  | 01.09 10:00        | 09:52 Door 1 Aigerim| NU, bachelor, yr 2  |
    | 2 | 王小明 (Chinese) | business | confirmed  | 02.09 01:30 *      | 10:03 Door 2 Daniyar| Huawei              |
    | 3 | Иванов Сергей   | expert   | confirmed  | 02.09 12:00        | no-show             | Huawei              |
    | 4 | Dana Student    | student  | confirmed  | 03.09 09:00        | 10:01 Door 1 Aigerim| NU, master, yr 1    |
    | 5 | Timur Student   | student  | confirmed  | 03.09 10:00        | no-show (undone)    | ENU, bachelor, yr 3 |
    | 6 | =HYPERLINK(...) | business | confirmed  | 03.09 11:00        | 10:12 Door 2 Daniyar| KazMunayGas         |
    | 7 | Wait Listed     | general  | waitlisted | 04.09 09:00        |                     |                     |
    | 8 | Pending Person  | general  | pending    | 04.09 10:00        |                     |                     |
    | 9 | Cancelled Person| general  | cancelled  | 02.09 15:00        |                     |                     |
    |10 | Rejected Person | general  | rejected   | 02.09 16:00        |                     |                     |
    |11 | Walk In         | general  | confirmed  | 13.09 09:58        | 09:58 Door 1 Aigerim| walk-in             |

    * 02.09 01:30 in Astana is still 01.09 (20:30) in UTC: it must count on 2 September.
    Scan log: 2 unknown codes and 1 "already checked in" refused; #5's check-in undone (not a refusal).
    Another seminar's registration (checked in) must not leak into any figure.
    """
    aigerim = factories.make_user(session, role="staff", name="Aigerim")
    daniyar = factories.make_user(session, role="staff", name="Daniyar")
    seminar = factories.make_seminar(session, slug="silk-road-report", title="Silk Road Report",
                                     starts_at=local(9, 13, 10), ends_at=local(9, 13, 13), capacity=20,
                                     status="closed")

    def person(name, key, status, created, **extra):
        return factories.make_registration(session, seminar, category_key=key, status=status, full_name=name,
                                           created_at=created, **extra)

    def arrive(registration, at, gate, by, method="camera"):
        registration.checked_in_at = at
        registration.checked_in_gate = gate
        registration.checked_in_method = method
        registration.checked_in_by_id = by.id
        session.add(CheckInEvent(seminar_id=seminar.id, registration_id=registration.id, at=at, result="checked_in",
                                 gate=gate, method=method, user_id=by.id))

    student = dict(programme="International Relations")
    aliya = person(KAZAKH_NAME, "student", "confirmed", local(9, 1, 10), university=NU, study_level="bachelor",
                   study_year=2, email="aliya@example.kz", **student)
    wang = person(CHINESE_NAME, "business", "confirmed", local(9, 2, 1, 30), organization="Huawei",
                  position="Director", email="wang@example.cn")
    person("Иванов Сергей", "expert", "confirmed", local(9, 2, 12), organization="Huawei", position="Analyst",
           email="ivanov@example.kz", phone="+7 701 111 2233")
    dana = person("Dana Student", "student", "confirmed", local(9, 3, 9), university=NU, study_level="master",
                  study_year=1, email="dana@example.kz", **student)
    timur = person("Timur Student", "student", "confirmed", local(9, 3, 10), university=ENU,
                   study_level="bachelor", study_year=3, email="timur@example.kz", **student)
    formula = person(FORMULA_NAME, "business", "confirmed", local(9, 3, 11), organization="KazMunayGas",
                     position="-Manager", email="evil@example.com")
    person("Wait Listed", "general", "waitlisted", local(9, 4, 9))
    person("Pending Person", "general", "pending", local(9, 4, 10))
    person("Cancelled Person", "general", "cancelled", local(9, 2, 15), cancelled_at=local(9, 5, 10))
    person("Rejected Person", "general", "rejected", local(9, 2, 16))
    walk_in = person("Walk In", "general", "confirmed", local(9, 13, 9, 58), source="walk_in")

    arrive(aliya, local(9, 13, 9, 52), "Door 1", aigerim)
    arrive(wang, local(9, 13, 10, 3), "Door 2", daniyar)
    arrive(dana, local(9, 13, 10, 1), "Door 1", aigerim)
    arrive(formula, local(9, 13, 10, 12), "Door 2", daniyar)
    arrive(walk_in, local(9, 13, 9, 58), "Door 1", aigerim, method="walk_in")
    for result, minute in (("unknown_code", 40), ("unknown_code", 45), ("already_checked_in", 55)):
        session.add(CheckInEvent(seminar_id=seminar.id, at=local(9, 13, 9, minute), result=result, gate="Door 1",
                                 method="camera", user_id=aigerim.id, code="?"))
    for result, minute in (("checked_in", 50), ("undone", 51)):
        session.add(CheckInEvent(seminar_id=seminar.id, registration_id=timur.id, at=local(9, 13, 9, minute),
                                 result=result, gate="Door 2", method="camera", user_id=daniyar.id))

    other = factories.make_seminar(session, slug="other-seminar", starts_at=local(9, 13, 10))
    stranger = factories.make_registration(session, other, category_key="student", created_at=local(9, 1, 9))
    arrive(stranger, local(9, 13, 10, 0), "Door 9", daniyar)
    session.add(CheckInEvent(seminar_id=other.id, at=local(9, 13, 10), result="unknown_code", gate="Door 9",
                             method="camera"))
    session.commit()
    return seminar


@pytest.fixture
def report_seminar(session):
    return make_report_seminar(session)


@pytest.fixture
def in_request(app):
    """Labels are translated for the reader's language, which a request carries."""
    with app.test_request_context():
        yield


def test_headline_figures_match_the_hand_count(session, report_seminar, in_request):
    figures = services.summary(session, report_seminar).headline

    assert figures == Headline(confirmed=7, waitlisted=1, pending=1, cancelled=1, rejected=1, checked_in=5,
                               walk_ins=1, capacity=20)
    assert figures.no_shows == 2
    assert figures.turnout == pytest.approx(5 / 7)
    assert figures.capacity_used == pytest.approx(7 / 20)


def test_breakdowns_match_the_hand_count(session, report_seminar, in_request):
    report = services.summary(session, report_seminar)

    assert report.categories == [
        Row("Expert", 1, 0), Row("Government / diplomatic", 0, 0), Row("Business", 2, 2), Row("Academic", 0, 0),
        Row("Student", 3, 2), Row("Media", 0, 0), Row("General", 1, 1),
    ]
    assert report.universities == [Row(NU, 2, 2), Row(ENU, 1, 0)]
    assert report.levels == [Row("Bachelor", 2, 1), Row("Master", 1, 1)]
    assert report.organizations == [Row("Huawei", 2, 1), Row("KazMunayGas", 1, 1)]
    assert report.gates == [("Door 1", 3), ("Door 2", 2)]
    assert report.staff == [("Aigerim", 3), ("Daniyar", 2)]
    assert report.refused == [("Unknown code", 2), ("Already checked in", 1)]


def test_registrations_per_day_count_in_the_seminar_time_zone(session, report_seminar, in_request):
    days = services.summary(session, report_seminar).days

    assert [(d.day, d.count, d.cumulative) for d in days] == [
        (date(2024, 9, 1), 1, 1), (date(2024, 9, 2), 4, 5), (date(2024, 9, 3), 3, 8), (date(2024, 9, 4), 2, 10),
    ]


def test_arrivals_per_five_minutes_with_the_start_marked(session, report_seminar, in_request):
    report = services.summary(session, report_seminar)

    buckets = [(report.local_time(b.starts_at), b.count, b.is_start) for b in report.arrivals]
    assert buckets == [("09:50", 1, False), ("09:55", 1, False), ("10:00", 2, True), ("10:05", 0, False),
                       ("10:10", 1, False)]


def test_an_empty_seminar_has_zeros_and_no_charts(session, in_request):
    seminar = factories.make_seminar(session, capacity=None)
    session.commit()

    report = services.summary(session, seminar)

    assert report.headline.turnout is None and report.headline.capacity_used is None
    assert report.days == [] and report.arrivals == [] and report.gates == [] and report.refused == []
    assert set(report.charts) == {"categories"}


def test_summary_page_shows_every_figure_and_accessible_charts(client, login, report_seminar):
    login("organizer")

    response = client.get("/reports/s/silk-road-report/")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    shown = dict(re.findall(r'data-figure="(\w+)">([^<]+)<', page))
    assert shown == {"confirmed": "7", "checked_in": "5", "turnout": "71%", "no_shows": "2", "walk_ins": "1",
                     "capacity_used": "35% ", "waitlisted": "1", "pending": "1", "cancelled": "1", "rejected": "1"}
    svgs = re.findall(r"<svg[^>]*>", page)
    assert len(svgs) == 9
    assert all('role="img"' in svg and "aria-label=" in svg for svg in svgs)
    assert len(re.findall(r"<svg[^>]*><title>[^<]+</title>", page)) == 9
    assert "Start 10:00" in page
    assert 'style="' not in page
    assert "<script>" not in page
    # A name from the data is escaped inside the SVG and the tables, never markup.
    assert "KazMunayGas" in page and "<td>=HYPERLINK" not in page


def test_summary_escapes_labels_inside_the_charts(session, report_seminar, in_request):
    factories.make_registration(session, report_seminar, category_key="business",
                                organization='<script>alert("x")</script>')
    session.commit()

    chart = str(services.summary(session, report_seminar).charts["organizations"])

    assert "<script>" not in chart
    assert "&lt;script&gt;" in chart


def test_summary_links_every_download(client, login, report_seminar):
    login("organizer")

    page = client.get("/reports/s/silk-road-report/").get_data(as_text=True)

    for name in ("attendance", "registrations", "no-shows"):
        for fmt in ("csv", "xlsx", "pdf"):
            assert f"/reports/s/silk-road-report/{name}.{fmt}" in page
    assert "/reports/s/silk-road-report/signin-sheet.pdf" in page
    assert "/reports/s/silk-road-report/summary.pdf" in page


@pytest.mark.parametrize("role", ["organizer", "admin"])
def test_organizers_and_admins_open_the_summary(client, login, report_seminar, role):
    login(role)
    assert client.get("/reports/s/silk-road-report/").status_code == 200


def test_staff_cannot_open_the_summary_and_anonymous_must_log_in(client, login, report_seminar):
    anonymous = client.get("/reports/s/silk-road-report/")
    assert anonymous.status_code == 302 and "/login" in anonymous.location

    login("staff")
    assert client.get("/reports/s/silk-road-report/").status_code == 403


def test_unknown_seminar_is_not_found(client, login):
    login("organizer")
    assert client.get("/reports/s/no-such-seminar/").status_code == 404


def test_api_lists_registrations_filtered_and_paginated(client, api_token, report_seminar):
    headers = {"Authorization": f"Bearer {api_token('organizer')}"}

    url = "/api/v1/seminars/silk-road-report/registrations?status=confirmed&per_page=3&page=2"
    response = client.get(url, headers=headers)

    assert response.status_code == 200
    assert_matches_openapi(client, "GET", url, response)
    body = response.get_json()
    assert (body["total"], body["pages"], body["page"], len(body["items"])) == (7, 3, 2, 3)
    everyone = client.get("/api/v1/seminars/silk-road-report/registrations?per_page=200", headers=headers)
    assert everyone.get_json()["total"] == 11
    students = client.get("/api/v1/seminars/silk-road-report/registrations?category=student",
                          headers=headers).get_json()
    assert sorted(item["full_name"] for item in students["items"]) == ["Dana Student", "Timur Student", KAZAKH_NAME]
    item = next(i for i in students["items"] if i["full_name"] == KAZAKH_NAME)
    assert (item["category"], item["university"], item["study_level"], item["checked_in_gate"]) == (
        "student", NU, "bachelor", "Door 1")


def test_api_refuses_unknown_filters_with_the_field(client, api_token, report_seminar):
    headers = {"Authorization": f"Bearer {api_token('admin')}"}

    url = "/api/v1/seminars/silk-road-report/registrations?status=lost&category=nobody"
    response = client.get(url, headers=headers)

    assert response.status_code == 400
    assert_matches_openapi(client, "GET", url, response)
    assert response.get_json()["error"] == "invalid_filter"
    assert set(response.get_json()["fields"]) == {"status", "category"}


def test_api_list_is_for_organizers_only(client, api_token, report_seminar):
    url = "/api/v1/seminars/silk-road-report/registrations"

    staff = client.get(url, headers={"Authorization": f"Bearer {api_token('staff')}"})
    anonymous = client.get(url)

    assert staff.status_code == 403 and staff.get_json()["error"] == "forbidden"
    assert anonymous.status_code == 401
    assert_matches_openapi(client, "GET", url, staff)


def test_reading_the_summary_records_nothing(session, client, login, report_seminar):
    login("organizer")
    client.get("/reports/s/silk-road-report/")
    assert session.query(AuditEntry).filter_by(action="export").count() == 0
