"""Seminars over several days, and sessions (issue #23 item 4): the rules, on both databases.

Days and sessions are set up by eventreg/seminars/days.py, places in sessions handed out by
eventreg/registration/places.py, and check-in per day decided by eventreg/checkin/services.py.
"""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from eventreg.checkin import services
from eventreg.extensions import db
from eventreg.models import Attendance, CheckInEvent, Registration, Seminar, SeminarSession, User, utcnow
from eventreg.registration import places
from eventreg.registration import services as registration_services
from eventreg.seminars import day_names, days
from eventreg.seminars import services as seminar_services
from eventreg.seminars.services import SeminarRefused
from tests import factories


@pytest.fixture
def seminar(session):
    """Three days a week from now, 09:00 to 18:00 in Astana (the tests say what time it is: `MORNING`)."""
    first = factories.aware(*(utcnow() + timedelta(days=7)).timetuple()[:3], 4)  # 09:00 in Astana (UTC+5)
    seminar = factories.make_seminar(session, starts_at=first, ends_at=first + timedelta(days=2, hours=9),
                                     checkin_opens_minutes=60)
    days.make_days(session, seminar)
    return seminar


def _morning(seminar, index=0):
    """Half an hour into a day: its door is open."""
    return seminar.days[index].starts_at + timedelta(minutes=30)


@pytest.fixture
def door(session):
    return factories.make_user(session, role="staff", name="Aigerim")


def _workshop(session, seminar, *, capacity=2, day_index=1):
    day = seminar.days[day_index]
    return days.save_session(session, seminar, {
        "title": {"en": "Workshop: reading Chinese contracts", "ru": "Семинар: китайские контракты"},
        "day_id": day.id, "starts_at": day.starts_at + timedelta(hours=1),
        "ends_at": day.starts_at + timedelta(hours=3), "capacity": capacity, "room": "Hall B"})


def test_a_seminar_over_three_dates_gets_one_day_per_date_with_its_hours(session, seminar):
    assert len(seminar.days) == 3
    first, last = seminar.local(seminar.starts_at), seminar.local(seminar.ends_at)
    assert [seminar.local(day.starts_at).time() for day in seminar.days] == [first.time()] * 3
    assert [seminar.local(day.ends_at).time() for day in seminar.days] == [last.time()] * 3
    assert [day.local_date for day in seminar.days] == [first.date() + timedelta(days=n) for n in range(3)]
    assert [day_names.day_number(day) for day in seminar.days] == [1, 2, 3]
    with pytest.raises(SeminarRefused):
        days.make_days(session, seminar)


def test_a_day_outside_the_seminar_or_on_a_taken_date_is_refused_with_a_message(session, seminar):
    first = seminar.days[0]
    with pytest.raises(SeminarRefused) as outside:
        days.save_day(session, seminar, {"starts_at": seminar.starts_at - timedelta(days=1),
                                         "ends_at": seminar.starts_at - timedelta(hours=20)})
    assert "starts_at" in outside.value.fields
    with pytest.raises(SeminarRefused) as taken:
        days.save_day(session, seminar, {"starts_at": first.starts_at, "ends_at": first.ends_at})
    assert "already has a day" in str(taken.value.fields["starts_at"][0])
    assert len(seminar.days) == 3


def test_each_day_admits_once_and_a_second_scan_that_day_is_already_checked_in(session, seminar, door):
    registration = factories.make_registration(session, seminar)
    day1, day2, _day3 = seminar.days
    first = services.check_in(session, seminar, registration.token, gate="Hall", by=door, method="camera",
                              now=_morning(seminar))
    assert first.status == "checked_in"
    again = services.check_in(session, seminar, registration.token, gate="Side door", by=door, method="camera",
                              now=_morning(seminar))
    assert again.status == "already_checked_in"
    assert again.attendee.checked_in_gate == "Hall"
    # The next morning: the same ticket is let in again, on day 2.
    tomorrow = day2.starts_at + timedelta(minutes=5)
    second_day = services.check_in(session, seminar, registration.token, gate="Side door", by=door,
                                   method="camera", now=tomorrow)
    assert second_day.status == "checked_in"
    session.commit()
    session.expire_all()
    rows = session.scalars(select(Attendance).where(Attendance.registration_id == registration.id)
                           .order_by(Attendance.day_id)).all()
    assert [(row.day_id, row.gate) for row in rows] == [(day1.id, "Hall"), (day2.id, "Side door")]
    # "Did they come at all" is still one column: the first arrival.
    assert session.get(Registration, registration.id).checked_in_gate == "Hall"
    assert [e.day_id for e in session.scalars(select(CheckInEvent).order_by(CheckInEvent.id))] == \
        [day1.id, day1.id, day2.id]


def test_between_days_the_door_is_closed_and_an_organizer_must_name_the_day(session, seminar, door):
    registration = factories.make_registration(session, seminar)
    night = seminar.days[0].ends_at + timedelta(hours=2)
    result = services.check_in(session, seminar, registration.token, gate="", by=door, method="camera", now=night)
    assert result.status == "outside_window"
    with pytest.raises(services.CheckInRefused) as refused:
        services.correct_attendance(session, seminar, registration, attended=True, by=door,
                                    reason="Signed the paper sheet", now=night)
    assert refused.value.code == "day_required"
    corrected = services.correct_attendance(session, seminar, registration, attended=True, by=door,
                                            reason="Signed the paper sheet", now=night, day=seminar.days[2])
    assert corrected.checked_in_method == "manual"


def test_a_door_that_picks_tomorrow_today_is_outside_its_window(session, seminar, door):
    registration = factories.make_registration(session, seminar)
    result = services.check_in(session, seminar, registration.token, gate="", by=door, method="camera",
                               day=seminar.days[1], now=_morning(seminar))
    assert result.status == "outside_window"


def test_a_workshop_with_places_admits_only_those_with_a_place_and_counts_the_day_too(session, seminar, door):
    workshop = _workshop(session, seminar)
    with_place = factories.make_registration(session, seminar)
    without = factories.make_registration(session, seminar)
    places.choose(session, with_place, [workshop])
    during = workshop.starts_at + timedelta(minutes=1)
    refused = services.check_in(session, seminar, without.token, gate="Hall B", by=door, method="camera",
                                now=during, part=workshop)
    assert refused.status == "not_in_session"
    admitted = services.check_in(session, seminar, with_place.token, gate="Hall B", by=door, method="camera",
                                 now=during, part=workshop)
    assert admitted.status == "checked_in"
    # At the main door the same morning: the workshop's check-in already said they were there that day.
    main_door = services.check_in(session, seminar, with_place.token, gate="Hall", by=door, method="camera",
                                  now=during)
    assert main_door.status == "already_checked_in"
    counts = services.stats(session, seminar, part=workshop)
    assert counts["checked_in"] == 1
    assert services.stats(session, seminar, day=workshop.day)["checked_in"] == 1
    assert services.stats(session, seminar, day=seminar.days[0])["checked_in"] == 0


def test_the_last_place_goes_to_one_person_and_a_cancellation_gives_it_back(session, seminar):
    workshop = _workshop(session, seminar, capacity=1)
    first, second = (factories.make_registration(session, seminar) for _ in range(2))
    places.choose(session, first, [workshop])
    session.commit()
    with pytest.raises(places.PlaceRefused) as full:
        places.choose(session, second, [workshop])
    assert full.value.code == "session_full"
    session.rollback()
    first = session.get(Registration, first.id)
    registration_services.cancel_registration(session, first, notify=False)
    session.refresh(workshop)
    assert workshop.places_taken == 0
    places.choose(session, session.get(Registration, second.id), [workshop])
    session.refresh(workshop)
    assert workshop.places_taken == 1


def test_a_signup_choosing_a_full_workshop_is_refused_and_writes_nothing(session, seminar):
    workshop = _workshop(session, seminar, capacity=0)
    session.commit()
    data = {"full_name": "Dana Nurlanova", "email": "dana@example.org", "consent_data": True,
            "category_id": factories.category(seminar, "general").id, "session_ids": [str(workshop.id)]}
    with pytest.raises(registration_services.RegistrationRefused) as refused:
        registration_services.register(session, seminar, data)
    assert refused.value.code == "invalid"
    assert "No place is left" in str(refused.value.fields["session_ids"][0])
    session.rollback()
    assert session.scalar(select(Registration).where(Registration.email == "dana@example.org")) is None
    bad = {**data, "session_ids": ["999999"]}
    with pytest.raises(registration_services.RegistrationRefused) as wrong:
        registration_services.register(session, seminar, bad)
    assert "session_ids" in wrong.value.fields


def test_correcting_one_day_keeps_the_others_and_moves_the_first_arrival(session, seminar, door):
    registration = factories.make_registration(session, seminar)
    day1, day2, _ = seminar.days
    services.check_in(session, seminar, registration.token, gate="Hall", by=door, method="camera",
                      now=_morning(seminar))
    later = day2.starts_at + timedelta(minutes=10)
    services.check_in(session, seminar, registration.token, gate="Side", by=door, method="camera", now=later)
    with pytest.raises(services.CheckInRefused) as closed:  # day 1 is over: its list is a record now
        services.undo_check_in(session, seminar, registration, by=door, gate="Hall", day=day1, now=later)
    assert closed.value.code == "window_closed"
    services.undo_check_in(session, seminar, registration, by=door, gate="", day=day1, now=later, may_correct=True,
                           reason="Scanned the wrong ticket")
    session.expire_all()
    assert session.get(Registration, registration.id).checked_in_gate == "Side"
    with pytest.raises(services.CheckInRefused) as nothing:
        services.undo_check_in(session, seminar, registration, by=door, gate="Hall", day=day1,
                               now=_morning(seminar))
    assert nothing.value.code == "not_checked_in"


def test_removing_a_day_with_check_ins_needs_confirming_what_is_lost(session, seminar, door):
    registration = factories.make_registration(session, seminar)
    services.check_in(session, seminar, registration.token, gate="Hall", by=door, method="camera",
                      now=_morning(seminar))
    with pytest.raises(SeminarRefused) as refused:
        days.delete_day(session, seminar.days[0])
    assert refused.value.code == "confirm_required"
    with pytest.raises(SeminarRefused):  # accepted before a check-in came: it is not lost unseen
        days.delete_day(session, seminar.days[0], accepted={"check_ins": 0, "places": 0})
    days.delete_day(session, seminar.days[0], accepted=days.day_losses(session, seminar.days[0]))
    session.expire_all()
    assert len(session.get(Seminar, seminar.id).days) == 2
    assert session.get(Registration, registration.id).checked_in_at is None


def test_a_seminar_without_days_checks_in_once_as_before(session, door):
    plain = factories.make_seminar(session, starts_at=utcnow() + timedelta(minutes=30))
    registration = factories.make_registration(session, plain)
    assert services.check_in(session, plain, registration.token, gate="", by=door, method="camera").accepted
    assert services.check_in(session, plain, registration.token, gate="", by=door,
                             method="camera").status == "already_checked_in"
    assert session.scalar(select(Attendance.id)) is None


def test_splitting_a_seminar_into_days_after_people_came_keeps_their_day(session, door):
    """The organizer makes the days once the first day's door has admitted people: those check-ins become that
    day's, so the day's report counts them and the next day admits them again."""
    first = factories.aware(*(utcnow() + timedelta(days=7)).timetuple()[:3], 4)
    seminar = factories.make_seminar(session, starts_at=first, ends_at=first + timedelta(days=1, hours=9))
    came, absent = (factories.make_registration(session, seminar, full_name=name) for name in ("Aliya", "Bolat"))
    assert services.check_in(session, seminar, came.token, gate="Hall", by=door, method="camera",
                             now=first + timedelta(minutes=10)).accepted

    day1, day2 = days.make_days(session, seminar)
    session.refresh(seminar)
    assert session.scalars(select(Attendance.registration_id).where(Attendance.day_id == day1.id)).all() == [
        came.id]
    assert session.scalar(select(Attendance.gate).where(Attendance.day_id == day1.id)) == "Hall"
    assert session.scalar(select(Attendance.id).where(Attendance.day_id == day2.id)) is None
    assert services.check_in(session, seminar, came.token, gate="", by=door, method="camera",
                             now=first + timedelta(minutes=20)).status == "already_checked_in"
    assert services.check_in(session, seminar, came.token, gate="", by=door, method="camera",
                             now=day2.starts_at).accepted

    # One day added by hand to a seminar without days takes that date's check-ins the same way.
    plain = factories.make_seminar(session, starts_at=first, ends_at=first + timedelta(hours=9))
    walk_in = factories.make_registration(session, plain)
    assert services.check_in(session, plain, walk_in.token, gate="", by=door, method="manual",
                             now=first + timedelta(hours=1)).accepted
    day = days.save_day(session, plain, {"starts_at": first, "ends_at": first + timedelta(hours=9)})
    assert session.scalars(select(Attendance.registration_id).where(Attendance.day_id == day.id)).all() == [
        walk_in.id]
    assert absent.checked_in_at is None


def _door_thread(app, seminar_id, token, barrier, results, index, now):
    with app.app_context():
        session = db.session
        seminar = session.get(Seminar, seminar_id)
        user = session.scalar(select(User).where(User.email == f"door{index}@example.org"))
        session.commit()
        barrier.wait()
        results[index] = services.check_in(session, seminar, token, gate=f"Door {index}", by=user,
                                           method="camera", now=now).status
        session.commit()
        session.remove()


def test_two_doors_scanning_one_ticket_on_one_day_let_one_person_in(app, session, seminar):
    registration = factories.make_registration(session, seminar)
    for index in (0, 1):
        factories.make_user(session, email=f"door{index}@example.org")
    seminar_id, token, now = seminar.id, registration.token, _morning(seminar)
    session.commit()  # and no reads after it: on SQLite a new transaction would hold the write lock
    barrier = threading.Barrier(2, timeout=30)
    results = {}
    threads = [threading.Thread(target=_door_thread, args=(app, seminar_id, token, barrier, results, i, now))
               for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["already_checked_in", "checked_in"]
    session.expire_all()
    assert len(session.scalars(select(Attendance)).all()) == 1


def _place_thread(app, registration_id, session_id, barrier, results, index):
    with app.app_context():
        session = db.session
        registration = session.get(Registration, registration_id)
        part = session.get(SeminarSession, session_id)
        _ = registration.seminar
        session.commit()
        barrier.wait()
        try:
            places.choose(session, registration, [part])
            session.commit()
            results[index] = "place"
        except places.PlaceRefused as refused:
            session.rollback()
            results[index] = refused.code
        session.remove()


def test_eight_people_asking_for_the_last_three_places_at_once_get_three(app, session, seminar):
    workshop = _workshop(session, seminar, capacity=3)
    people = [factories.make_registration(session, seminar).id for _ in range(8)]
    workshop_id = workshop.id
    session.commit()
    barrier = threading.Barrier(8, timeout=30)
    results = {}
    threads = [threading.Thread(target=_place_thread, args=(app, person, workshop_id, barrier, results, i))
               for i, person in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["place"] * 3 + ["session_full"] * 5
    session.expire_all()
    assert session.get(SeminarSession, workshop_id).places_taken == 3


def test_a_duplicated_seminar_keeps_its_days_and_sessions_at_the_same_hours_with_no_place_taken(session, seminar):
    workshop = _workshop(session, seminar, capacity=5)
    places.choose(session, factories.make_registration(session, seminar), [workshop])
    starts_on = seminar.days[0].local_date + timedelta(days=28)
    copy = seminar_services.duplicate_seminar(session, seminar, starts_on=starts_on)
    assert [day.local_date for day in copy.days] == [starts_on + timedelta(days=n) for n in range(3)]
    assert [copy.local(day.starts_at).time() for day in copy.days] == \
        [seminar.local(day.starts_at).time() for day in seminar.days]
    (copied,) = copy.sessions
    assert (copied.title, copied.room, copied.capacity, copied.places_taken) == (workshop.title, "Hall B", 5, 0)
    assert copied.translations["title"]["ru"] == "Семинар: китайские контракты"
    assert copied.day is copy.days[1]


def test_new_dates_that_would_leave_a_day_outside_are_refused(session, seminar):
    with pytest.raises(SeminarRefused) as refused:
        seminar_services.update_seminar(session, seminar, {"ends_at": seminar.days[1].ends_at})
    assert "days page" in str(refused.value.fields["starts_at"][0])
    seminar_services.update_seminar(session, seminar, {"ends_at": seminar.ends_at + timedelta(days=1)})
