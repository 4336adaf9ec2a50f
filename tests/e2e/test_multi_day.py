"""Journey: a seminar over two days with a workshop, at the door (issue #23 item 4).

A door volunteer's phone picks what it checks in for: day 1 admits a ticket once, the workshop admits only the
person with a place, day 2 is not open yet, and with the Wi-Fi gone the phone still decides for day 1 and syncs
when it is back. The server then holds one check-in per person and day, and the workshop's.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventreg.extensions import db
from eventreg.models import Attendance, Registration, Seminar, SeminarDay, SeminarSession, utcnow
from eventreg.registration import places
from tests import factories
from tests.e2e.helpers import PHONE, door, log_in, plain_text, sent_to

PASSWORD = "door-password-1"
SYNC_WITHIN_MS = 10_000
REPEAT_MS = 4_000  # static/js/scanner.js: the same code again within this time is a double read, ignored


@pytest.fixture
def two_days(app):
    """Day 1 under way now, day 2 tomorrow; a workshop on day 1 with one place, which Aliya holds."""
    session = db.session
    starts = (utcnow() - timedelta(minutes=20)).replace(second=0, microsecond=0)
    seminar = factories.make_seminar(session, title="Belt and Road Summer School", starts_at=starts,
                                     ends_at=starts + timedelta(days=1, hours=4))
    day1 = SeminarDay(seminar=seminar, starts_at=starts, ends_at=starts + timedelta(hours=4))
    day2 = SeminarDay(seminar=seminar, starts_at=starts + timedelta(days=1), ends_at=seminar.ends_at)
    workshop = SeminarSession(seminar=seminar, day=day1, title="Workshop: reading contracts", room="Hall B",
                              starts_at=starts + timedelta(minutes=30), ends_at=starts + timedelta(hours=2),
                              capacity=1, places_taken=0)
    session.add_all([day1, day2, workshop])
    session.flush()
    aliya = factories.make_registration(session, seminar, full_name="Әлия Серікбаева")
    bolat = factories.make_registration(session, seminar, full_name="Болат Нұрланов")
    places.choose(session, aliya, [workshop])
    volunteer = factories.make_user(session, role="staff", email="door@example.kz", password=PASSWORD, name="Dana")
    factories.add_member(session, seminar, volunteer, "door")
    data = {"slug": seminar.slug, "aliya": aliya.token, "bolat": bolat.token, "day1": day1.id, "day2": day2.id,
            "workshop": workshop.id}
    session.commit()
    session.close()
    return data


def _typed_scan(page, code, number, status, *, again=False):
    """A USB scanner: real key events, then Enter; the answer's status is checked. `again`: the code was the
    last one scanned, so the scanner's double-read window is waited out first."""
    if again:
        page.wait_for_timeout(REPEAT_MS + 200)
    if page.locator("#result").is_visible():
        page.locator("#result-next").click()
    page.locator("#wedge-input").focus()
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    body = page.wait_for_selector(f"body[data-answers='{number}']", state="attached")
    assert body.get_attribute("data-last-status") == status, page.locator("#result").inner_text()
    return page.locator("#result")


def _attendance(slug):
    session = db.session
    try:
        seminar = session.scalar(select(Seminar).where(Seminar.slug == slug))
        rows = session.execute(select(Registration.full_name, Attendance.day_id, Attendance.session_id)
                               .join(Registration, Registration.id == Attendance.registration_id)
                               .where(Attendance.seminar_id == seminar.id)).all()
        return sorted(rows, key=lambda row: (row[0], row[1], row[2] or 0))
    finally:
        session.close()


def test_the_door_checks_in_per_day_and_per_workshop_online_and_offline(two_days, new_context, shot):
    slug = two_days["slug"]
    page = door(new_context, "Main hall", camera=False, **PHONE)
    log_in(page, "door@example.kz", PASSWORD)
    page.goto(f"/checkin/s/{slug}/")
    page.wait_for_selector("body[data-roster-at]:not([data-roster-at=''])", state="attached")
    picker = page.get_by_label("Checking in for")
    expect(picker).to_have_value(f"d{two_days['day1']}")
    expect(picker.locator("option")).to_have_count(3)  # day 1, its workshop, day 2

    result = _typed_scan(page, two_days["aliya"], 1, "checked_in")
    expect(result.locator("#result-name")).to_have_text("Әлия Серікбаева")
    shot(page, "multi-day-door-day1-phone", full_page=False)
    _typed_scan(page, two_days["aliya"], 2, "already_checked_in", again=True)

    picker.select_option(f"s{two_days['workshop']}")
    _typed_scan(page, two_days["aliya"], 3, "checked_in", again=True)  # her place in the workshop
    result = _typed_scan(page, two_days["bolat"], 4, "not_in_session")
    expect(result).to_contain_text("No place in this session")
    shot(page, "multi-day-door-workshop-refused-phone", full_page=False)

    picker.select_option(f"d{two_days['day2']}")
    _typed_scan(page, two_days["bolat"], 5, "outside_window", again=True)  # tomorrow's door is not open yet

    # The hotel Wi-Fi goes; day 1's door goes on deciding on the phone.
    picker.select_option(f"d{two_days['day1']}")
    page.context.set_offline(True)
    expect(page.locator("#door-connection")).to_have_text(re.compile("^Offline"), timeout=SYNC_WITHIN_MS)
    result = _typed_scan(page, two_days["bolat"], 6, "checked_in", again=True)
    expect(result.locator("#result-offline")).to_be_visible()
    _typed_scan(page, two_days["aliya"], 7, "already_checked_in")
    assert [row[0] for row in _attendance(slug)] == ["Әлия Серікбаева"] * 2  # nothing of Bolat's yet

    page.context.set_offline(False)
    page.wait_for_selector("body[data-queued='0'][data-synced]", state="attached", timeout=SYNC_WITHIN_MS)
    assert _attendance(slug) == [
        ("Болат Нұрланов", two_days["day1"], None),
        ("Әлия Серікбаева", two_days["day1"], None),
        ("Әлия Серікбаева", two_days["day1"], two_days["workshop"]),
    ]


@pytest.fixture
def summer_school(app):
    """A seminar over three dates, 09:00 to 18:00 in Astana, a week ahead, not yet split into days; its owner."""
    session = db.session
    first = factories.aware(*(utcnow() + timedelta(days=7)).timetuple()[:3], 4)
    seminar = factories.make_seminar(session, title="Belt and Road Summer School", starts_at=first,
                                     ends_at=first + timedelta(days=2, hours=9))
    owner = factories.make_user(session, role="organizer", email="owner@example.kz", password=PASSWORD)
    factories.add_member(session, seminar, owner, "owner")
    data = {"slug": seminar.slug}
    session.commit()
    session.close()
    return data


def _sign_up(page, slug, name, email):
    page.goto(f"/s/{slug}")
    page.get_by_role("link", name=re.compile("^Register")).first.click()
    page.get_by_label("Full name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("General", exact=True).check()
    page.get_by_label("I agree to the processing of my personal data").check()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # places on PostgreSQL: tests/test_multi_day.py
def test_an_organizer_splits_a_seminar_into_days_and_an_attendee_takes_the_workshops_last_place(
        live_server, summer_school, new_context, shot):
    slug = summer_school["slug"]
    organizer = new_context().new_page()
    log_in(organizer, "owner@example.kz", PASSWORD)
    organizer.goto(f"/organizer/s/{slug}")
    organizer.get_by_role("link", name="Days and sessions").click()
    organizer.get_by_role("button", name="One day per date").click()
    expect(organizer.get_by_role("heading", level=2, name=re.compile(r"^Day \d"))).to_have_count(3)
    organizer.get_by_text("Add a session").click()
    form = organizer.locator("details", has_text="Add a session")
    form.get_by_label("Title").first.fill("Workshop: reading contracts")
    form.get_by_label("Day", exact=True).select_option(index=1)
    form.get_by_label("Starts").fill("10:00")
    form.get_by_label("Ends").fill("12:00")
    form.get_by_label("Room").fill("Hall B")
    form.get_by_label("Places").fill("1")
    form.get_by_role("button", name="Save").click()
    expect(organizer.locator("body")).to_contain_text("0 of 1 places taken")
    shot(organizer, "multi-day-organizer-days")

    phone = new_context(**PHONE).new_page()
    _sign_up(phone, slug, "Әлия Серікбаева", "aliya@example.kz")
    workshop = phone.get_by_label(re.compile("Workshop: reading contracts"))
    expect(workshop).to_be_enabled()
    workshop.check()
    shot(phone, "multi-day-signup-phone")
    phone.get_by_role("button", name=re.compile("^Register")).click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Әлия Серікбаева")
    link = re.search(r"https?://\S+/t/[\w-]+/", plain_text(live_server.mail(sent_to("aliya@example.kz")))).group(0)
    phone.goto(link)
    expect(phone.locator("body")).to_contain_text("Your place")
    expect(phone.get_by_role("heading", level=3, name=re.compile(r"^Day 2"))).to_be_visible()
    shot(phone, "multi-day-ticket-phone")

    late = new_context(**PHONE).new_page()
    _sign_up(late, slug, "Болат Нұрланов", "bolat@example.kz")
    expect(late.get_by_label(re.compile("Workshop: reading contracts"))).to_be_disabled()  # its one place is taken

    organizer.reload()
    expect(organizer.locator("body")).to_contain_text("1 of 1 places taken")
    organizer.get_by_role("link", name="Who has a place").click()
    expect(organizer.locator("main")).to_contain_text("Әлия Серікбаева")
