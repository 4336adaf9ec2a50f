"""A seminar's team: owners add people (an account, or an invitation link), change roles, remove them; the
last owner stays; invitations work once, for 7 days, as sent; every change is in the seminar's audit."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from eventreg.extensions import db
from eventreg.models import AuditEntry, OutboxMessage, SeminarMember, TeamInvitation, User, utcnow
from eventreg.teams import services
from tests import factories
from tests.conftest import PASSWORD


def test_the_permission_table_names_every_seminar_role_and_grows_with_the_role():
    from eventreg.auth.permissions import ACTIONS, ROLE_ACTIONS
    from eventreg.models import SEMINAR_ROLES

    assert set(ROLE_ACTIONS) == set(SEMINAR_ROLES)
    assert ROLE_ACTIONS["owner"] == set(ACTIONS)
    assert ROLE_ACTIONS["viewer"] < ROLE_ACTIONS["organizer"] < ROLE_ACTIONS["owner"]
    assert ROLE_ACTIONS["door"] < ROLE_ACTIONS["organizer"]
    assert not ({"registrations", "export", "erase", "team", "audit"} & (ROLE_ACTIONS["door"] | ROLE_ACTIONS["viewer"]))


def _team(session, seminar):
    session.expire_all()
    return {(m.user.email, m.role) for m in session.scalars(
        select(SeminarMember).where(SeminarMember.seminar_id == seminar.id))}


def _counts(session):
    session.expire_all()
    return tuple(session.scalar(select(func.count()).select_from(model))
                 for model in (SeminarMember, TeamInvitation, User, OutboxMessage, AuditEntry))


@pytest.fixture
def owned(session, login):
    seminar = factories.make_seminar(session, title="Silk Road Economics")
    owner = login("organizer", email="owner@example.kz", seminars=[seminar])
    return seminar, owner


def test_the_creator_of_a_seminar_owns_it_and_a_copy_keeps_the_team(client, session, login):
    owner = login("organizer", email="creator@example.kz")
    from tests.test_seminar_pages import FORM

    response = client.post("/organizer/seminars/new", data={**FORM, "title": "Belt and Road", "slug": "belt-and-road"})
    assert response.status_code == 302, response.get_data(as_text=True)
    from eventreg.models import Seminar

    seminar = session.scalar(select(Seminar).where(Seminar.slug == "belt-and-road"))
    colleague = factories.make_user(session, email="colleague@example.kz")
    factories.add_member(session, seminar, colleague, "door")
    session.commit()
    assert _team(session, seminar) == {("creator@example.kz", "owner"), ("colleague@example.kz", "door")}
    copied = client.post("/organizer/s/belt-and-road/duplicate", data={"starts_on": "2027-02-20", "title": "Again"})
    assert copied.status_code == 302
    copy = session.scalar(select(Seminar).where(Seminar.title == "Again"))
    assert _team(session, copy) == _team(session, seminar)
    assert owner.id == copy.created_by_id


def test_an_owner_adds_an_account_changes_its_role_and_removes_it(client, session, owned):
    seminar, _ = owned
    factories.make_user(session, email="aigerim@example.kz", name="Aigerim")
    session.commit()
    added = client.post(f"/organizer/s/{seminar.slug}/team", data={"email": " Aigerim@Example.kz ", "role": "door"})
    assert added.status_code == 302
    assert ("aigerim@example.kz", "door") in _team(session, seminar)
    page = client.get(f"/organizer/s/{seminar.slug}/team").get_data(as_text=True)
    assert "Aigerim" in page and "aigerim@example.kz" in page
    member = session.scalar(select(SeminarMember).where(SeminarMember.role == "door"))
    client.post(f"/organizer/s/{seminar.slug}/team/{member.id}/role", data={"role": "viewer"})
    assert ("aigerim@example.kz", "viewer") in _team(session, seminar)
    client.post(f"/organizer/s/{seminar.slug}/team/{member.id}/remove")
    assert _team(session, seminar) == {("owner@example.kz", "owner")}
    actions = [entry.action for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions[-3:] == ["team_member_added", "team_role_changed", "team_member_removed"]
    audit = client.get(f"/organizer/s/{seminar.slug}/audit").get_data(as_text=True)
    assert "team_member_removed" in audit and "aigerim@example.kz" in audit


@pytest.mark.parametrize("data, message", [
    ({"email": "someone@example.kz", "role": "superuser"}, "Unknown role."),
    ({"email": "not an e-mail", "role": "door"}, "This is not an e-mail address."),
    ({"email": "someone@", "role": "door"}, "This is not an e-mail address."),
    ({"email": "", "role": "door"}, "This field is required."),
])
def test_bad_member_input_is_refused_clearly_and_writes_nothing(client, session, owned, data, message):
    seminar, _ = owned
    before = _counts(session)
    response = client.post(f"/organizer/s/{seminar.slug}/team", data=data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body and f'value="{data["email"]}"' in body if data["email"] else message in body
    assert _counts(session) == before


def test_the_last_owner_cannot_be_removed_or_demoted(client, session, owned):
    seminar, owner = owned
    member = session.scalar(select(SeminarMember).where(SeminarMember.user_id == owner.id))
    for action, data in (("remove", {}), ("role", {"role": "organizer"})):
        response = client.post(f"/organizer/s/{seminar.slug}/team/{member.id}/{action}", data=data,
                               follow_redirects=True)
        assert "This is the last owner of the seminar" in response.get_data(as_text=True)
    assert _team(session, seminar) == {("owner@example.kz", "owner")}
    second = factories.make_user(session, email="second@example.kz")
    factories.add_member(session, seminar, second, "owner")
    session.commit()
    client.post(f"/organizer/s/{seminar.slug}/team/{member.id}/role", data={"role": "viewer"})
    assert _team(session, seminar) == {("owner@example.kz", "viewer"), ("second@example.kz", "owner")}


@pytest.mark.parametrize("role", ["organizer", "door", "viewer"])
def test_only_owners_manage_the_team(client, session, login, role):
    seminar = factories.make_seminar(session)
    owner = factories.make_user(session, email="the-owner@example.kz")
    member = factories.add_member(session, seminar, owner, "owner")
    login("staff", seminars=[seminar], seminar_role=role)
    before = _counts(session)
    assert client.get(f"/organizer/s/{seminar.slug}/team").status_code == 403
    assert client.post(f"/organizer/s/{seminar.slug}/team", data={"email": "x@example.kz", "role": "owner"}
                       ).status_code == 403
    assert client.post(f"/organizer/s/{seminar.slug}/team/{member.id}/remove").status_code == 403
    assert client.get(f"/organizer/s/{seminar.slug}/audit").status_code == 403
    assert _counts(session) == before


def test_another_seminars_owner_gets_404_and_changes_nothing(client, session, login):
    mine, theirs = factories.make_seminar(session), factories.make_seminar(session)
    their_owner = factories.make_user(session)
    their_member = factories.add_member(session, theirs, their_owner, "owner")
    login("organizer", seminars=[mine])
    before = _counts(session)
    assert client.get(f"/organizer/s/{theirs.slug}/team").status_code == 404
    assert client.post(f"/organizer/s/{theirs.slug}/team", data={"email": "x@example.kz", "role": "owner"}
                       ).status_code == 404
    # Their member's id through my seminar's URL: not found either.
    assert client.post(f"/organizer/s/{mine.slug}/team/{their_member.id}/remove").status_code == 404
    assert client.post(f"/organizer/s/{mine.slug}/team/{their_member.id}/role", data={"role": "viewer"}
                       ).status_code == 404
    assert _counts(session) == before


def _invite(client, seminar, email, role="door"):
    response = client.post(f"/organizer/s/{seminar.slug}/team", data={"email": email, "role": role})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_data(as_text=True)
    link = body.split('id="invitation-link">')[1].split("<")[0]
    return link.removeprefix("http://localhost")


def test_an_invitation_makes_an_account_once(app, client, session, owned):
    seminar, _ = owned
    path = _invite(client, seminar, "volunteer@example.kz")
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "volunteer@example.kz"))
    assert path in message.message.decode()  # rendered now: the link is in the e-mail and nowhere else
    assert path.rsplit("/", 1)[1] not in {i.token_hash for i in session.scalars(select(TeamInvitation))}
    guest = app.test_client()
    page = guest.get(path)
    assert page.status_code == 200 and "Silk Road Economics" in page.get_data(as_text=True)
    short = guest.post(path, data={"name": "Volunteer", "password": "short", "confirm": "short"})
    assert short.status_code == 400 and _team(session, seminar) == {("owner@example.kz", "owner")}
    joined = guest.post(path, data={"name": "Volunteer", "password": PASSWORD, "confirm": PASSWORD})
    assert joined.status_code == 302
    assert ("volunteer@example.kz", "door") in _team(session, seminar)
    assert guest.get("/organizer/").status_code == 200  # logged in as the new account
    before = _counts(session)
    again = app.test_client().post(path, data={"name": "Mallory", "password": PASSWORD, "confirm": PASSWORD})
    assert again.status_code == 404 and "This invitation no longer works" in again.get_data(as_text=True)
    assert _counts(session) == before


def test_an_expired_or_tampered_invitation_creates_nothing(app, client, session, owned):
    seminar, _ = owned
    path = _invite(client, seminar, "late@example.kz")
    tampered = path[:-1] + ("A" if path[-1] != "A" else "B")
    before = _counts(session)
    response = app.test_client().post(tampered, data={"name": "X", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 404 and "This invitation no longer works" in response.get_data(as_text=True)
    invitation = session.scalar(select(TeamInvitation))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    session.commit()
    before = _counts(session)
    expired = app.test_client().post(path, data={"name": "X", "password": PASSWORD, "confirm": PASSWORD})
    assert expired.status_code == 404 and _counts(session) == before


def test_an_invitation_expires_after_seven_days(session):
    seminar = factories.make_seminar(session)
    owner = factories.make_user(session)
    now = utcnow()
    _, invitation, link = services.add_member(session, seminar, "new@example.kz", "viewer", by=owner,
                                              link_for=lambda token: token, now=now)
    assert services.open_invitation(session, link, now=now + timedelta(days=6, hours=23)) is invitation
    assert services.open_invitation(session, link, now=now + timedelta(days=7)) is None
    with pytest.raises(services.TeamRefused) as refused:
        services.accept_invitation(session, link, user=AnonymousUserMixin(), name="N", password=PASSWORD,
                                   now=now + timedelta(days=7))
    assert refused.value.code == "invitation_invalid"


def test_the_dashboard_lists_only_my_seminars(client, session, login):
    mine = factories.make_seminar(session, title="Mine Seminar")
    door = factories.make_seminar(session, title="Door Seminar")
    factories.make_seminar(session, title="Their Seminar")
    user = login("organizer", seminars=[mine])
    factories.add_member(session, door, user, "door")
    session.commit()
    body = client.get("/organizer/").get_data(as_text=True)
    assert "Mine Seminar" in body and "Door Seminar" in body and "Their Seminar" not in body
    assert f"/organizer/s/{door.slug}/" not in body  # a door member does not manage it
    assert f"/checkin/s/{door.slug}/" in body


def test_an_owner_sees_the_audit_of_their_seminar_only(client, session, owned):
    seminar, owner = owned
    other = factories.make_seminar(session)
    from eventreg import audit

    audit.record(session, user=owner, action="export", seminar=seminar, details={"list": "mine-export"})
    audit.record(session, user=owner, action="export", seminar=other, details={"list": "their-export"})
    session.commit()
    body = client.get(f"/organizer/s/{seminar.slug}/audit").get_data(as_text=True)
    assert "mine-export" in body and "their-export" not in body
    assert client.get("/admin/audit").status_code == 403


def _in_thread(app, barrier, work):
    """`work(session)` in its own app context and session, started together with the other threads."""
    with app.app_context():
        try:
            barrier.wait()
            result = work(db.session)
            db.session.commit()
            return result
        except services.TeamRefused as refusal:
            db.session.rollback()
            return refusal.code
        finally:
            db.session.remove()


def test_two_owners_removing_each_other_at_once_leave_one_owner(app, session):
    seminar = factories.make_seminar(session)
    first, second = factories.make_user(session), factories.make_user(session)
    members = [factories.add_member(session, seminar, user, "owner").id for user in (first, second)]
    by = {members[0]: second.id, members[1]: first.id}
    session.commit()
    barrier = threading.Barrier(2, timeout=30)

    def remove(member_id):
        def work(thread_session):
            member = thread_session.get(SeminarMember, member_id)
            services.remove_member(thread_session, member, by=thread_session.get(User, by[member_id]))
            return "removed"
        return _in_thread(app, barrier, work)

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(remove, members))
    assert outcomes == ["last_owner", "removed"]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(SeminarMember).where(
        SeminarMember.seminar_id == seminar.id, SeminarMember.role == "owner")) == 1


def test_an_invitation_accepted_in_two_tabs_at_once_makes_one_account(app, session):
    seminar = factories.make_seminar(session)
    owner = factories.make_user(session)
    _, _, link = services.add_member(session, seminar, "twice@example.kz", "door", by=owner,
                                     link_for=lambda token: token)
    session.commit()
    barrier = threading.Barrier(2, timeout=30)

    def accept(name):
        return _in_thread(app, barrier, lambda thread_session: services.accept_invitation(
            thread_session, link, user=AnonymousUserMixin(), name=name, password=PASSWORD)[0].name)

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(accept, ["Tab One", "Tab Two"]))
    assert sorted(outcome == "invitation_invalid" for outcome in outcomes) == [False, True]
    session.expire_all()
    assert session.scalars(select(User.name).where(User.email == "twice@example.kz")).all() == [
        next(outcome for outcome in outcomes if outcome != "invitation_invalid")]
    assert _team(session, seminar) == {("twice@example.kz", "door")}


def test_a_draft_shows_only_to_its_team(client, session, login, api_token):
    draft = factories.make_seminar(session, status="draft", title="Secret Draft")
    public = factories.make_seminar(session, title="Open Seminar")
    member = factories.make_user(session)
    factories.add_member(session, draft, member, "viewer")
    outsider_token = api_token("organizer", seminars=[public])
    member_token = _token_of(session, member)
    assert client.get(f"/s/{draft.slug}/").status_code == 404
    assert client.get(f"/api/v1/seminars/{draft.slug}", headers=_bearer(outsider_token)).status_code == 404
    listed = client.get("/api/v1/seminars", headers=_bearer(outsider_token)).get_json()["seminars"]
    assert [s["slug"] for s in listed] == [public.slug]
    assert client.get(f"/api/v1/seminars/{draft.slug}", headers=_bearer(member_token)).status_code == 200
    listed = client.get("/api/v1/seminars", headers=_bearer(member_token)).get_json()["seminars"]
    assert {s["slug"] for s in listed} == {public.slug, draft.slug}
    login("organizer", seminars=[public])
    assert client.get(f"/s/{draft.slug}/").status_code == 404


def _token_of(session, user):
    from eventreg.auth.services import issue_api_token

    plain = issue_api_token(session, user, "test")[1]
    session.commit()
    return plain


def _bearer(plain):
    return {"Authorization": f"Bearer {plain}"}
