"""Journey 6: with JavaScript disabled the signup form still works, the student questions included, and its
errors are shown next to the fields."""

from playwright.sync_api import expect
from sqlalchemy import select

from eventreg.models import Registration
from tests import factories
from tests.e2e.helpers import PHONE, sqlite_only

NAME = "Ерасыл Мұратов"
EMAIL = "yerassyl@example.kz"


@sqlite_only
def test_signup_without_javascript(live_server, new_context, shot):
    with live_server.db() as session:
        slug = factories.make_seminar(session, title="Seminar: Chinese Language Olympiad").slug
    page = new_context(java_script_enabled=False, **PHONE).new_page()

    page.goto(f"/s/{slug}/register")
    page.get_by_label("Full name").fill(NAME)
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Student", exact=True).check()
    expect(page.get_by_label("University")).to_be_visible()
    page.get_by_role("button", name="Register").click()

    # Forgotten: the student details and the consent. The server says so next to each field.
    expect(page.get_by_role("alert").first).to_contain_text("problems with the form")
    expect(page.locator(".field.has-error", has=page.get_by_label("University"))).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value(NAME)
    shot(page, "6-nojs-errors-phone")

    page.get_by_label("University").fill("Astana IT University")
    page.get_by_label("Faculty or programme").fill("Computer Science")
    page.get_by_label("Bachelor").check()
    page.get_by_label("Year of study").fill("3")
    page.get_by_label("I agree to the processing of my personal data").check()
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Thank you, {NAME}")
    shot(page, "6-nojs-registered-phone")
    with live_server.db() as session:
        person = session.scalar(select(Registration).where(Registration.email == EMAIL))
        assert (person.status, person.university, person.study_level, person.study_year) == (
            "confirmed", "Astana IT University", "bachelor", 3)
