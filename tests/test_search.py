"""Search across scripts and alphabetical order (issue #20, items 5 and 6), on both databases.

The door types what it hears: a Kazakh name in Latin letters, a Russian spelling of a Kazakh one, pinyin with or
without tones. Every case below is a person the door must find; the lists sort as each language's readers expect.
"""

import csv
import io
from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from openpyxl import load_workbook
from sqlalchemy import text

from eventreg import create_app
from eventreg.checkin import services as door
from eventreg.extensions import db
from eventreg.models import utcnow
from eventreg.names import search_key
from eventreg.registration import organizer
from eventreg.reports import services as reports
from tests import factories
from tests.conftest import BASE_CONFIG
from tests.test_migrations import _empty_database

# (the name as registered, what someone types)
CASES = [
    ("Әлия Сейтқали", "Aliya"),
    ("Әлия Сейтқали", "Aliia"),
    ("Әлия Сейтқали", "Алия"),
    ("Әлия Сейтқали", "seitkali aliya"),
    ("Жанна Ахметова", "Zhanna"),
    ("Жанна Ахметова", "Janna Akhmetova"),
    ("Нұрсұлтан Әбішев", "Nursultan"),
    ("Нұрсұлтан Әбішев", "Nūrsūltan"),
    ("Нұрсұлтан Әбішев", "Нурсултан"),
    ("Жамаладен Ибрагимов", "Ibragimov"),
    ("Жамаладен Ибрагимов", "Ibragimov Zhamaladen"),
    ("Жамаладен Ибрагимов", "Zhamaladen Ibragimov"),
    ("Гүлнар Серікбаева", "Серикбаева"),
    ("Гүлнар Серікбаева", "Serikbaeva"),
    ("Гүлнар Серікбаева", "Serikbayeva"),
    ("Гүлнар Серікбаева", "СЕРІКБАЕВА"),
    ("Дана Шаймерденова", "Shaimerdenova"),
    ("Дана Шаймерденова", "Shaymerdenova"),
    ("Юлия Ким", "Yuliya"),
    ("Юлия Ким", "Iuliia"),
    ("Хасен Оспанов", "Khasen"),
    ("Хасен Оспанов", "Hasen"),
    ("Диас Қасымов", "Dias"),
    ("Диас Қасымов", "Kasymov"),
    ("Ерлан Ұлықбек", "Yerlan"),
    ("Ерлан Ұлықбек", "Erlan"),
    ("Айгерим Бекова", "Aygerim"),
    ("Айгерим Бекова", "Aigerim"),
    ("Пётр Ёлкин", "Елкин"),
    ("王芳", "wang"),
    ("王芳", "wang fang"),
    ("王芳", "wángfāng"),
    ("王芳", "fang wang"),
    ("王芳", "王"),
    ("王芳", "芳"),
    ("李明", "li ming"),
    ("单芳", "Shan Fang"),
    ("曾明", "zeng"),
    ("王芳", "Ван Фан"),
    ("Zhanna Ivanova", "Жанна"),
    ("Aliya Nurlanova", "Алия Нурланова"),
]
# (the name, a query that must not find it)
NOT_FOUND = [
    ("Жанна Ахметова", "Aliya"),
    ("王芳", "李"),
    ("Дана Шаймерденова", "Ibragimov"),
]


@pytest.fixture
def seminar(session):
    """Check-in is open (it opens two hours before the start)."""
    starts = utcnow() + timedelta(minutes=30)
    return factories.make_seminar(session, starts_at=starts, ends_at=starts + timedelta(hours=3))


def test_the_door_finds_people_by_any_spelling_of_their_name(session, seminar):
    staff = factories.make_user(session, role="staff")
    people = {name: factories.make_registration(session, seminar, full_name=name).id
              for name in dict.fromkeys(name for name, _query in CASES + NOT_FOUND)}
    session.commit()
    assert len(CASES) >= 30

    def found(query):
        return {person.id for person in door.search(session, seminar, query, by=staff, locale="ru")}

    missed = [(name, query) for name, query in CASES if people[name] not in found(query)]
    wrongly = [(name, query) for name, query in NOT_FOUND if people[name] in found(query)]
    assert missed == [] and wrongly == []


def test_the_organizer_list_finds_the_same_spellings(session, seminar):
    aliya = factories.make_registration(session, seminar, full_name="Әлия Сейтқали")
    factories.make_registration(session, seminar, full_name="Жанна Ахметова")
    session.commit()
    page = organizer.registrations_page(session, seminar, q="seitkali aliia", locale="en")
    assert [r.id for r in page.items] == [aliya.id]


def test_a_query_is_folded_like_the_key():
    assert "aliia" in search_key("Әлия").split() and "aliya" in search_key("Әлия").split()
    assert search_key("Серікбаева").split()[0] == search_key("Серикбаева").split()[0] == "серикбаева"


# --- alphabetical order --------------------------------------------------------------------------------------

KAZAKH_NAMES = ["Пак", "Өмірзақ", "Орлов", "Әлия", "Аян", "Бек", "Ёлкин", "Ершов", "Егоров"]
CHINESE_AND_LATIN = ["Zoe Smith", "张伟", "王芳", "Anna Lee", "李明"]


def _export_names(session, seminar, user, locale):
    download = reports.export_list(session, seminar, "registrations", "csv", user=user, locale=locale)
    session.commit()
    body = "".join(download.body) if not callable(download.body) else "".join(download.body())
    return [row[0] for row in csv.reader(io.StringIO(body.lstrip("\ufeff")))][1:]


def test_exports_follow_the_kazakh_and_russian_alphabet(session, seminar):
    organizer_user = factories.make_user(session, role="organizer")
    for name in KAZAKH_NAMES + ["Ivanov"]:
        factories.make_registration(session, seminar, full_name=name)
    session.commit()
    expected = ["Аян", "Әлия", "Бек", "Егоров", "Ёлкин", "Ершов", "Орлов", "Өмірзақ", "Пак"]
    assert _export_names(session, seminar, organizer_user, "kk") == [*expected, "Ivanov"]
    assert _export_names(session, seminar, organizer_user, "ru") == [*expected, "Ivanov"]
    assert _export_names(session, seminar, organizer_user, "en") == ["Ivanov", *expected]


@pytest.mark.parametrize("app_config", [{"LANGUAGES": {"en": "English", "kk": "Қазақша"}}])
def test_the_attendance_xlsx_downloaded_in_kazakh_is_in_kazakh_order(client, session, seminar, login):
    for name in ["Өмірзақ", "Ivanov", "Орлов", "Әлия", "Аян"]:
        factories.make_registration(session, seminar, full_name=name, checked_in_at=utcnow())
    session.commit()
    login("organizer")
    response = client.get(f"/reports/s/{seminar.slug}/attendance.xlsx", headers={"Accept-Language": "kk"})
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["Аян", "Әлия", "Орлов", "Өмірзақ", "Ivanov"]


def test_chinese_names_sort_by_pinyin_among_latin_ones_in_chinese(session, seminar):
    organizer_user = factories.make_user(session, role="organizer")
    for name in CHINESE_AND_LATIN:
        factories.make_registration(session, seminar, full_name=name)
    session.commit()
    # li, wang, zhang: by code point 张 would come first.
    assert _export_names(session, seminar, organizer_user, "zh") == ["Anna Lee", "李明", "王芳", "张伟", "Zoe Smith"]
    assert _export_names(session, seminar, organizer_user, "ru") == ["Anna Lee", "Zoe Smith", "李明", "王芳", "张伟"]


def test_the_organizer_list_and_the_door_sort_by_the_readers_alphabet(session, seminar):
    staff = factories.make_user(session, role="staff")
    for name in ["Өмір Ахмет", "Омар Ахмет", "Ахмет Әлі", "Ахмет Ахметов"]:
        factories.make_registration(session, seminar, full_name=name)
    session.commit()
    page = organizer.registrations_page(session, seminar, sort="name", descending=False, locale="kk")
    assert [r.full_name for r in page.items] == ["Ахмет Ахметов", "Ахмет Әлі", "Омар Ахмет", "Өмір Ахмет"]
    found = door.search(session, seminar, "ахмет", by=staff, locale="kk")
    assert [p.full_name for p in found] == ["Ахмет Ахметов", "Ахмет Әлі", "Омар Ахмет", "Өмір Ахмет"]


# --- the migration ------------------------------------------------------------------------------------------


def test_the_migration_rebuilds_the_keys_of_existing_registrations(database_url, tmp_path):
    """Registrations written before 0020b (keys of the old kind, no sort key) are found and sorted after it."""
    _empty_database(database_url)
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url}, instance_path=str(tmp_path))
    with app.app_context():
        upgrade()
        seminar = factories.make_seminar(db.session)
        factories.make_registration(db.session, seminar, full_name="Әлия Сейтқали", organization="ЕНУ")
        db.session.commit()
        db.session.remove()
        downgrade(revision="0018")
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE registration SET search_text = 'әлия сейтқали'"))
        upgrade()
        with db.engine.connect() as conn:
            key, sort = conn.execute(text("SELECT search_text, name_sort_key FROM registration")).one()
        db.engine.dispose()
    assert {"aliia", "aliya", "seitkali", "enu"} <= set(key.split())
    assert sort.startswith("2") and len(sort) > 20
