"""Journeys 2 and 3: the door on the day.

2. Two phones at two doors, each a real camera pointed (through Chromium's fake camera) at the QR code the app
   itself generated for the ticket: one welcome, then "already checked in" at the other door; undo works.
3. A laptop with a USB scanner (real key events plus Enter): an unknown code and a ticket of another seminar are
   refused in red; a person without their ticket is found by part of their Cyrillic name and checked in by tap.
"""

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from eventreg import tickets
from eventreg.models import CheckInEvent, Registration, utcnow
from tests import factories
from tests.e2e.helpers import DESKTOP, PHONE, door, log_in, sqlite_only, write_camera_frame

PASSWORD = "door-password-1"
GUEST = "Нұрлан Оспанов"
SECOND_GUEST = "Ақбота Есенова"
NO_TICKET = "Жанар Жұмабекова"


@pytest.fixture
def door_day(live_server):
    """A seminar that starts in half an hour (the door is open), its guests, another seminar, two doormen on the
    first seminar's door team."""
    with live_server.db() as session:
        starts = (utcnow() + timedelta(minutes=30)).replace(second=0, microsecond=0)
        seminar = factories.make_seminar(session, title="Morning Briefing: Trade Outlook", starts_at=starts)
        other = factories.make_seminar(session, title="Evening Lecture: Silk Road Cities",
                                       starts_at=starts + timedelta(days=3))
        guests = {
            name: factories.make_registration(session, seminar, full_name=name, category_key=key,
                                              organization=organization).token
            for name, key, organization in [(GUEST, "business", "Astana Hub"),
                                            (SECOND_GUEST, "student", ""),
                                            (NO_TICKET, "academic", "Eurasian National University")]
        }
        for _ in range(12):
            factories.make_registration(session, seminar)
        guests["other seminar"] = factories.make_registration(session, other, full_name="Санжар Қасымов").token
        for email in ("door1@example.kz", "door2@example.kz"):
            doorman = factories.make_user(session, role="staff", email=email, password=PASSWORD,
                                          name=email.split("@")[0])
            factories.add_member(session, seminar, doorman, "door")
        return {"slug": seminar.slug, "tokens": guests}


def answer(page, number, status):
    """Wait for the page's `number`th answer (the scanner counts them on <body>), check its status, and give
    the result panel."""
    body = page.wait_for_selector(f"body[data-answers='{number}']", state="attached")
    assert body.get_attribute("data-last-status") == status
    return page.locator("#result")


def checked_in(live_server, token):
    with live_server.db() as session:
        return session.scalar(select(Registration.checked_in_at).where(Registration.token == token)) is not None


def test_two_doors_with_cameras(live_server, door_day, new_context, camera_file, shot):
    slug, tokens = door_day["slug"], door_day["tokens"]
    door1 = door(new_context, "Door 1", **PHONE)
    qr = door1.request.get(f"/t/{tokens[GUEST]}/qr.png")
    assert qr.ok and qr.headers["content-type"] == "image/png"
    write_camera_frame(camera_file, Image.open(io.BytesIO(qr.body())))

    log_in(door1, "door1@example.kz", PASSWORD)
    door1.goto(f"/checkin/s/{slug}/")
    result = answer(door1, 1, "checked_in")
    expect(result).to_have_class(re.compile("result-ok"))
    expect(result.locator("#result-title")).to_have_text("Welcome")
    expect(result.locator("#result-name")).to_have_text(GUEST)
    assert door1.locator("body").get_attribute("data-last-code") == tickets.qr_payload(tokens[GUEST])
    shot(door1, "2-door1-welcome-phone", full_page=False)
    expect(door1.locator("#count-in")).to_have_text("1")

    door2 = door(new_context, "Door 2", **PHONE)
    log_in(door2, "door2@example.kz", PASSWORD)
    door2.goto(f"/checkin/s/{slug}/")
    result = answer(door2, 1, "already_checked_in")
    expect(result).to_have_class(re.compile("result-again"))  # amber: not the red of "not admitted"
    expect(result.locator("#result-name")).to_have_text(GUEST)
    expect(result.locator("#result-detail")).to_have_text(re.compile(r"at \d{1,2}:\d{2}\b.*Door 1"))
    shot(door2, "2-door2-already-phone", full_page=False)

    # Undo: Door 1's welcome has cleared itself for the next person; the staff member switches the camera off
    # (it still shows the first ticket), lets the next guest in by mistake with the USB scanner, and undoes it.
    expect(door1.locator("#result")).to_be_hidden()
    door1.get_by_role("button", name="Stop camera").click()
    door1.wait_for_selector("body[data-camera='off']")
    shot(door1, "2-door1-scanner-phone")
    door1.locator("#wedge-input").focus()
    door1.keyboard.type(tickets.qr_payload(tokens[SECOND_GUEST]))
    door1.keyboard.press("Enter")
    answer(door1, 2, "checked_in")
    expect(door1.locator("#result-name")).to_have_text(SECOND_GUEST)
    door1.locator("#result-undo").click()
    result = answer(door1, 3, "undone")
    expect(result.locator("#result-title")).to_have_text("Check-in undone")
    shot(door1, "2-door1-undone-phone", full_page=False)
    assert not checked_in(live_server, tokens[SECOND_GUEST])
    assert checked_in(live_server, tokens[GUEST])
    expect(door1.locator("#count-in")).to_have_text("1")


@sqlite_only
def test_usb_scanner_and_manual_search(live_server, door_day, new_context, shot):
    slug, tokens = door_day["slug"], door_day["tokens"]
    page = door(new_context, "Main entrance", camera=False, **DESKTOP)
    log_in(page, "door1@example.kz", PASSWORD)
    page.goto(f"/checkin/s/{slug}/")
    page.wait_for_selector("body[data-scanner-ready]")

    def scan(code):
        page.locator("#wedge-input").focus()
        page.keyboard.type(code)
        page.keyboard.press("Enter")

    scan("ER1:thisIsNotATicketOfOurs0000")
    result = answer(page, 1, "unknown_code")
    expect(result).to_have_class(re.compile("result-bad"))
    expect(result.locator("#result-title")).to_have_text("Unknown code")
    shot(page, "3-unknown-code-desktop", full_page=False)
    page.get_by_role("button", name="Next").click()
    expect(result).to_be_hidden()

    scan(tickets.qr_payload(tokens["other seminar"]))
    result = answer(page, 2, "wrong_seminar")
    expect(result).to_have_class(re.compile("result-bad"))
    expect(result.locator("#result-detail")).to_have_text("Evening Lecture: Silk Road Cities")
    shot(page, "3-wrong-seminar-desktop", full_page=False)
    page.get_by_role("button", name="Next").click()

    page.get_by_placeholder("Name, e-mail or organization").fill("жұмабек")
    found = page.locator(".search-result", has_text=NO_TICKET)
    expect(found).to_be_visible()
    shot(page, "3-search-desktop")
    found.get_by_role("button", name="Check in").click()
    result = answer(page, 3, "checked_in")
    expect(result.locator("#result-name")).to_have_text(NO_TICKET)
    assert checked_in(live_server, tokens[NO_TICKET])
    with live_server.db() as session:
        methods = session.scalars(select(CheckInEvent.method).where(CheckInEvent.result == "checked_in")).all()
    assert methods == ["manual"]
