"""Journey (issue #24): the signup form on a 390 px phone, its errors summarised and focused, inline checks,
44 px category rows, the optional fields folded; the ticket e-mail read on the same phone; and the organizer
reordering the programme without a reload."""

import base64
import re

from playwright.sync_api import expect
from sqlalchemy import select

from eventreg.models import AgendaItem, Registration
from tests import factories
from tests.e2e.helpers import DESKTOP, PHONE, log_in, sent_to, sqlite_only

NAME = "Әйгерім Нұрланқызы"
EMAIL = "aigerim@example.kz"


@sqlite_only
def test_the_signup_form_on_a_phone_guides_through_its_errors(live_server, new_context, shot):
    with live_server.db() as session:
        seminar = factories.make_seminar(session, title="Central Asia and the Belt and Road")
        slug = seminar.slug
    page = new_context(**PHONE).new_page()
    page.goto(f"/s/{slug}/register")

    # Folded: what most people skip; the whole category row is a 44 px target.
    expect(page.get_by_label("Phone (optional)")).to_be_hidden()
    for label in page.locator(".category-choice .radio-option label").all():
        assert label.bounding_box()["height"] >= 44
    short = page.evaluate("document.documentElement.scrollHeight")

    # Inline check on leaving a field, before any submit.
    page.get_by_label("E-mail").fill("aigerim@")
    page.get_by_label("Full name").focus()
    expect(page.locator("#email-error")).to_have_text("This is not a valid e-mail address.")

    # Submit with gaps: the browser's own summary, focused, with a link per field; nothing is sent.
    page.get_by_role("button", name="Register").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(4)
    shot(page, "24-signup-inline-errors-phone", full_page=False)
    summary.get_by_role("link", name=re.compile("^Full name")).click()
    expect(page.get_by_label("Full name")).to_be_focused()

    # What only the server knows (a student's details): its summary takes the focus after the reload.
    page.get_by_label("Full name").fill(NAME)
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Student", exact=True).check()
    page.get_by_label("I agree to the processing of my personal data").check()
    page.get_by_role("button", name="Register").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("University: Required for students.")
    shot(page, "24-signup-server-errors-phone", full_page=False)
    shot(page, "24-signup-server-errors-phone-full")
    summary.get_by_role("link", name=re.compile("^University")).click()
    expect(page.get_by_label("University")).to_be_focused()
    expect(page.get_by_label("Full name")).to_have_value(NAME)

    page.get_by_label("University").fill("Astana IT University")
    page.get_by_label("Faculty or programme").fill("International Relations")
    page.get_by_label("Master").check()
    page.get_by_label("Year of study").fill("2")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Thank you, {NAME}")
    with live_server.db() as session:
        assert session.scalar(select(Registration.status).where(Registration.email == EMAIL)) == "confirmed"
    assert short < 2600, f"the empty form is {short} px long on a phone"

    # The ticket e-mail, as a phone's mail app would show its HTML part (the QR inline, from its attachment).
    message = live_server.mail(sent_to(EMAIL))
    html = message.get_body(("html",)).get_content()
    qr = next(p for p in message.walk() if p.get("Content-ID") == "<ticket-qr>").get_content()
    html = html.replace("cid:ticket-qr", "data:image/png;base64," + base64.b64encode(qr).decode())
    mail_page = new_context(**PHONE).new_page()
    mail_page.set_content(html)
    assert mail_page.evaluate("document.documentElement.scrollWidth") <= 390
    button = mail_page.get_by_role("link", name="Open your ticket")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300
    assert mail_page.evaluate("getComputedStyle(document.querySelector('.email-body p')).fontSize") == "16px"
    expect(mail_page.get_by_role("link", name="Google Calendar")).to_be_visible()
    expect(mail_page.get_by_role("link", name="Outlook")).to_be_visible()
    shot(mail_page, "24-ticket-email-phone")


@sqlite_only
def test_the_organizer_reorders_the_programme_without_a_reload(live_server, new_context, shot):
    with live_server.db() as session:
        organizer = factories.make_user(session, role="organizer", email="org@example.kz",
                                        password="organizer-pass-2024")
        seminar = factories.make_seminar(session)
        factories.add_member(session, seminar, organizer, "owner")
        for n, title in enumerate(("Welcome speech", "Keynote", "Panel")):
            session.add(AgendaItem(seminar=seminar, position=n, title=title, kind="talk",
                                   starts_at=seminar.starts_at))
        slug = seminar.slug
    page = new_context(**DESKTOP).new_page()
    log_in(page, "org@example.kz", "organizer-pass-2024")
    page.goto(f"/organizer/s/{slug}/")
    page.evaluate("window.notReloaded = true")
    page.locator(".agenda-admin-item").first.get_by_role("button", name="Move down").click()
    expect(page.locator("body")).to_have_attribute("data-last-move", re.compile(r"item-\d+:down"))
    expect(page.locator(".agenda-admin-item strong")).to_have_text(["Keynote", "Welcome speech", "Panel"])
    assert page.evaluate("window.notReloaded") is True
    page.reload()
    expect(page.locator(".agenda-admin-item strong")).to_have_text(["Keynote", "Welcome speech", "Panel"])
    # No speakers yet: their add form is already open on the page.
    expect(page.locator("#speaker details.inline-add")).to_have_attribute("open", "")
    page.get_by_label("Name").fill("Erlan Karin")
    page.get_by_role("button", name="Add the speaker").click()
    expect(page.locator("#speaker")).to_contain_text("Erlan Karin")
    shot(page, "24-seminar-page-inline-desktop")
