"""Bulk actions on the registration list: approve, reject, cancel (with or without a notice), resend the ticket
and move to a category, on the ticked rows or every row of the list's filter, one transaction each."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from eventreg import mail
from eventreg.extensions import db
from eventreg.models import AuditEntry, OutboxMessage, Registration, Seminar, User, utcnow
from eventreg.registration import bulk, services
from tests.factories import category, make_category, make_registration, make_seminar, make_user


def _outbox(session, kind):
    return sorted(session.scalars(select(OutboxMessage.registration_id).where(OutboxMessage.kind == kind)))


def _statuses(session, registrations):
    session.expire_all()
    return [r.status for r in registrations]


def _bulk_entries(session):
    return session.scalars(select(AuditEntry).where(AuditEntry.action == "registrations_bulk")).all()


@pytest.fixture
def organizer(session):
    return make_user(session, role="organizer")


# --- the service ----------------------------------------------------------------------------------------------


def test_approving_thirty_with_twenty_seats_left_confirms_twenty_and_waitlists_ten(session, organizer):
    seminar = make_seminar(session, capacity=25, requires_approval=True)
    for _ in range(5):
        make_registration(session, seminar)
    pending = [make_registration(session, seminar, status="pending") for _ in range(30)]
    session.commit()
    result = bulk.apply(session, seminar, "approve", [r.id for r in pending], by=organizer)
    session.commit()
    assert _statuses(session, pending) == ["confirmed"] * 20 + ["waitlisted"] * 10
    assert [r.id for r in result.waitlisted] == [r.id for r in pending[20:]]
    assert len(result.done) == 30 and not result.refused
    assert seminar.seats_taken == 25 and category(seminar, "general").seats_taken == 25
    assert _outbox(session, "approved") == [r.id for r in pending[:20]]
    assert _outbox(session, "waitlisted") == [r.id for r in pending[20:]]
    [entry] = _bulk_entries(session)
    assert entry.user_id == organizer.id and entry.seminar_id == seminar.id
    assert entry.details == {"action": "approve", "selected": 30, "done": 30, "refused": 0, "waitlisted": 10}


def test_ids_of_another_seminar_change_nothing(session, organizer):
    seminar, other = make_seminar(session), make_seminar(session)
    ours = make_registration(session, seminar, status="pending")
    theirs = make_registration(session, other, status="pending")
    session.commit()
    for ids in ([ours.id, theirs.id], [theirs.id], [ours.id, 999999]):
        with pytest.raises(bulk.BulkRefused) as refused:
            bulk.apply(session, seminar, "reject", ids, by=organizer)
        session.rollback()
        assert refused.value.code == "not_this_seminar" and refused.value.count == 1
    assert _statuses(session, [ours, theirs]) == ["pending", "pending"]
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_nothing_selected_too_many_and_an_unknown_category_are_refused_whole(session, organizer):
    seminar = make_seminar(session)
    registration = make_registration(session, seminar)
    session.commit()
    cases = (("approve", [], {}, "nothing_selected"),
             ("approve", list(range(1, bulk.MAX_ROWS + 2)), {}, "too_many"),
             ("move", [registration.id], {"category_id": 999999}, "wrong_category"),
             ("explode", [registration.id], {}, "unknown_action"))
    for action, ids, options, code in cases:
        with pytest.raises(bulk.BulkRefused) as refused:
            bulk.apply(session, seminar, action, ids, by=organizer, **options)
        session.rollback()
        assert refused.value.code == code
    assert _statuses(session, [registration]) == ["confirmed"]


def test_rows_the_rules_refuse_are_reported_and_the_others_change(session, organizer):
    seminar = make_seminar(session, requires_approval=True)
    pending = make_registration(session, seminar, status="pending")
    waiting = make_registration(session, seminar, status="waitlisted")
    confirmed = make_registration(session, seminar)
    session.commit()
    result = bulk.apply(session, seminar, "reject", [pending.id, waiting.id, confirmed.id], by=organizer)
    session.commit()
    assert _statuses(session, [pending, waiting, confirmed]) == ["rejected", "rejected", "confirmed"]
    assert [(r.id, code) for r, code in result.refused] == [(confirmed.id, "not_pending")]
    assert _outbox(session, "rejected") == [pending.id, waiting.id]
    assert _bulk_entries(session)[0].details["refused"] == 1


def test_cancel_without_a_notice_emails_nobody_but_the_promoted(session, organizer):
    seminar = make_seminar(session, capacity=2)
    seated = [make_registration(session, seminar) for _ in range(2)]
    waiting = [make_registration(session, seminar, status="waitlisted") for _ in range(2)]
    session.commit()
    # One seated and the first waiting: the freed seat goes to the second, not to someone cancelled meanwhile.
    bulk.apply(session, seminar, "cancel", [seated[0].id, waiting[0].id], by=organizer, notify=False)
    session.commit()
    assert _statuses(session, seated + waiting) == ["cancelled", "confirmed", "cancelled", "confirmed"]
    assert _outbox(session, "cancelled") == []
    assert _outbox(session, "promoted") == [waiting[1].id]
    assert seminar.seats_taken == 2
    assert _bulk_entries(session)[0].details["notify"] is False


def test_a_bulk_cancel_leaves_who_was_checked_in_and_says_so(session, organizer):
    seminar = make_seminar(session)
    came = make_registration(session, seminar, checked_in_at=utcnow())
    absent = make_registration(session, seminar)
    session.commit()
    result = bulk.apply(session, seminar, "cancel", [came.id, absent.id], by=organizer, notify=False)
    session.commit()
    assert [(r.id, code) for r, code in result.refused] == [(came.id, "checked_in")]
    assert _statuses(session, [came, absent]) == ["confirmed", "cancelled"]


def test_cancel_with_a_notice_tells_each_person(session, organizer):
    seminar = make_seminar(session)
    people = [make_registration(session, seminar) for _ in range(3)]
    session.commit()
    bulk.apply(session, seminar, "cancel", [r.id for r in people], by=organizer, notify=True)
    session.commit()
    assert _outbox(session, "cancelled") == [r.id for r in people]
    assert seminar.seats_taken == 0


def test_move_respects_the_quota_and_the_student_details(session, organizer):
    seminar = make_seminar(session)
    experts = make_category(session, seminar, key="experts", quota=2, seats_taken=0)
    make_registration(session, seminar, category=experts)
    first, second = make_registration(session, seminar), make_registration(session, seminar)
    waiting = make_registration(session, seminar, status="waitlisted")
    student = make_registration(session, seminar, category_key="student", status="pending")
    session.commit()
    result = bulk.apply(session, seminar, "move", [first.id, second.id, waiting.id, student.id], by=organizer,
                        category_id=experts.id)
    session.commit()
    session.expire_all()
    assert [r.category.key for r in (first, second, waiting, student)] == ["experts", "general", "experts", "experts"]
    assert [(r.id, code) for r, code in result.refused] == [(second.id, "full")]
    assert student.university == "" and student.study_level is None
    assert experts.seats_taken == 2 and category(seminar, "general").seats_taken == 1
    assert category(seminar, "student").seats_taken == 0
    result = bulk.apply(session, seminar, "move", [second.id, first.id], by=organizer,
                        category_id=category(seminar, "student").id)
    assert sorted(code for _, code in result.refused) == ["study_details", "study_details"]


def test_resend_goes_to_active_people_once_in_ten_minutes(session, organizer):
    seminar = make_seminar(session)
    active = make_registration(session, seminar)
    cancelled = make_registration(session, seminar, status="cancelled")
    walk_in = make_registration(session, seminar, email="", source="walk_in")
    session.commit()
    result = bulk.apply(session, seminar, "resend", [active.id, cancelled.id, walk_in.id], by=organizer)
    assert [r.id for r in result.done] == [active.id]
    assert [code for _, code in result.refused] == ["not_active", "no_email"]
    again = bulk.apply(session, seminar, "resend", [active.id], by=organizer)
    session.commit()
    assert [code for _, code in again.refused] == ["recently_sent"]
    assert _outbox(session, "ticket_resend") == [active.id]


def _approve_in_thread(app, barrier, seminar_id, ids, organizer_id):
    with app.app_context():
        try:
            barrier.wait()
            seminar = db.session.get(Seminar, seminar_id)
            result = bulk.apply(db.session, seminar, "approve", ids, by=db.session.get(User, organizer_id))
            db.session.commit()
            return len(result.done) - len(result.waitlisted)
        finally:
            db.session.remove()


def _sign_up_in_thread(app, barrier, seminar_id, category_id, n):
    with app.app_context():
        try:
            barrier.wait()
            seminar = db.session.get(Seminar, seminar_id)
            registration = services.register(db.session, seminar, {
                "full_name": f"Latecomer {chr(65 + n)}", "email": f"late{n}@example.org", "category_id": category_id,
                "consent_data": True}, source="organizer")
            db.session.commit()
            return registration.status
        finally:
            db.session.remove()


def test_bulk_approve_while_others_sign_up_fills_exactly_the_capacity(app, session, organizer):
    """30 pending approved at once while 10 others are added: 20 seats left, 20 confirmed in all, on PostgreSQL
    (rows locked by the database) as on SQLite (one writer at a time)."""
    seminar = make_seminar(session, capacity=30, requires_approval=True)
    for _ in range(10):
        make_registration(session, seminar)
    pending = [make_registration(session, seminar, status="pending").id for _ in range(30)]
    seminar_id, general_id, organizer_id = seminar.id, category(seminar, "general").id, organizer.id
    session.commit()
    barrier = threading.Barrier(11, timeout=30)
    with ThreadPoolExecutor(max_workers=11) as pool:
        approved = pool.submit(_approve_in_thread, app, barrier, seminar_id, pending, organizer_id)
        added = list(pool.map(lambda n: _sign_up_in_thread(app, barrier, seminar_id, general_id, n), range(10)))
    seated = approved.result() + added.count("confirmed")
    assert seated == 20
    session.expire_all()
    assert seminar.seats_taken == 30 and category(seminar, "general").seats_taken == 30
    counts = dict(session.execute(select(Registration.status, func.count()).where(
        Registration.seminar_id == seminar_id).group_by(Registration.status)).all())
    assert counts == {"confirmed": 30, "waitlisted": 20}


# --- the pages ------------------------------------------------------------------------------------------------


def _list(seminar):
    return f"/organizer/s/{seminar.slug}/registrations"


def test_the_list_offers_the_bulk_form_with_a_box_per_row(session, client, login):
    seminar = make_seminar(session)
    login("organizer")
    registration = make_registration(session, seminar, full_name="Aruzhan Bek")
    session.commit()
    page = client.get(_list(seminar)).get_data(as_text=True)
    assert 'id="bulk-form"' in page and 'name="action"' in page
    assert f'name="ids" value="{registration.id}" form="bulk-form"' in page
    assert "Tell the people by e-mail" in page and "Every row of this filter (1)" in page
    assert "js/select-all.js" in page


def test_bulk_approve_on_the_ticked_rows_says_who_went_to_the_waiting_list(session, client, login):
    seminar = make_seminar(session, capacity=1, requires_approval=True)
    login("organizer")
    first = make_registration(session, seminar, status="pending", full_name="First Comer")
    second = make_registration(session, seminar, status="pending", full_name="Second Comer")
    session.commit()
    response = client.post(f"{_list(seminar)}/bulk", data={
        "action": "approve", "scope": "selected", "ids": [str(first.id), str(second.id)]})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 approved: their seat is confirmed." in page
    assert "1 approved went to the waiting list" in page
    waitlisted = page.split('class="bulk-waitlisted"')[1]
    assert "Second Comer" in waitlisted and "First Comer" not in waitlisted
    assert _statuses(session, [first, second]) == ["confirmed", "waitlisted"]


def test_every_row_of_the_filter_is_counted_before_anything_changes(session, client, login):
    seminar = make_seminar(session, requires_approval=True)
    login("organizer")
    students = [make_registration(session, seminar, status="pending", category_key="student") for _ in range(3)]
    other = make_registration(session, seminar, status="pending")
    session.commit()
    form = {"action": "reject", "scope": "filter", "status": "pending", "category": "student", "q": "",
            "next": f"{_list(seminar)}?status=pending&category=student"}
    confirm = client.post(f"{_list(seminar)}/bulk", data=form).get_data(as_text=True)
    assert "Every row of the filter: 3 registrations. Nothing has changed yet." in confirm
    assert _statuses(session, [*students, other]) == ["pending"] * 4
    ids = re.findall(r'name="ids" value="(\d+)"', confirm)
    assert sorted(map(int, ids)) == [r.id for r in students]
    done = client.post(f"{_list(seminar)}/bulk", data={"action": "reject", "scope": "selected", "ids": ids})
    assert "3 registrations rejected" in done.get_data(as_text=True)
    assert _statuses(session, [*students, other]) == ["rejected"] * 3 + ["pending"]


def test_a_filter_with_too_many_rows_is_refused_before_anything_changes(session, client, login, monkeypatch):
    seminar = make_seminar(session)
    login("organizer")
    people = [make_registration(session, seminar) for _ in range(3)]
    session.commit()
    monkeypatch.setattr(bulk, "MAX_ROWS", 2)
    url = f"{_list(seminar)}/bulk"
    page = client.post(url, data={"action": "cancel", "scope": "filter"}).get_data(as_text=True)
    assert "Too many rows at once (3; at most 2): narrow the filter." in page and 'name="ids"' not in page
    page = client.post(url, data={"action": "cancel", "scope": "selected", "ids": [str(r.id) for r in people]},
                       follow_redirects=True).get_data(as_text=True)
    assert "Too many rows at once (3; at most 2)" in page
    assert _statuses(session, people) == ["confirmed"] * 3


def test_a_bulk_action_with_another_seminars_ids_changes_nothing_and_says_so(session, client, login):
    seminar, other = make_seminar(session), make_seminar(session)
    login("organizer", seminars=[seminar])
    ours = make_registration(session, seminar)
    theirs = make_registration(session, other)
    session.commit()
    response = client.post(f"{_list(seminar)}/bulk", data={
        "action": "cancel", "scope": "selected", "ids": [str(ours.id), str(theirs.id)], "notify": "y"},
        follow_redirects=True)
    assert "1 of the chosen registrations is not of this seminar: nothing was changed." in response.get_data(
        as_text=True)
    assert _statuses(session, [ours, theirs]) == ["confirmed", "confirmed"]
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_bad_bulk_input_changes_nothing_and_says_why(session, client, login):
    seminar = make_seminar(session)
    login("organizer")
    registration = make_registration(session, seminar)
    session.commit()
    url = f"{_list(seminar)}/bulk"
    for data, message in (
        ({"action": "approve", "scope": "selected"}, "Tick at least one registration"),
        ({"action": "approve", "scope": "selected", "ids": ["1 OR 1=1"]}, "could not be read"),
        ({"action": "move", "scope": "selected", "ids": [str(registration.id)]}, "Choose the category"),
        ({"action": "explode", "scope": "selected", "ids": [str(registration.id)]}, "Not a valid choice"),
    ):
        page = client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
        assert message in page, data
    assert _statuses(session, [registration]) == ["confirmed"]


def test_bulk_move_names_those_the_quota_refused(session, client, login):
    seminar = make_seminar(session)
    login("organizer")
    vip = make_category(session, seminar, key="vip", label="VIP", quota=1, seats_taken=0)
    fits = make_registration(session, seminar, full_name="Fits In")
    left = make_registration(session, seminar, full_name="Left Out")
    session.commit()
    page = client.post(f"{_list(seminar)}/bulk", data={
        "action": "move", "scope": "selected", "ids": [str(fits.id), str(left.id)],
        "target_category": str(vip.id)}).get_data(as_text=True)
    assert "1 registration moved." in page
    refused = page.split('class="bulk-refused"')[1]
    assert "Left Out" in refused and "This category's quota is full." in refused and "Fits In" not in refused


def test_bulk_cancel_mail_arrives_only_when_asked(session, client, login, smtp_server):
    seminar = make_seminar(session, title="Belt and Road Forum")
    login("organizer")
    told = make_registration(session, seminar, email="told@example.kz")
    untold = make_registration(session, seminar, email="untold@example.kz")
    session.commit()
    url = f"{_list(seminar)}/bulk"
    page = client.post(url, data={"action": "cancel", "scope": "selected", "ids": [str(told.id)], "notify": "y"})
    assert "the person has been told by e-mail" in page.get_data(as_text=True)
    page = client.post(url, data={"action": "cancel", "scope": "selected", "ids": [str(untold.id)]})
    assert "nobody was e-mailed" in page.get_data(as_text=True)
    assert mail.send_due(session) == (1, 0)
    [message] = smtp_server.messages
    assert message["To"] == "told@example.kz" and "Registration cancelled: Belt and Road Forum" in message["Subject"]


def test_resend_the_ticket_of_one_registration_from_the_list(session, client, login, smtp_server):
    seminar = make_seminar(session, title="Silk Road Economics")
    organizer = login("organizer")
    registration = make_registration(session, seminar, email="again@example.kz")
    session.commit()
    assert "Resend the ticket" in client.get(_list(seminar)).get_data(as_text=True)
    url = f"{_list(seminar)}/{registration.id}/resend"
    assert "The ticket is on its way again." in client.post(url, follow_redirects=True).get_data(as_text=True)
    again = client.post(url, follow_redirects=True).get_data(as_text=True)
    assert "re-sent less than 10 minutes ago" in again
    assert mail.send_due(session) == (1, 0)
    [message] = smtp_server.messages
    assert message["To"] == "again@example.kz" and "Your registration: Silk Road Economics" in message["Subject"]
    assert "ticket-qr.png" in [part.get_filename() for part in message.walk()]
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "ticket_resent", AuditEntry.user_id == organizer.id)) == 1


def test_bulk_changes_need_the_registrations_right(session, client, login):
    seminar = make_seminar(session)
    registration = make_registration(session, seminar, status="pending")
    session.commit()
    login("staff", seminar_role="viewer")
    response = client.post(f"{_list(seminar)}/bulk", data={
        "action": "reject", "scope": "selected", "ids": [str(registration.id)]})
    assert response.status_code == 403
    assert _statuses(session, [registration]) == ["pending"]
