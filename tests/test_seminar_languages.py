"""Seminar content in several languages: what a visitor reads in which language, how organizers write it (forms
and API), and the documents a registrant gets in their own language."""

import io

import pytest
from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import func, select

from eventreg import create_app, mail
from eventreg.extensions import db
from eventreg.models import AgendaItem, Category, Seminar, Speaker
from eventreg.registration import services as registration
from eventreg.seminars import services
from eventreg.seminars.content import localized
from tests.conftest import BASE_CONFIG
from tests.factories import aware, category, make_registration, make_seminar
from tests.openapi_check import assert_matches_openapi
from tests.test_migrations import _empty_database

TITLES = {"en": "Digital Silk Road", "ru": "Цифровой Шёлковый путь", "kk": "Цифрлық Жібек жолы",
          "zh": "数字丝绸之路"}


def page(response):
    return response.get_data(as_text=True)


def _seminar(session, *, default="en", **overrides):
    """A seminar whose title is written in all four languages and whose venue only in its default language."""
    seminar = make_seminar(session, slug="s", title=TITLES[default], default_language=default,
                           translations={"title": {code: t for code, t in TITLES.items() if code != default}},
                           venue="Astana Hub", **overrides)
    session.commit()
    return seminar


def _h1(html):
    return html.split("<h1>", 1)[1].split("</h1>", 1)[0]


def by_slug(session, slug):
    session.expire_all()
    return session.scalar(select(Seminar).where(Seminar.slug == slug))


# --- which language a visitor reads ---------------------------------------------------------------------------

def test_the_browsers_language_shows_its_title_and_a_missing_translation_reads_the_default(client, session):
    _seminar(session)
    html = page(client.get("/s/s/", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}))
    assert _h1(html) == "Цифровой Шёлковый путь"
    assert "Astana Hub" in html  # the venue has no Russian text: the default language's, never a blank
    assert "Цифровой Шёлковый путь" in page(client.get("/", headers={"Accept-Language": "ru"}))
    assert _h1(page(client.get("/s/s/", headers={"Accept-Language": "zh-CN"}))) == "数字丝绸之路"


def test_a_language_without_any_text_reads_the_default_languages(app, session):
    seminar = make_seminar(session, title="Digital Silk Road", description="", translations={"title": {"ru": "Путь"}})
    with app.test_request_context(headers={"Accept-Language": "kk"}):
        assert localized(seminar, "title") == "Digital Silk Road"
        assert localized(seminar, "title", "ru") == "Путь"
        assert localized(seminar, "description", "ru") == ""  # nothing written in any language: nothing shown


def test_the_seminars_default_language_when_the_browser_asks_for_none_of_ours(client, session):
    _seminar(session, default="kk")
    for headers in ({"Accept-Language": "de-DE,fr;q=0.8"}, {}):
        html = page(client.get("/s/s/", headers=headers))
        assert _h1(html) == "Цифрлық Жібек жолы"
        assert '<html lang="kk" dir="ltr">' in html  # the interface follows the seminar too
    # No seminar: the site's default.
    assert '<html lang="en" dir="ltr">' in page(client.get("/", headers={"Accept-Language": "de"}))


def test_the_visitors_choice_beats_the_browser(client, session):
    _seminar(session)
    response = client.post("/language", data={"language": "zh", "next": "/s/s/"})
    assert response.status_code == 302
    assert _h1(page(client.get("/s/s/", headers={"Accept-Language": "ru"}))) == "数字丝绸之路"


def test_an_unknown_language_code_anywhere_falls_back_without_an_error(client, session, app):
    _seminar(session, default="ru")
    client.set_cookie(app.config["LANGUAGE_COOKIE"], "xx")
    response = client.get("/s/s/", headers={"Accept-Language": "xx-YY, *;q=0.1"})
    assert response.status_code == 200 and _h1(page(response)) == "Цифровой Шёлковый путь"
    refused = client.post("/language", data={"language": "../../etc", "next": "/s/s/"})
    assert refused.status_code == 302 and "xx" in client.get_cookie(app.config["LANGUAGE_COOKIE"]).value
    with app.test_request_context():
        assert localized(by_slug(session, "s"), "title", "xx") == "Цифровой Шёлковый путь"


def test_the_signup_form_offers_the_categories_in_the_visitors_language(client, session):
    _seminar(session)
    html = page(client.get("/s/s/register", headers={"Accept-Language": "kk"}))
    assert "Сарапшы" in html and "Тыңдаушы" in html and "Цифрлық Жібек жолы" in html


# --- what a registrant gets, in their own language --------------------------------------------------------------

def _register(session, seminar, language):
    person = {"full_name": "Аружан Сәрсенбаева", "email": "aruzhan@example.kz", "consent_data": True,
              "category_id": category(seminar, "general").id, "language": language}
    made = registration.register(session, seminar, person)
    session.commit()
    return made


def test_a_kazakh_registrant_gets_the_kazakh_title_in_the_confirmation(session, smtp_server):
    seminar = _seminar(session)
    _register(session, seminar, "kk")
    assert mail.send_due(session) == (1, 0)
    [message] = smtp_server.messages
    assert "Цифрлық Жібек жолы" in message["Subject"]
    assert "Цифрлық Жібек жолы" in message.get_body(("plain",)).get_content()
    assert "Цифрлық Жібек жолы" in message.get_body(("html",)).get_content()
    ics = next(p for p in message.walk() if p.get_filename() == "seminar.ics").get_payload(decode=True)
    assert Calendar.from_ical(ics).walk("VEVENT")[0]["SUMMARY"] == "Цифрлық Жібек жолы"


def _pdf_text(response):
    assert response.status_code == 200
    return PdfReader(io.BytesIO(response.data)).pages[0].extract_text()


def _ics_summary(response):
    return str(Calendar.from_ical(response.data).walk("VEVENT")[0]["SUMMARY"])


def test_the_pdf_ticket_and_the_ics_are_in_the_registrants_language(app, client, session):
    seminar = _seminar(session)
    token = _register(session, seminar, "kk").token
    # The language the registrant chose, as in their e-mails, whatever the browser asks for.
    for headers in ({"Accept-Language": "ru"}, {}):
        assert "Цифрлық Жібек жолы" in _pdf_text(client.get(f"/t/{token}/ticket.pdf", headers=headers))
        assert _ics_summary(client.get(f"/t/{token}/calendar.ics", headers=headers)) == "Цифрлық Жібек жолы"
        assert '<html lang="kk" dir="ltr">' in page(client.get(f"/t/{token}/", headers=headers))
    # Unless the visitor chooses another language with the switcher.
    client.set_cookie(app.config["LANGUAGE_COOKIE"], "zh")
    assert "数字丝绸之路" in _pdf_text(client.get(f"/t/{token}/ticket.pdf"))
    assert _ics_summary(client.get(f"/t/{token}/calendar.ics")) == "数字丝绸之路"


# --- the organizer's forms -------------------------------------------------------------------------------------

FORM = {"default_language": "en", "content_language": "en", "slug": "", "organizer_name": "", "contact_email": "",
        "timezone": "Asia/Almaty", "starts_at": "2031-03-14T10:00", "ends_at": "2031-03-14T13:00", "capacity": "",
        "registration_opens_at": "", "registration_closes_at": "", "description": "", "venue": "", "address": ""}


def test_the_seminar_form_edits_every_language_side_by_side(client, session, login):
    login("organizer")
    html = page(client.get("/organizer/seminars/new"))
    for name in ("title_ru", "title_kk", "title_zh", "description_zh", "venue_kk", "address_ru"):
        assert f'name="{name}"' in html
    assert 'name="title_en"' not in html  # English is the field itself: the organizer's language
    response = client.post("/organizer/seminars/new", data={
        **FORM, "title": "Digital Silk Road", "title_ru": "Цифровой Шёлковый путь", "title_zh": "数字丝绸之路",
        "venue": "Astana Hub", "venue_kk": "Astana Hub (Қазақстан)", "description_ru": "О семинаре"})
    assert response.status_code == 302
    seminar = by_slug(session, "digital-silk-road")
    assert (seminar.title, seminar.default_language) == ("Digital Silk Road", "en")
    assert seminar.translations == {"title": {"ru": "Цифровой Шёлковый путь", "zh": "数字丝绸之路"},
                                    "venue": {"kk": "Astana Hub (Қазақстан)"}, "description": {"ru": "О семинаре"}}
    edit = page(client.get("/organizer/s/digital-silk-road/edit"))
    assert 'value="Цифровой Шёлковый путь"' in edit and "О семинаре" in edit


def test_changing_the_default_language_moves_every_text_to_its_language(client, session, login):
    seminar = _seminar(session)
    services.save_agenda_item(session, seminar, {"title": {"en": "Welcome", "ru": "Приветствие"},
                                                 "starts_at": aware(2031, 3, 14, 5)})
    services.save_speaker(session, seminar, {"name": "Aiman Azmukhanova"})
    session.commit()
    login("organizer")
    data = {**FORM, "slug": "s", "default_language": "ru", "content_language": "en",
            **{("title" if code == "en" else f"title_{code}"): text for code, text in TITLES.items()}}
    assert client.post("/organizer/s/s/edit", data=data).status_code == 302
    seminar = by_slug(session, "s")
    assert (seminar.default_language, seminar.title) == ("ru", "Цифровой Шёлковый путь")
    assert seminar.translations["title"] == {"en": "Digital Silk Road", "kk": "Цифрлық Жібек жолы",
                                             "zh": "数字丝绸之路"}
    [item] = seminar.agenda_items
    assert (item.title, item.translations) == ("Приветствие", {"title": {"en": "Welcome"}})
    # No Russian name yet: the name stays (read as the default), and keeps its English too.
    assert (seminar.speakers[0].name, localized(seminar.speakers[0], "name", "en")) == ("Aiman Azmukhanova",) * 2
    edit = page(client.get("/organizer/s/s/edit"))
    assert 'name="title_en"' in edit and 'name="title_ru"' not in edit  # now the field itself is Russian


def test_a_seminar_without_a_title_in_its_default_language_is_refused_next_to_the_field(client, session, login):
    login("organizer")
    response = client.post("/organizer/seminars/new", data={**FORM, "title": "", "title_ru": "Путь"})
    assert response.status_code == 400
    error = page(response).split('id="title-error"', 1)[1].split("</p>", 1)[0]
    assert "Required in the default language, English." in error
    assert 'value="Путь"' in page(response)  # what was typed stays
    # The default language changed to one whose title is empty: the message is next to that language's field.
    switched = client.post("/organizer/seminars/new", data={**FORM, "default_language": "kk", "title": "Road"})
    assert switched.status_code == 400 and 'id="title_kk-error"' in page(switched)
    assert session.scalar(select(func.count()).select_from(Seminar)) == 0


def test_programme_speakers_and_categories_are_written_in_every_language(client, session, login):
    _seminar(session)
    login("organizer")
    base = "/organizer/s/s"
    assert 'name="title_zh"' in page(client.get(f"{base}/"))  # the add forms on the seminar's page too
    assert client.post(f"{base}/speakers/new", data={
        "content_language": "en", "name": "Xu Hai", "name_ru": "Сюй Хай", "position": "Director",
        "position_zh": "总经理", "affiliation": "", "bio": ""}).status_code == 302
    assert client.post(f"{base}/agenda/new", data={
        "content_language": "en", "title": "Opening", "title_kk": "Ашылу", "kind": "welcome", "day": "2031-03-14",
        "starts_at": "10:00", "description": ""}).status_code == 302
    assert client.post(f"{base}/categories/new", data={
        "content_language": "en", "label": "Embassy guests", "label_zh": "使馆嘉宾", "quota": ""}).status_code == 302
    speaker = session.scalar(select(Speaker))
    assert speaker.translations == {"name": {"ru": "Сюй Хай"}, "position": {"zh": "总经理"}}
    assert session.scalar(select(AgendaItem)).translations == {"title": {"kk": "Ашылу"}}
    embassy = session.scalar(select(Category).where(Category.key == "embassy-guests"))
    assert embassy.translations == {"label": {"zh": "使馆嘉宾"}}
    edit = page(client.get(f"{base}/speakers/{speaker.id}/edit"))
    assert 'value="Сюй Хай"' in edit and 'value="总经理"' in edit
    blank = client.post(f"{base}/speakers/{speaker.id}/edit", data={"content_language": "en", "name": "",
                                                                  "name_ru": "Сюй Хай"})
    assert blank.status_code == 400 and 'id="name-error"' in page(blank)
    public = page(client.get("/s/s/", headers={"Accept-Language": "ru"}))
    assert "Сюй Хай" in public


# --- the API ---------------------------------------------------------------------------------------------------

VALID = {"starts_at": "2031-03-14T10:00", "ends_at": "2031-03-14T13:00"}


def test_the_api_takes_a_string_or_texts_by_language_and_returns_every_language(client, session, api_token):
    headers = {"Authorization": f"Bearer {api_token('organizer')}"}
    created = client.post("/api/v1/seminars", headers=headers, json={
        **VALID, "default_language": "ru", "title": {"ru": TITLES["ru"], "en": TITLES["en"]}, "venue": "Astana Hub"})
    assert created.status_code == 201, created.get_json()
    assert_matches_openapi(client, "POST", "/api/v1/seminars", created)
    body = created.get_json()
    assert (body["slug"], body["title"], body["default_language"]) == ("digital-silk-road", TITLES["ru"], "ru")
    assert body["translations"]["title"] == {"ru": TITLES["ru"], "en": TITLES["en"]}
    assert body["translations"]["venue"] == {"ru": "Astana Hub"}
    student = next(c for c in body["categories"] if c["key"] == "student")
    assert student["label"] == "Студент" and student["translations"]["label"]["zh"] == "学生"

    patched = client.patch("/api/v1/seminars/digital-silk-road", headers=headers,
                           json={"title": "Цифровой путь", "venue": {"kk": "Astana Hub"}})
    assert patched.status_code == 200
    assert patched.get_json()["translations"]["title"] == {"ru": "Цифровой путь", "en": TITLES["en"]}
    listed = client.get("/api/v1/seminars").get_json()["seminars"]
    assert_matches_openapi(client, "GET", "/api/v1/seminars", client.get("/api/v1/seminars"))
    assert listed == [] or listed[0]["translations"]["venue"] == {"ru": "Astana Hub", "kk": "Astana Hub"}


def test_the_api_refuses_a_text_in_an_unknown_language_and_ignores_an_unknown_default(client, session, api_token):
    _seminar(session)
    headers = {"Authorization": f"Bearer {api_token('organizer')}"}
    refused = client.patch("/api/v1/seminars/s", headers=headers, json={"title": {"fr": "Route de la soie"}})
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid"
    assert list(refused.get_json()["fields"]) == ["title"]
    assert_matches_openapi(client, "PATCH", "/api/v1/seminars/s", refused)
    kept = client.patch("/api/v1/seminars/s", headers=headers, json={"default_language": "fr"})
    assert kept.status_code == 200 and kept.get_json()["default_language"] == "en"
    no_title = client.patch("/api/v1/seminars/s", headers=headers, json={"title": {"en": ""}})
    assert no_title.status_code == 400 and "title" in no_title.get_json()["fields"]
    assert by_slug(session, "s").title == "Digital Silk Road"


def test_the_api_returns_the_programme_in_every_language(client, session):
    seminar = _seminar(session)
    services.save_agenda_item(session, seminar, {"title": {"en": "Welcome", "zh": "欢迎"},
                                                 "starts_at": aware(2031, 3, 14, 5)})
    session.commit()
    response = client.get("/api/v1/seminars/s")
    assert_matches_openapi(client, "GET", "/api/v1/seminars/s", response)
    assert response.get_json()["agenda"][0]["translations"]["title"] == {"en": "Welcome", "zh": "欢迎"}


# --- duplicate, demo, the language of a page -------------------------------------------------------------------

def test_duplicating_a_seminar_copies_its_translations(session):
    from datetime import date

    seminar = _seminar(session)
    services.save_agenda_item(session, seminar, {"title": {"en": "Welcome", "kk": "Құттықтау"},
                                                 "starts_at": seminar.starts_at})
    services.save_speaker(session, seminar, {"name": {"en": "Xu Hai", "ru": "Сюй Хай"}})
    copy = services.duplicate_seminar(session, seminar, starts_on=date(2031, 9, 12))
    session.commit()
    assert copy.translations == seminar.translations and copy.default_language == "en"
    assert copy.agenda_items[0].translations == {"title": {"kk": "Құттықтау"}}
    assert copy.speakers[0].translations == {"name": {"ru": "Сюй Хай"}}
    assert category(copy, "student").translations["label"]["kk"] == "Студент"
    assert copy.translations is not seminar.translations


def test_the_demo_belt_and_road_seminar_speaks_four_languages(runner, session):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    belt = by_slug(session, "belt-and-road-2024")
    assert set(belt.translations["title"]) == {"kk", "ru", "zh"}
    for field in ("description", "venue", "address"):
        assert set(belt.translations[field]) == {"kk", "ru", "zh"}
    assert all(set(item.translations["title"]) == {"kk", "ru", "zh"} for item in belt.agenda_items)
    assert all({"kk", "ru"} <= set(s.translations["name"]) and set(s.translations["position"]) == {"kk", "ru", "zh"}
               for s in belt.speakers)
    assert all(set(c.translations["label"]) == {"kk", "ru", "zh"} for c in belt.categories)


@pytest.mark.parametrize(("path", "expected"), [("/s/s/", "ru"), ("/s/nope/", "en"), ("/", "en")])
def test_pages_of_one_seminar_fall_back_to_its_language(client, session, path, expected):
    _seminar(session, default="ru")
    assert f'<html lang="{expected}" dir="ltr">' in page(client.get(path, headers={"Accept-Language": "de"}))


def test_only_a_ticket_of_ours_names_a_language(client, session):
    seminar = _seminar(session, default="ru")
    token = make_registration(session, seminar, language="zh").token
    session.commit()
    assert '<html lang="zh" dir="ltr">' in page(client.get(f"/t/{token}/cancel", headers={"Accept-Language": "en"}))
    assert client.get("/t/no-such-ticket/", headers={"Accept-Language": "kk"}).status_code == 404
    assert '<html lang="kk" dir="ltr">' in page(client.get("/t/no-such-ticket/", headers={"Accept-Language": "kk"}))


def test_the_migration_makes_existing_seminars_english_and_comes_back_down_with_registrations(database_url, tmp_path):
    from flask_migrate import downgrade, upgrade

    _empty_database(database_url)
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url}, instance_path=str(tmp_path))
    with app.app_context():
        upgrade()
        make_registration(db.session, make_seminar(db.session, slug="s", title="Silk Road"))
        db.session.commit()
        db.session.remove()
        downgrade(revision="0019")  # a registration points at the category whose column goes
        upgrade()  # the rows now there get the defaults
        seminar = db.session.scalar(select(Seminar))
        found = (seminar.default_language, seminar.translations, seminar.categories[0].translations)
        db.session.remove()
        db.engine.dispose()
    assert found == ("en", {}, {})


def test_a_csv_import_finds_a_category_by_its_label_in_any_language(session):
    from eventreg.registration.organizer import match_category

    seminar = _seminar(session)
    services.save_category(session, seminar, {"label": {"en": "Embassy guests", "ru": "Гости посольства"}})
    assert match_category(seminar, "гости  посольства").key == "embassy-guests"
    assert match_category(seminar, "Сарапшы").key == "expert"
