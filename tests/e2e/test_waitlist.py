"""Journey 4: the waiting list. A full seminar puts the next person on the waiting list; when the first person
cancels from their ticket page, the seat goes to the person waiting, who gets the e-mail with their ticket."""

import io

import zxingcpp
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from eventreg import tickets
from eventreg.models import Registration
from eventreg.registration import services as registration
from tests import factories
from tests.e2e.helpers import PHONE, attachment, sent_to, sqlite_only

FIRST = {"full_name": "Дана Ахметова", "email": "dana@example.kz"}
WAITING = {"full_name": "Темірлан Байжанов", "email": "temirlan@example.kz"}


@sqlite_only
def test_cancellation_promotes_the_first_person_waiting(live_server, new_context, shot):
    with live_server.db() as session:
        seminar = factories.make_seminar(session, title="Round Table: Water in Central Asia", capacity=1)
        general = factories.category(seminar, "general")
        first = registration.register(session, seminar, {**FIRST, "category_id": general.id, "consent_data": True})
        slug, first_token = seminar.slug, first.token

    page = new_context(**PHONE).new_page()
    page.goto(f"/s/{slug}/")
    page.get_by_role("link", name="Join the waiting list").click()
    expect(page.locator("main")).to_contain_text("All seats are taken")
    page.get_by_label("Full name").fill(WAITING["full_name"])
    page.get_by_label("E-mail").fill(WAITING["email"])
    page.get_by_label("General").check()
    page.get_by_label("I agree to the processing of my personal data").check()
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".notice")).to_contain_text(f"We have sent an e-mail to {WAITING['email']}")
    shot(page, "4-waitlisted-phone")
    assert "waiting list" in live_server.mail(sent_to(WAITING["email"]))["Subject"]

    first_person = new_context(**PHONE).new_page()
    first_person.goto(f"/t/{first_token}/")
    first_person.get_by_role("link", name="Cancel my registration").click()
    shot(first_person, "4-cancel-phone")
    first_person.get_by_role("button", name="Yes, cancel my registration").click()
    expect(first_person.locator("main")).to_contain_text("Cancelled")
    shot(first_person, "4-cancelled-phone")

    promotion = live_server.mail(
        lambda m: sent_to(WAITING["email"])(m) and "seat is yours" in m["Subject"])
    with live_server.db() as session:
        waiting = session.scalar(select(Registration).where(Registration.email == WAITING["email"]))
        status, token = waiting.status, waiting.token
    assert status == "confirmed"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(attachment(promotion, "ticket-qr.png"))))
    assert [code.text for code in decoded] == [tickets.qr_payload(token)]

    page.goto(f"/t/{token}/")
    expect(page.locator(".ticket-name")).to_have_text(WAITING["full_name"])
    expect(page.locator(".ticket .badge")).to_have_text("Confirmed")
    expect(page.get_by_role("img", name="QR code of your ticket")).to_be_visible()
    shot(page, "4-promoted-ticket-phone")
