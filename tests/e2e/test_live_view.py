"""The organizer's tablet shows the live view while the doors scan (issue #23 item 5).

A tablet on the organizer's table opens the live view before anyone has arrived. A volunteer at the main entrance
scans a VIP's ticket with a USB scanner; a second volunteer at the side door finds a guest without her ticket by
name and checks her in. The tablet shows both arrivals, the VIP highlighted, the counts per gate and the arrivals
per 5 minutes, without a reload; the volunteer's own phone shows the figures without names, and a browser
without JavaScript the state at load with a word to reload.
"""

import json
import re
from datetime import timedelta

from playwright.sync_api import expect

from eventreg import tickets
from eventreg.models import utcnow
from tests import factories
from tests.e2e.helpers import DESKTOP, PHONE, log_in, sqlite_only

PASSWORD = "live-view-password-1"
TABLET = {"viewport": {"width": 820, "height": 1180}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
TABLET_LANDSCAPE = {**TABLET, "viewport": {"width": 1180, "height": 820}}
AMBASSADOR = "Ambassador Zhang Wei"
GUEST = "Әлия Серікбаева"


def _seminar(live_server):
    """A seminar that starts in half an hour, an embassy category of VIPs, an organizer and two door volunteers."""
    with live_server.db() as session:
        starts = (utcnow() + timedelta(minutes=30)).replace(second=0, microsecond=0)
        seminar = factories.make_seminar(session, title="China–Central Asia Forum", starts_at=starts)
        embassy = factories.make_category(session, seminar, key="embassy", label="Embassy guests", is_vip=True)
        ambassador = factories.make_registration(session, seminar, category=embassy, full_name=AMBASSADOR)
        factories.make_registration(session, seminar, full_name=GUEST, organization="Astana Hub")
        for _ in range(8):
            factories.make_registration(session, seminar)
        organizer = factories.make_user(session, role="organizer", email="organizer@example.kz", password=PASSWORD)
        factories.add_member(session, seminar, organizer, "organizer")
        for email in ("main@example.kz", "side@example.kz"):
            factories.add_member(session, seminar, factories.make_user(session, email=email, password=PASSWORD), "door")
        return seminar.slug, ambassador.token


def _door(new_context, gate, email, **device):
    context = new_context(**device)
    settings = {"eventreg.gate": gate, "eventreg.gate.camera": "off"}
    context.add_init_script("if (location.protocol.startsWith('http')) {" + "".join(
        f"localStorage.setItem({json.dumps(k)}, {json.dumps(v)});" for k, v in settings.items()) + "}")
    page = context.new_page()
    log_in(page, email, PASSWORD)
    return page


@sqlite_only
def test_the_organizers_tablet_follows_the_doors(live_server, new_context, shot):
    slug, ambassador_ticket = _seminar(live_server)
    tablet = new_context(**TABLET).new_page()
    log_in(tablet, "organizer@example.kz", PASSWORD)
    tablet.goto(f"/organizer/s/{slug}/")
    tablet.get_by_role("link", name="Live view").click()
    tablet.wait_for_selector("body[data-live='online']", state="attached")
    expect(tablet.locator("#live-checked-in")).to_have_text("0")
    expect(tablet.locator("#live-expected")).to_have_text("10")
    expect(tablet.locator("#live-vips-expected")).to_have_text("1")
    expect(tablet.locator("#live-note")).to_contain_text("Updates by itself")
    tablet.evaluate("window.stillTheSamePage = true")

    main = _door(new_context, "Main entrance", "main@example.kz", **DESKTOP)
    main.goto(f"/checkin/s/{slug}/")
    main.wait_for_selector("body[data-scanner-ready]", state="attached")
    main.locator("#wedge-input").focus()
    main.keyboard.type(tickets.qr_payload(ambassador_ticket))
    main.keyboard.press("Enter")
    assert main.wait_for_selector("body[data-answers='1']", state="attached").get_attribute(
        "data-last-status") == "checked_in"

    expect(tablet.locator("#live-checked-in")).to_have_text("1")
    vip_row = tablet.locator("#live-vips .live-arrival-vip", has_text=AMBASSADOR)
    expect(vip_row).to_be_visible()
    expect(vip_row.locator(".badge-vip")).to_have_text("VIP")
    expect(tablet.locator("#live-latest .live-arrival").first).to_contain_text(AMBASSADOR)
    expect(tablet.locator("#live-latest .live-arrival").first).to_contain_text("Embassy guests · Main entrance")

    side = _door(new_context, "Side door", "side@example.kz", **PHONE)
    side.goto(f"/checkin/s/{slug}/")
    side.wait_for_selector("body[data-scanner-ready]", state="attached")
    side.get_by_placeholder("Name, e-mail or organization").fill("Aliya")
    found = side.locator(".search-result", has_text=GUEST)
    found.get_by_role("button", name="Check in").click()
    assert side.wait_for_selector("body[data-answers='1']", state="attached").get_attribute(
        "data-last-status") == "checked_in"

    expect(tablet.locator("#live-checked-in")).to_have_text("2")
    expect(tablet.locator("#live-percent")).to_have_text("20%")
    latest = tablet.locator("#live-latest .live-arrival")
    expect(latest).to_have_count(2)
    expect(latest.first).to_contain_text(GUEST)
    expect(latest.first).not_to_have_class(re.compile("live-arrival-vip"))
    expect(tablet.locator("#live-gates .live-gate")).to_have_text([re.compile(r"Main entrance\s*1"),
                                                                   re.compile(r"Side door\s*1")])
    bars = tablet.locator("#live-chart rect.chart-bar").evaluate_all("bars => bars.map(b => b.getAttribute('height'))")
    assert len(bars) == 36 and 1 <= sum(float(h) > 0 for h in bars) <= 2  # both in one 5 minutes, or two
    assert tablet.evaluate("window.stillTheSamePage") is True  # no reload: the page polled
    shot(tablet, "live-view-tablet")
    tablet.set_viewport_size(TABLET_LANDSCAPE["viewport"])
    shot(tablet, "live-view-tablet-landscape")

    # The volunteer's phone: the same figures, nobody's name.
    side.goto(f"/organizer/s/{slug}/live")
    side.wait_for_selector("body[data-live='online']", state="attached")
    expect(side.locator("#live-checked-in")).to_have_text("2")
    expect(side.locator("main")).not_to_contain_text(GUEST)
    expect(side.locator("main")).to_contain_text("shown to the seminar's organizers only")
    shot(side, "live-view-door-phone")

    # Without JavaScript: the state at load, and a word that it stays so.
    still = new_context(**TABLET, java_script_enabled=False).new_page()
    log_in(still, "organizer@example.kz", PASSWORD)
    still.goto(f"/organizer/s/{slug}/live")
    expect(still.locator("#live-checked-in")).to_have_text("2")
    expect(still.locator("#live-note")).to_have_text(re.compile("reload it to see new arrivals"))
    expect(still.locator("#live-chart svg.chart")).to_be_visible()
