"""The four catalogues are complete, and every page of ours speaks the visitor's language.

The catalogue checks read the committed .po files (what translators edit); the page walk renders every page a
seminar's owner and an anonymous visitor can open, in each language, and fails on any of our English strings
left in it.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from eventreg.config import LANGUAGES
from eventreg.models import AgendaItem, SeminarDay, SeminarSession, Speaker, utcnow
from eventreg.registration import places
from tests import factories

CATALOGUES = Path(__file__).resolve().parents[1] / "eventreg" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def _catalogue(language):
    with open(CATALOGUES / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=language)


def _messages(catalogue):
    return [message for message in catalogue if message.id]


def _forms(message):
    """(source, translation) pairs: each plural form is compared with the plural msgid."""
    if isinstance(message.id, str):
        return [(message.id, message.string)]
    singular, plural = message.id
    return [(singular if i == 0 else plural, text) for i, text in enumerate(message.string)]


def test_every_language_has_a_catalogue_of_every_string():
    template = {message.id for message in _messages(_catalogue_template())}
    for language in LANGUAGES:
        ids = {message.id for message in _messages(_catalogue(language))}
        missing, stale = len(template - ids), len(ids - template)
        assert ids == template, f"{language}: run `make messages` ({missing} missing, {stale} stale)"


def _catalogue_template():
    with open(CATALOGUES / "messages.pot", "rb") as pot:
        return read_po(pot)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_string_is_left_untranslated_or_fuzzy(language):
    catalogue = _catalogue(language)
    forms = catalogue.num_plurals
    problems = []
    for message in _messages(catalogue):
        texts = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy or not all(texts) or (message.pluralizable and len(texts) != forms):
            problems.append(message.id)
    assert not problems, f"{language}: {len(problems)} untranslated or fuzzy, e.g. {problems[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_the_same_in_every_translation(language):
    """A missing or misspelt %(name)s crashes the page (KeyError) or loses the value; an extra one crashes too."""
    broken = []
    for message in _messages(_catalogue(language)):
        for source, translation in _forms(message):
            wanted, found = set(PLACEHOLDER.findall(source)), set(PLACEHOLDER.findall(translation))
            # A singular form may say "one" in words where its msgid counted ("1 person" → "один человек").
            if translation and found != wanted and not (found < wanted and message.pluralizable):
                broken.append((message.id, translation))
    assert not broken, f"{language}: placeholders differ: {broken[:5]}"


# --- every page in every language ---------------------------------------------------------------------------

class _Texts(HTMLParser):
    """The text a person reads on a page: text nodes and the attributes shown or read aloud."""

    SHOWN_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
    BUTTON_TYPES = {"submit", "button", "reset"}

    def __init__(self):
        super().__init__()
        self.texts, self._skip = set(), 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        shown = set(self.SHOWN_ATTRIBUTES)
        if tag == "input" and dict(attrs).get("type") in self.BUTTON_TYPES:
            shown.add("value")
        for name, value in attrs:
            if name in shown and value:
                self.texts.add(" ".join(value.split()))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.add(" ".join(data.split()))


def _english_left(html, catalogue):
    """Our msgids that the catalogue translates differently but the page shows in English, as a whole text."""
    parser = _Texts()
    parser.feed(html)
    left = set()
    for message in _messages(catalogue):
        for source, translation in _forms(message):
            if source == translation or len(source) < 2:
                continue
            pattern = re.escape(" ".join(source.split()))
            pattern = "^" + PLACEHOLDER.sub(lambda _: ".+?", pattern.replace(r"\%", "%").replace(r"\{", "{")
                                            .replace(r"\}", "}")) + "$"
            if any(re.match(pattern, text) for text in parser.texts):
                left.add(source)
    return left


def _pages(app, values):
    """Every HTML page of the site (GET routes outside the API), with its URL parts filled from `values`."""
    skip_prefixes = ("api.", "operations.")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.endpoint.startswith(skip_prefixes):
            continue
        url = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", lambda m: str(values.get(m.group(1), "999999")), rule.rule)
        yield rule.endpoint, url


@pytest.fixture
def populated(session):
    """A seminar open at the door, with one of everything a page may show, and its owner."""
    starts = utcnow() + timedelta(minutes=30)
    seminar = factories.make_seminar(session, title="Zqx Test Seminar", starts_at=starts, categories=False,
                                     ends_at=starts + timedelta(hours=3))
    factories.make_category(session, seminar, key="general", label="Zqx guests")
    factories.make_category(session, seminar, key="student", label="Zqx students", is_student=True)
    session.add_all([AgendaItem(seminar=seminar, title="Zqx item", kind="welcome", starts_at=starts, position=0),
                     Speaker(seminar=seminar, name="Zqx Speaker")])
    registration = factories.make_registration(session, seminar, status="pending")
    # One day with a workshop that takes places, so the days page, the door's picker and the session choices show.
    day = SeminarDay(seminar=seminar, starts_at=starts, ends_at=starts + timedelta(hours=3))
    workshop = SeminarSession(seminar=seminar, day=day, title="Zqx workshop", starts_at=starts,
                              ends_at=starts + timedelta(hours=1), capacity=5, places_taken=0)
    session.add_all([day, workshop])
    session.flush()
    places.choose(session, registration, [workshop])
    owner = factories.make_user(session, role="organizer")
    factories.add_member(session, seminar, owner, "owner")
    session.commit()
    return {"seminar": seminar, "owner": owner, "registration": registration,
            "values": {"slug": seminar.slug, "registration_id": registration.id, "token": registration.token,
                       "list_name": "attendance", "fmt": "csv", "day_id": day.id, "session_id": workshop.id}}


@pytest.mark.parametrize("language", sorted(set(LANGUAGES) - {"en"}))
def test_every_page_speaks_the_visitors_language(app, session, populated, language):
    catalogue = _catalogue(language)
    populated["registration"].language = language  # a ticket's pages speak its registrant's language
    session.commit()
    anonymous, owner = app.test_client(), app.test_client()
    with owner.session_transaction() as flask_session:
        flask_session["_user_id"] = factories.login_id(session, populated["owner"])
        flask_session["_fresh"] = True
    untranslated, seen = {}, 0
    for endpoint, url in _pages(app, populated["values"]):
        for client in (anonymous, owner):
            response = client.get(url, headers={"Accept-Language": f"{language},en;q=0.1"})
            if response.mimetype != "text/html" or 300 <= response.status_code < 400:
                continue
            seen += 1
            html = response.get_data(as_text=True)
            assert "<html" not in html or f'<html lang="{language}" dir="ltr">' in html, url
            left = _english_left(html, catalogue)
            if left:
                untranslated[f"{endpoint} {url}"] = sorted(left)
    assert seen > 40
    assert not untranslated, f"{language}: English left on pages: {untranslated}"


# --- which language a person sees -------------------------------------------------------------------------

def _lang(response):
    return re.search(r'<html lang="(\w+)"', response.get_data(as_text=True)).group(1)


def test_the_switchers_choice_beats_the_browser_and_outlives_a_logout(client, session, login):
    login("organizer")
    assert _lang(client.get("/", headers={"Accept-Language": "ru"})) == "ru"
    client.post("/language", data={"language": "zh", "next": "/"})
    assert _lang(client.get("/", headers={"Accept-Language": "ru"})) == "zh"
    client.post("/logout")
    assert _lang(client.get("/", headers={"Accept-Language": "ru"})) == "zh"


def test_the_browsers_first_language_we_speak_wins(client):
    assert _lang(client.get("/", headers={"Accept-Language": "de-DE,kk;q=0.8,ru;q=0.6"})) == "kk"
    assert _lang(client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})) == "zh"
    assert _lang(client.get("/")) == "en"


def test_an_unknown_language_anywhere_falls_back_without_an_error(app, client):
    client.set_cookie(app.config["LANGUAGE_COOKIE"], "xx")
    response = client.get("/?lang=%0d%0a", headers={"Accept-Language": "tlh, ;q=bad"})
    assert response.status_code == 200 and _lang(response) == "en"
    response = client.post("/language", data={"language": "../../etc", "next": "/"})
    assert response.status_code == 302 and _lang(client.get("/", headers={"Accept-Language": "ru"})) == "ru"


def test_plurals_and_dates_follow_the_language(app):
    from flask_babel import force_locale, ngettext

    from eventreg.formatting import datetime_in

    moment = utcnow().replace(year=2026, month=12, day=7, hour=5, minute=0)
    said = {}
    for language in ("ru", "kk", "zh", "en"):
        with app.test_request_context(), force_locale(language):
            said[language] = ([ngettext("There is %(num)d problem with the form",
                                        "There are %(num)d problems with the form", n) for n in (1, 3, 5)],
                              datetime_in(moment, "Asia/Almaty", "full"))
    assert said["en"][0][0] == "There is 1 problem with the form" and said["en"][0][2].startswith("There are 5")
    assert said["ru"][0] == ["В форме 1 ошибка", "В форме 3 ошибки", "В форме 5 ошибок"]  # three forms
    assert said["en"][1] == "Monday, 7 December 2026, 10:00"
    assert said["ru"][1].startswith("понедельник, 7 декабря 2026")
    assert said["zh"][1].startswith("2026年12月7日星期一")
    assert "желтоқсан" in said["kk"][1]


# --- what an attendee receives, in the language they chose ------------------------------------------------

def _text_of(message):
    return "\n".join(part.get_content() for part in message.walk() if part.get_content_type() == "text/plain")


def test_a_kazakh_registration_gets_everything_in_kazakh(app, client, session, runner, smtp_server):
    """The browser says English; the registrant chose Kazakh for what she receives."""
    import io

    from pypdf import PdfReader

    seminar = factories.make_seminar(session, title="Belt and Road", starts_at=utcnow() + timedelta(hours=20),
                                     ends_at=utcnow() + timedelta(hours=23))
    session.commit()
    response = client.post(f"/s/{seminar.slug}/register", headers={"Accept-Language": "en"}, data={
        "full_name": "Әлия Серікбаева", "email": "aliya@enu.kz", "language": "kk", "consent_data": "y",
        "category_id": factories.category(seminar, "general").id})
    assert response.status_code == 302
    assert runner.invoke(args=["send-mail"]).exit_code == 0
    confirmation = smtp_server.messages[-1]
    assert confirmation["Subject"] == "Сіздің билетіңіз: Belt and Road"
    body = _text_of(confirmation)
    assert "Құрметті Әлия Серікбаева," in body
    ticket_link = re.search(r"http\S+/t/\S+\?lang=kk", body).group(0)
    ticket_page = client.get(ticket_link.split("127.0.0.1:5000", 1)[-1], headers={"Accept-Language": "en"})
    assert _lang(ticket_page) == "kk"
    token = re.search(r"/t/([^/]+)/", ticket_link).group(1)
    pdf = client.get(f"/t/{token}/ticket.pdf", headers={"Accept-Language": "en"})
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_data())).pages)
    assert "Бұл кодты кіреберісте көрсетіңіз." in " ".join(text.split())
    assert runner.invoke(args=["send-reminders"]).exit_code == 0
    assert runner.invoke(args=["send-mail"]).exit_code == 0
    assert smtp_server.messages[-1]["Subject"] == "Еске салу: Belt and Road"
