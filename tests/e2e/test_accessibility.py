"""Journey 7: axe-core (vendored in tests/e2e/vendor/) finds no serious or critical accessibility violation on the
pages people use most: the public pages on a phone, the door, the report and the seminar's form on a desktop."""

import pytest
from sqlalchemy import select

from eventreg.commands import demo
from eventreg.models import Registration, Seminar
from tests.e2e.helpers import DESKTOP, PHONE, log_in, serious_violations, sqlite_only

UPCOMING = "digital-silk-road"
PAST = "belt-and-road-2024"


@pytest.fixture
def demo_day(live_server):
    with live_server.db() as session:
        demo.seed(session)
        today = session.scalar(select(Seminar.slug).where(Seminar.slug.like("door-demo-%")))
        token = session.scalar(select(Registration.token).join(Seminar).where(
            Seminar.slug == UPCOMING, Registration.status == "confirmed").limit(1))
    return {"today": today, "token": token}


@sqlite_only
def test_no_serious_accessibility_violations(live_server, demo_day, new_context, shot):
    found = {}

    def audit(page, path, name, ready="body"):
        page.goto(path)
        page.wait_for_selector(ready)
        shot(page, f"7-{name}")
        found[path] = serious_violations(page)

    # axe is injected as an inline script, which the app's Content-Security-Policy rightly forbids.
    phone = new_context(bypass_csp=True, **PHONE).new_page()
    audit(phone, "/", "home-phone")
    audit(phone, f"/s/{UPCOMING}/", "seminar-phone")
    audit(phone, f"/s/{UPCOMING}/register", "signup-phone")
    audit(phone, f"/t/{demo_day['token']}/", "ticket-phone")

    staff = new_context(bypass_csp=True, **DESKTOP)
    staff.add_init_script("if (location.protocol.startsWith('http')) {"
                          "localStorage.setItem('eventreg.gate', 'Door 1');"
                          "localStorage.setItem('eventreg.gate.camera', 'off');}")
    desk = staff.new_page()
    organizer = next(user for user in demo.DEMO_USERS if user[2] == "organizer")
    log_in(desk, organizer[0], organizer[3])
    audit(desk, "/", "home-desktop")
    audit(desk, f"/checkin/s/{demo_day['today']}/", "scanner-desktop", ready="body[data-checked-in]")
    audit(desk, f"/reports/s/{PAST}/", "summary-desktop")
    audit(desk, f"/organizer/s/{PAST}/edit", "seminar-form-desktop")  # every text in four languages side by side

    problems = {path: lines for path, lines in found.items() if lines}
    assert not problems, "\n".join(f"{path}:\n  " + "\n  ".join(lines) for path, lines in problems.items())
