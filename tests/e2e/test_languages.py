"""Journey: people in their own language. A phone set to Russian and one set to Chinese sign up; a door
volunteer switches the door to Kazakh and finds "Әлия" by typing "Aliya".

Expected words come from the catalogues (gettext under the page's locale), so a better translation does not
break the journey, while an English word left on the page does.
"""

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from eventreg.models import utcnow
from eventreg.seminars.content import localized
from tests import factories
from tests.e2e.helpers import PHONE, door, log_in, plain_text, sent_to, sqlite_only

PASSWORD = "door-password-1"


def said(language, text, **values):
    with force_locale(language):
        return gettext(text, **values)


@pytest.fixture
def seminar_day(live_server):
    with live_server.db() as session:
        starts = (utcnow() + timedelta(minutes=30)).replace(second=0, microsecond=0)
        seminar = factories.make_seminar(session, title="Belt and Road: Astana Forum", starts_at=starts)
        factories.make_registration(session, seminar, full_name="Әлия Серікбаева", organization="ENU")
        doorman = factories.make_user(session, role="staff", email="door@example.kz", password=PASSWORD)
        factories.add_member(session, seminar, doorman, "door")
        general = factories.category(seminar, "general")
        return {"slug": seminar.slug, "title": seminar.title,
                "general": {language: localized(general, "label", language) for language in ("ru", "zh")}}


@sqlite_only
@pytest.mark.parametrize("language, browser_locale, name", [("ru", "ru-RU", "Дина Ибрагимова"),
                                                             ("zh", "zh-CN", "王芳")])
def test_signup_on_a_phone_in_the_phones_language(live_server, seminar_day, new_context, shot, language,
                                                   browser_locale, name):
    page = new_context(locale=browser_locale, **PHONE).new_page()
    page.goto(f"/s/{seminar_day['slug']}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    shot(page, f"lang-{language}-1-seminar-phone")
    page.get_by_role("link", name=re.compile("^" + re.escape(said(language, "Register")))).first.click()
    page.get_by_label(said(language, "Full name")).fill(name)
    email = f"{language}@example.org"
    page.get_by_label(said(language, "E-mail")).fill(email)
    page.get_by_label(seminar_day["general"][language], exact=True).check()
    page.get_by_label(said(language, "I agree to the processing of my personal data for this seminar")).check()
    shot(page, f"lang-{language}-2-signup-phone")
    page.get_by_role("button", name=re.compile("^" + re.escape(said(language, "Register")))).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(said(language, "Thank you, %(name)s", name=name))
    shot(page, f"lang-{language}-3-registered-phone")

    message = live_server.mail(sent_to(email))
    assert message["Subject"] == said(language, "Your ticket: %(title)s", title=seminar_day["title"])
    link = re.search(r"https?://\S+/t/[\w-]+/\?lang=" + language, plain_text(message)).group(0)
    page.goto(link)
    expect(page.locator(".ticket-name")).to_have_text(name)
    shot(page, f"lang-{language}-4-ticket-phone")


@sqlite_only
def test_the_door_in_kazakh_finds_a_cyrillic_name_typed_in_latin(live_server, seminar_day, new_context, shot):
    page = door(new_context, "Main entrance", camera=False, **PHONE)
    log_in(page, "door@example.kz", PASSWORD)
    page.goto(f"/checkin/s/{seminar_day['slug']}/")
    page.locator("#language-select").select_option("kk")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    page.wait_for_selector("body[data-scanner-ready]")
    page.get_by_placeholder(said("kk", "Name, e-mail or organization")).fill("Aliya")
    found = page.locator(".search-result", has_text="Әлия Серікбаева")
    expect(found).to_be_visible()
    shot(page, "lang-kk-door-search-phone")
    found.get_by_role("button", name=said("kk", "Check in")).click()
    page.wait_for_selector("body[data-last-status='checked_in']", state="attached")
    expect(page.locator("#result-name")).to_have_text("Әлия Серікбаева")
    shot(page, "lang-kk-door-welcome-phone", full_page=False)
