"""Journey: an owner builds the seminar's team.

The owner invites a colleague (organizer) and a door volunteer (door) by e-mail; each opens the link from their
e-mail, chooses a password and is in. The volunteer's phone scans tickets at that seminar and opens nothing
else: not the registrations, not the exports, not another seminar's door. The colleague's dashboard shows this
seminar and none of the others.
"""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from eventreg import tickets
from eventreg.models import Registration, SeminarMember, utcnow
from tests import factories
from tests.e2e.helpers import DESKTOP, PHONE, log_in, plain_text, sent_to, sqlite_only

PASSWORD = "owner-password-1"
TITLE = "Morning Briefing: Trade Outlook"
OTHER = "Evening Lecture: Silk Road Cities"
GUEST = "Нұрлан Оспанов"


def _setup(live_server):
    with live_server.db() as session:
        starts = (utcnow() + timedelta(minutes=30)).replace(second=0, microsecond=0)
        seminar = factories.make_seminar(session, title=TITLE, starts_at=starts)
        other = factories.make_seminar(session, title=OTHER, starts_at=starts + timedelta(days=3))
        owner = factories.make_user(session, role="organizer", email="owner@example.kz", password=PASSWORD,
                                    name="Saule Owner")
        factories.add_member(session, seminar, owner, "owner")
        stranger = factories.make_user(session, role="organizer", email="stranger@example.kz")
        factories.add_member(session, other, stranger, "owner")
        guest = factories.make_registration(session, seminar, full_name=GUEST).token
        elsewhere = factories.make_registration(session, other, full_name="Санжар Қасымов").token
        return seminar.slug, other.slug, guest, elsewhere


def _invite(page, email, role_label):
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Role on this seminar").select_option(label=role_label)
    page.get_by_role("button", name="Add to the team").click()
    expect(page.locator("#invitation-link")).to_be_visible()


def _join(live_server, new_context, email, name, device):
    """The invitee opens the link from their e-mail on their own device and chooses a password."""
    message = live_server.mail(sent_to(email))
    path = re.search(r"https?://\S+(/invitations/[\w-]+)", plain_text(message)).group(1)
    page = new_context(**device).new_page()
    page.goto(path)
    expect(page.locator("main")).to_contain_text(TITLE)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Choose a password").fill("invited-password-1")
    page.get_by_label("The password again").fill("invited-password-1")
    page.get_by_role("button", name="Join the team").click()
    expect(page.locator(".flash")).to_contain_text(f"Welcome to the team of “{TITLE}”")
    return page, path


@sqlite_only
def test_an_owner_invites_a_colleague_and_a_door_volunteer(live_server, new_context, shot):
    slug, other_slug, guest, elsewhere = _setup(live_server)
    owner = new_context(**DESKTOP).new_page()
    log_in(owner, "owner@example.kz", PASSWORD)
    owner.goto(f"/organizer/s/{slug}/")
    owner.get_by_role("link", name="Team").click()
    _invite(owner, "colleague@example.kz", "Organizer: content, registrations, messages, reports, exports")
    _invite(owner, "volunteer@example.kz", "Door: check-in, live counts and search at this seminar")
    expect(owner.locator("main")).to_contain_text("volunteer@example.kz")
    shot(owner, "teams-owner-invited-desktop")

    # The volunteer, on a phone: scans a ticket of this seminar.
    phone, link = _join(live_server, new_context, "volunteer@example.kz", "Aigerim Volunteer", PHONE)
    expect(phone.locator("main")).to_contain_text(TITLE)
    expect(phone.locator("main")).not_to_contain_text(OTHER)
    # The volunteer names the gate and uses the phone as a USB-scanner stand-in (the fake camera shows another
    # journey's ticket): set as the scanner page keeps it, in the browser.
    phone.context.add_init_script("if (location.protocol.startsWith('http')) {"
                                  "localStorage.setItem('eventreg.gate', 'Door 1');"
                                  "localStorage.setItem('eventreg.gate.camera', 'off');}")
    phone.goto(f"/checkin/s/{slug}/")
    phone.wait_for_selector("body[data-scanner-ready]")
    phone.locator("#wedge-input").focus()
    phone.keyboard.type(tickets.qr_payload(guest))
    phone.keyboard.press("Enter")
    body = phone.wait_for_selector("body[data-answers='1']", state="attached")
    assert body.get_attribute("data-last-status") == "checked_in"
    expect(phone.locator("#result-name")).to_have_text(GUEST)
    shot(phone, "teams-volunteer-scans-phone", full_page=False)
    with live_server.db() as session:
        assert session.scalar(select(Registration.checked_in_at).where(Registration.token == guest)) is not None
    # The same phone's page asks the API to check in a ticket of the other seminar, as the scanner would.
    status = phone.evaluate("""async ([url, code]) => {
        const token = document.querySelector("meta[name=csrf-token]").content;
        const response = await fetch(url, {method: "POST", credentials: "same-origin", body: JSON.stringify({code}),
            headers: {"Content-Type": "application/json", "X-CSRFToken": token}});
        return response.status;
    }""", [f"/api/v1/seminars/{other_slug}/checkins", tickets.qr_payload(elsewhere)])
    assert status == 404
    # ...and nothing else: another seminar's door, the people in bulk, the exports, the team.
    for path, status in ((f"/checkin/s/{other_slug}/", 404), (f"/organizer/s/{slug}/registrations", 403),
                         (f"/reports/s/{slug}/attendance.csv", 403), (f"/organizer/s/{slug}/team", 403),
                         (f"/organizer/s/{other_slug}/", 404)):
        assert phone.request.get(path, max_redirects=0).status == status, path
    with live_server.db() as session:
        assert session.scalar(select(Registration.checked_in_at).where(Registration.token == elsewhere)) is None
    # The link worked once: opened again, it says so and makes nothing.
    again = new_context(**PHONE).new_page()
    again.goto(link)
    expect(again.locator("h1")).to_have_text("This invitation no longer works")

    # The colleague sees this seminar in the dashboard, and not the others.
    desk, _ = _join(live_server, new_context, "colleague@example.kz", "Daniyar Colleague", DESKTOP)
    desk.goto("/organizer/")
    expect(desk.locator("table.dashboard")).to_contain_text(TITLE)
    expect(desk.locator("table.dashboard")).not_to_contain_text(OTHER)
    desk.get_by_role("link", name=TITLE).click()
    expect(desk.locator("h1")).to_contain_text(TITLE)
    shot(desk, "teams-colleague-dashboard-desktop")
    with live_server.db() as session:
        roles = sorted((m.user.email, m.role) for m in session.scalars(select(SeminarMember)))
    assert roles == [("colleague@example.kz", "organizer"), ("owner@example.kz", "owner"),
                     ("stranger@example.kz", "owner"), ("volunteer@example.kz", "door")]
