"""Reports, exports, certificates and the live view of a seminar over several days (issue #23 item 4), on both
databases: who came on which day and to which session, as an organizer reads it."""

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from eventreg.certificates import services as certificates
from eventreg.certificates.document import certificate_pdf
from eventreg.checkin.services import check_in, undo_check_in
from eventreg.live import services as live
from eventreg.messages import services as messages
from eventreg.messages.services import Segment
from eventreg.models import Certificate, Registration, utcnow
from eventreg.registration import organizer, places
from eventreg.reports import services as reports
from eventreg.seminars import days
from tests import factories
from tests.openapi_check import assert_matches_openapi

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _three_days(session, first):
    """Three days from `first` (aware UTC), 09:00 to 18:00 in Astana."""
    seminar = factories.make_seminar(session, starts_at=first, ends_at=first + timedelta(days=2, hours=9),
                                     checkin_opens_minutes=60)
    days.make_days(session, seminar)
    return seminar


@pytest.fixture
def seminar(session):
    """A week from now: Aliya comes every day (and to the workshop she has a place in), Bolat on day 1 only
    (he has a place in the workshop and misses it), Chen (a student) on day 2, Dana never; a lecture open to all
    on day 3 that Aliya attends."""
    seminar = _three_days(session, factories.aware(*(utcnow() + timedelta(days=7)).timetuple()[:3], 4))
    day1, day2, day3 = seminar.days
    workshop = days.save_session(session, seminar, {
        "title": {"en": "Workshop"}, "day_id": day2.id, "starts_at": day2.starts_at + timedelta(hours=1),
        "ends_at": day2.starts_at + timedelta(hours=3), "capacity": 2, "room": "Hall B"})
    lecture = days.save_session(session, seminar, {
        "title": {"en": "Lecture"}, "day_id": day3.id, "starts_at": day3.starts_at + timedelta(hours=2),
        "ends_at": day3.starts_at + timedelta(hours=4), "capacity": None, "room": ""})
    people = {name: factories.make_registration(session, seminar, full_name=name, category_key=key)
              for name, key in (("Aliya", "general"), ("Bolat", "business"), ("Chen", "student"),
                                ("Dana", "general"))}
    places.choose(session, people["Aliya"], [workshop])
    places.choose(session, people["Bolat"], [workshop])

    def arrive(name, day, minutes, gate="Hall", part=None):
        result = check_in(session, seminar, people[name].token, gate=gate, by=None, method="manual",
                          now=day.starts_at + timedelta(minutes=minutes), day=day, part=part)
        assert result.status == "checked_in", result.status

    arrive("Aliya", day1, 5)
    arrive("Bolat", day1, 20, gate="Side")
    arrive("Aliya", day2, 10)
    arrive("Chen", day2, 15, gate="Side")
    arrive("Aliya", day2, 65, part=workshop)
    arrive("Aliya", day3, 0)
    arrive("Aliya", day3, 125, part=lecture)
    session.commit()
    return seminar


def _short(day):
    return f"{day.local_date.day} {MONTHS[day.local_date.month - 1]}"


def _csv(response):
    body = response.get_data().decode("utf-8-sig")
    delimiter = ";" if body.split("\n", 1)[0].count(";") else ","
    return list(csv.reader(io.StringIO(body, newline=""), delimiter=delimiter))


# -- the summary report -----------------------------------------------------------------------------------------


def test_the_summary_counts_each_day_by_category_and_each_session(session, seminar):
    report = reports.summary(session, seminar)

    assert [(row.number, row.checked_in, row.share) for row in report.by_day] == [(1, 2, 0.5), (2, 2, 0.5),
                                                                                    (3, 1, 0.25)]
    assert dict(report.by_day[0].per_category)["Business"] == 1
    assert dict(report.by_day[1].per_category)["Student"] == 1
    assert (report.every_day, report.any_day) == (1, 3)
    assert [(s.title, s.capacity, s.places_taken, s.checked_in) for s in report.sessions] == [
        ("Workshop", 2, 2, 1), ("Lecture", None, None, 1)]
    assert "attendance-days" in report.charts


def test_the_summary_page_shows_attendance_by_day_and_sessions(client, login, seminar):
    login("organizer", seminars=[seminar])
    page = client.get(f"/reports/s/{seminar.slug}/").get_data(as_text=True)

    assert "Attendance by day" in page
    day2 = seminar.days[1]
    assert f"Day 2 · {WEEKDAYS[day2.local_date.weekday()]} {_short(day2)}" in page
    assert re.search(r'data-figure="every_day">1<', page) and re.search(r'data-figure="any_day">3<', page)
    table = page[page.index('id="attendance-by-day"'):]
    assert "<th scope=\"col\" class=\"num\">Student</th>" in table and "50%" in table and "25%" in table
    sessions = page[page.index('id="sessions"'):]
    assert "Workshop" in sessions and "Hall B" in sessions and "Lecture" in sessions
    assert '<svg class="chart"' in page[page.index('id="section-attendance-days"'):]


def test_a_seminar_without_days_has_no_day_figures(client, session, login):
    seminar = factories.make_seminar(session)
    factories.make_registration(session, seminar)
    session.commit()
    assert reports.summary(session, seminar).by_day is None
    login("organizer", seminars=[seminar])
    page = client.get(f"/reports/s/{seminar.slug}/").get_data(as_text=True)
    assert "Attendance by day" not in page and 'id="sessions"' not in page


def test_the_summary_pdf_has_the_days(client, login, seminar):
    login("organizer", seminars=[seminar])
    response = client.get(f"/reports/s/{seminar.slug}/summary.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.get_data())).pages)
    assert "Attendance by day" in text and "Attended every day: 1" in text and "Workshop" in text


# -- the exports ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sep", ["comma", "semicolon"])
def test_the_attendance_csv_has_a_column_per_day_and_session(client, login, seminar, sep):
    login("organizer", seminars=[seminar])
    rows = _csv(client.get(f"/reports/s/{seminar.slug}/attendance.csv?sep={sep}"))

    day1, day2, day3 = seminar.days
    header = rows[0]
    assert header[11:16] == [f"Day 1 ({_short(day1)})", f"Day 2 ({_short(day2)})", f"Day 3 ({_short(day3)})",
                             f"Workshop · Day 2 ({_short(day2)})", f"Lecture · Day 3 ({_short(day3)})"]
    by_name = {row[0]: row[11:16] for row in rows[1:]}
    assert by_name == {
        "Aliya": ["09:05", "09:10", "09:00", "10:05", "11:05"],
        "Bolat": ["09:20", "", "", "place", ""],
        "Chen": ["", "09:15", "", "", ""],
    }


def test_the_registration_xlsx_has_the_days_too(client, login, seminar):
    login("organizer", seminars=[seminar])
    response = client.get(f"/reports/s/{seminar.slug}/registrations.xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    first_day = header.index(f"Day 1 ({_short(seminar.days[0])})")
    by_name = {row[0]: row[first_day:first_day + 5] for row in rows[1:]}
    assert by_name["Bolat"] == ["09:20", None, None, "place", None]
    assert by_name["Dana"] == [None] * 5
    assert by_name["Aliya"][3] == "10:05"


def test_the_attendance_pdf_says_which_days(client, login, seminar):
    login("organizer", seminars=[seminar])
    response = client.get(f"/reports/s/{seminar.slug}/attendance.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.get_data())).pages)
    assert "Days" in text and "1, 2, 3" in text
    assert re.search(r"Chen.*\b2\b", text)


def test_a_list_of_a_seminar_without_days_keeps_its_columns(client, session, login):
    seminar = factories.make_seminar(session)
    session.commit()
    login("organizer", seminars=[seminar])
    header = _csv(client.get(f"/reports/s/{seminar.slug}/attendance.csv?sep=comma"))[0]
    assert not any(name.startswith("Day ") for name in header)


def test_the_registration_api_gives_each_persons_days_and_sessions(client, session, api_token, seminar):
    token = api_token("organizer", seminars=[seminar])
    url = f"/api/v1/seminars/{seminar.slug}/registrations"
    response = client.get(url, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert_matches_openapi(client, "GET", url, response)
    items = {item["full_name"]: item for item in response.get_json()["items"]}
    assert [day["checked_in_at"] is not None for day in items["Chen"]["days"]] == [False, True, False]
    assert [day["number"] for day in items["Chen"]["days"]] == [1, 2, 3]
    assert [(s["title"], s["has_place"], s["checked_in_at"] is not None) for s in items["Bolat"]["sessions"]] == [
        ("Workshop", True, False), ("Lecture", None, False)]

    plain = factories.make_seminar(session)
    factories.make_registration(session, plain)
    token = api_token("organizer", seminars=[plain])
    item = client.get(f"/api/v1/seminars/{plain.slug}/registrations",
                      headers={"Authorization": f"Bearer {token}"}).get_json()["items"][0]
    assert "days" not in item and "sessions" not in item


# -- certificates -----------------------------------------------------------------------------------------------


@pytest.fixture
def ended(session):
    """Three days that ended last week: Aliya came every day, Bolat on day 2 only."""
    seminar = _three_days(session, factories.aware(*(utcnow() - timedelta(days=10)).timetuple()[:3], 4))
    people = [factories.make_registration(session, seminar, full_name=name) for name in ("Aliya", "Bolat")]
    for day in seminar.days:
        check_in(session, seminar, people[0].token, gate="", by=None, method="manual", day=day,
                 now=day.starts_at + timedelta(minutes=5))
    check_in(session, seminar, people[1].token, gate="", by=None, method="manual", day=seminar.days[1],
             now=seminar.days[1].starts_at)
    session.commit()
    return seminar


@pytest.mark.parametrize(("rule", "holders"), [("every_day", ["Aliya"]), ("any_day", ["Aliya", "Bolat"])])
def test_the_attendance_rule_decides_who_gets_a_certificate(session, ended, rule, holders):
    certificates.save_settings(session, ended, {"enabled": True, "attendance_rule": rule}, languages=["en"], by=None)

    assert certificates.issue_certificates(session, ended, by=None) == len(holders)
    assert sorted(c.holder_name for c in session.query(Certificate)) == holders


def test_one_certificate_asked_for_under_every_day_is_refused_to_who_missed_a_day(session, ended):
    certificates.save_settings(session, ended, {"enabled": True, "attendance_rule": "every_day"}, languages=["en"],
                               by=None)
    bolat = session.scalars(select(Registration).where(Registration.full_name == "Bolat")).one()
    with pytest.raises(certificates.CertificateRefused) as refused:
        certificates.certificate_for(session, ended, bolat, by=None)
    assert refused.value.code == "not_attended"


def test_a_certificate_counts_the_hours_of_the_days_its_holder_came(session, ended):
    """Three days of 09:00 to 18:00: Aliya's certificate says 27 hours, Bolat's (day 2 only) 9, never the 57
    from the first morning to the last evening; hours the organizer sets are printed as set."""
    certificates.save_settings(session, ended, {"enabled": True, "attendance_rule": "any_day"}, languages=["en"],
                               by=None)
    certificates.issue_certificates(session, ended, by=None)
    session.commit()

    def printed(name):
        certificate = session.scalars(select(Certificate).where(Certificate.holder_name == name)).one()
        pdf = PdfReader(io.BytesIO(certificate_pdf(certificate)))
        return " ".join(pdf.pages[0].extract_text().split())

    assert "(27 hours)" in printed("Aliya")
    assert "(9 hours)" in printed("Bolat")

    certificates.save_settings(session, ended, {"enabled": True, "attendance_rule": "any_day", "hours": 12},
                               languages=["en"], by=None)
    session.commit()
    assert "(12 hours)" in printed("Bolat")


def test_both_rules_mean_checked_in_for_a_seminar_without_days(session):
    seminar = factories.make_seminar(session, starts_at=utcnow() - timedelta(days=2),
                                     ends_at=utcnow() - timedelta(days=2) + timedelta(hours=3))
    person = factories.make_registration(session, seminar, full_name="Aliya")
    check_in(session, seminar, person.token, gate="", by=None, method="manual", override_window=True)
    certificates.save_settings(session, seminar, {"enabled": True, "attendance_rule": "every_day"},
                               languages=["en"], by=None)
    assert certificates.issue_certificates(session, seminar, by=None) == 1


def test_the_settings_page_says_what_the_rules_do(client, login, ended):
    login("organizer", seminars=[ended])
    page = client.get(f"/organizer/s/{ended.slug}/certificates").get_data(as_text=True)
    assert "Every day: checked in on each of its days" in page


# -- the live view ----------------------------------------------------------------------------------------------


def test_the_live_view_on_day_2_counts_that_days_arrivals(client, login, seminar, monkeypatch):
    day2 = seminar.days[1]
    now = day2.starts_at + timedelta(hours=1, minutes=10)
    monkeypatch.setattr(live, "utcnow", lambda: now)
    login("organizer", seminars=[seminar])
    url = f"/api/v1/seminars/{seminar.slug}/live"
    response = client.get(url)

    assert_matches_openapi(client, "GET", url, response)
    state = response.get_json()
    assert state["day"]["number"] == 2
    assert state["day"]["label"] == f"Day 2 · {WEEKDAYS[day2.local_date.weekday()]} {_short(day2)}"
    assert (state["checked_in"], state["expected"]) == (2, 4)  # Aliya and Chen today, not Bolat
    assert [a["full_name"] for a in state["latest"]] == ["Chen", "Aliya"]
    assert {g["gate"]: g["count"] for g in state["gates"]} == {"Hall": 1, "Side": 1}
    assert sum(b["count"] for b in state["arrivals"]) == 2
    assert [b["time"] for b in state["arrivals"] if b["is_start"]] == ["09:00"]

    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304

    page = client.get(f"/organizer/s/{seminar.slug}/live").get_data(as_text=True)
    assert state["day"]["label"] in page and "checked in today / expected" in page


def test_an_undone_check_in_leaves_todays_figures(session, seminar):
    day2 = seminar.days[1]
    now = day2.starts_at + timedelta(hours=2)
    chen = session.scalars(select(Registration).where(Registration.full_name == "Chen")).one()
    undo_check_in(session, seminar, chen, by=None, gate="Hall", now=now, day=day2)
    session.commit()
    state = live.snapshot(session, seminar, with_names=True, now=now)
    assert state["checked_in"] == 1 and [a["full_name"] for a in state["latest"]] == ["Aliya"]


def test_between_days_the_live_view_shows_first_arrivals(session, seminar):
    night = seminar.days[0].ends_at + timedelta(hours=3)
    state = live.snapshot(session, seminar, with_names=True, now=night)
    assert state["day"] is None
    assert state["checked_in"] == 3  # came on some day
    assert [a["full_name"] for a in state["latest"]] == ["Chen", "Bolat", "Aliya"]


def test_the_list_and_a_message_pick_who_came_or_missed_one_day(session, client, login):
    seminar = _three_days(session, factories.aware(*(utcnow() - timedelta(days=10)).timetuple()[:3], 4))
    day1, day2, _day3 = seminar.days
    people = {name: factories.make_registration(session, seminar, full_name=name)
              for name in ("Aliya", "Bolat", "Dana")}
    for name, day in (("Aliya", day1), ("Aliya", day2), ("Bolat", day1)):
        check_in(session, seminar, people[name].token, gate="", by=None, method="manual",
                 now=day.starts_at + timedelta(minutes=5), day=day)
    session.commit()

    def names(attendance):
        ids = organizer.filtered_ids(session, seminar, attendance=attendance)
        return sorted(session.scalars(select(Registration.full_name).where(Registration.id.in_(ids))))

    assert names(f"day-{day2.id}") == ["Aliya"]
    assert names(f"missed-{day2.id}") == ["Bolat", "Dana"]
    assert names("checked_in") == ["Aliya", "Bolat"]  # on any day

    login("organizer")
    page = client.get(f"/organizer/s/{seminar.slug}/registrations?attendance=missed-{day2.id}").get_data(as_text=True)
    assert "Did not come on Day 2 · " in page and "Bolat" in page and "Dana" in page and "Aliya" not in page
    missed = messages.audience(session, seminar, Segment(attendance=f"missed-{day2.id}"))
    assert missed.count == 2
    with pytest.raises(messages.MessageRefused):  # a day of no seminar of ours
        messages.audience(session, seminar, Segment(attendance="missed-999999"))


def test_nobody_has_missed_a_day_that_has_not_begun(session, seminar):
    assert organizer.filtered_ids(session, seminar, attendance=f"missed-{seminar.days[2].id}") == []
