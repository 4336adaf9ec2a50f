"""The CSV import as an organizer meets it: Excel's encodings (cp1251, UTF-16), levels and categories as
people write them in three languages, each bad row's own message, an explicit e-mail choice, and no 500 for
CR-only line endings, huge cells or NUL characters (issue #27)."""

import html
import io
import json
import re

import pytest
from sqlalchemy import func, select

from eventreg.models import OutboxMessage, Registration
from eventreg.registration import organizer
from tests.factories import category, make_seminar

HEADER = "full_name,email,category,organization,university,programme,study_level,study_year\n"
CYRILLIC = HEADER + (
    "Асель Нурланова,asel@example.kz,студент,,ЕНУ,Экономика,магистратура (2 курс),\n"
    "Иван Петров,ivan@example.kz,Эксперт,КазМунайГаз,,,,\n"
    "Дина Серикова,dina@example.kz,STUDENT,,КБТУ,Право,Бакалавр,3\n"
)


@pytest.fixture
def seminar(session, login):
    seminar = make_seminar(session)
    session.commit()
    login("organizer")  # the seminar's owner
    return seminar


def _preview(client, seminar, content):
    response = client.post(f"/organizer/s/{seminar.slug}/import",
                           data={"file": (io.BytesIO(content), "people.csv")}, content_type="multipart/form-data")
    return response, response.get_data(as_text=True)


def _hidden_rows(page):
    return html.unescape(page.split('name="rows" type="hidden" value="')[1].split('"')[0])


def _count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("encoding", "shown"), [("cp1251", "Windows-1251 (Cyrillic)"), ("utf-16", "UTF-16"),
                                                  ("utf-8-sig", "UTF-8")])
def test_files_saved_by_excel_are_read_and_their_encoding_shown(client, session, seminar, encoding, shown):
    content = CYRILLIC.encode(encoding)
    if encoding == "utf-16":  # Excel's "Unicode Text": UTF-16 with a BOM, tab separated
        content = CYRILLIC.replace(",", "\t").encode("utf-16")
    response, page = _preview(client, seminar, content)
    assert response.status_code == 200
    assert f"File read as {shown}." in page
    assert "3 of 3 rows can be registered" in page
    rows = json.loads(_hidden_rows(page))
    assert [r["full_name"] for r in rows] == ["Асель Нурланова", "Иван Петров", "Дина Серикова"]
    assert _count(session, Registration) == 0


def test_levels_and_categories_are_matched_as_people_write_them(client, session, seminar):
    _, page = _preview(client, seminar, CYRILLIC.encode("utf-8"))
    client.post(f"/organizer/s/{seminar.slug}/import", data={"step": "confirm", "rows": _hidden_rows(page)})
    people = {r.email: r for r in session.scalars(select(Registration)).all()}
    assert (people["asel@example.kz"].category.key, people["asel@example.kz"].study_level,
            people["asel@example.kz"].study_year) == ("student", "master", 2)
    assert people["ivan@example.kz"].category.key == "expert"
    assert (people["dina@example.kz"].category.key, people["dina@example.kz"].study_level) == ("student", "bachelor")


def test_matching_names_levels_in_three_languages_and_refuses_the_ambiguous(session):
    seminar = make_seminar(session)
    assert organizer.match_level("Master") == "master"
    assert organizer.match_level("магистратура (2 курс)") == "master"
    assert organizer.match_level("PhD докторантура") == "phd"
    assert organizer.match_level("бакалавр") == "bachelor"
    assert organizer.match_level("bachelor or master") == "bachelor or master"
    assert organizer.match_year("магистратура (2 курс)") == "2"
    assert organizer.match_category(seminar, "сарапшы") is category(seminar, "expert")
    assert organizer.match_category(seminar, "government / DIPLOMATIC") is category(seminar, "government")
    assert organizer.match_category(seminar, "студенты") is category(seminar, "student")
    assert organizer.match_category(seminar, "someone") is None


def test_each_bad_row_says_its_own_problem_without_a_general_sentence(client, session, seminar):
    content = (HEADER + "Good Person,good@example.kz,general,,,,,\n"
               "Bad Mail,not-an-address,general,,,,,\n"
               "Nobody Knows,who@example.kz,astronaut,,,,,\n").encode()
    _, page = _preview(client, seminar, content)
    rows = re.findall(r'<tr class="import-(?:ok|problem)">(.*?)</tr>', page, re.S)
    assert "The person's e-mail: This is not a valid e-mail address." in rows[1]
    assert "They attend as: Choose one of this seminar's categories." in rows[2]
    assert "Please correct the fields marked below." not in page


def test_nobody_is_emailed_unless_the_organizer_chooses_it(client, session, seminar):
    _, page = _preview(client, seminar, CYRILLIC.encode())
    assert " checked " in re.search(r'<input[^>]*name="notify"[^>]*value="no"[^>]*>', page).group(0)
    assert " checked " not in re.search(r'<input[^>]*name="notify"[^>]*value="yes"[^>]*>', page).group(0)
    assert "Send the tickets by e-mail now to 3 people" in page
    assert "Do not e-mail" in page
    url = f"/organizer/s/{seminar.slug}/import"
    client.post(url, data={"step": "confirm", "rows": _hidden_rows(page)})
    assert _count(session, Registration) == 3
    assert _count(session, OutboxMessage) == 0


def test_the_tickets_go_out_when_the_organizer_says_so(client, session, seminar):
    _, page = _preview(client, seminar, CYRILLIC.encode())
    client.post(f"/organizer/s/{seminar.slug}/import",
                data={"step": "confirm", "rows": _hidden_rows(page), "notify": "yes"})
    assert _count(session, OutboxMessage) == 3


def test_a_file_with_cr_only_line_endings_is_read(client, session, seminar):
    response, page = _preview(client, seminar, CYRILLIC.replace("\n", "\r").encode("cp1251"))
    assert response.status_code == 200 and "3 of 3 rows can be registered" in page


def test_a_cell_over_128_kib_is_a_message_in_its_row_and_nothing_is_written(client, session, seminar):
    huge = "A" * (129 * 1024)
    content = (HEADER + f"Long Organization,long@example.kz,general,{huge},,,,\n"
               "Fine Person,fine@example.kz,general,,,,,\n").encode()
    response, page = _preview(client, seminar, content)
    assert response.status_code == 200
    assert "This cell is too long (132096 characters; at most 1000)." in page
    assert huge not in page and huge[:2000] not in page
    assert "1 of 2 rows can be registered" in page
    assert _count(session, Registration) == 0


def test_nul_characters_never_reach_the_database(client, session, seminar):
    content = (HEADER + "Null Org,null@example.kz,general,Acme\x00Corp,,,,\n").encode()
    response, page = _preview(client, seminar, content)
    assert response.status_code == 200
    assert "control characters (such as NUL)" in page and "0 of 1 rows can be registered" in page
    # A confirm step sent with a NUL (escaped in JSON, so the request itself passes) is refused, not a 500.
    rows = json.dumps([{"full_name": "Null Org", "email": "null@example.kz", "organization": "Acme\x00Corp"}])
    response = client.post(f"/organizer/s/{seminar.slug}/import", data={"step": "confirm", "rows": rows})
    assert response.status_code == 400
    assert "came back changed" in response.get_data(as_text=True)
    assert _count(session, Registration) == 0


@pytest.mark.parametrize("rows", ["not json", "{}", '[{"full_name": 5}]', '[{"password": "x"}]', "[1]"])
def test_a_tampered_confirmation_is_refused_with_a_message(client, session, seminar, rows):
    response = client.post(f"/organizer/s/{seminar.slug}/import", data={"step": "confirm", "rows": rows})
    assert response.status_code == 400 and "Upload the file again" in response.get_data(as_text=True)
    assert _count(session, Registration) == 0
