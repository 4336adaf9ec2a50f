"""The organizer's registration pages: list, search, filters, actions, add by hand, edit, CSV import."""

import html
import io
import json
import re
from datetime import timedelta

from sqlalchemy import func, select

from eventreg.models import AuditEntry, OutboxMessage, Registration, utcnow
from tests.factories import category, make_category, make_registration, make_seminar


def test_the_list_searches_case_insensitively_in_cyrillic_and_filters(session, client, login):
    seminar = make_seminar(session)
    login("organizer")
    make_registration(session, seminar, full_name="Иван Петров", email="ivan@example.kz", organization="КазГУ")
    make_registration(session, seminar, full_name="Aigerim Nurlanovna", category_key="student", status="waitlisted")
    make_registration(session, seminar, full_name="Zhang Wei", organization="Tsinghua")
    session.commit()
    url = f"/organizer/s/{seminar.slug}/registrations"
    for query in ("иван", "ИВАН", "казгу", "IVAN@EXAMPLE"):
        page = client.get(url, query_string={"q": query}).get_data(as_text=True)
        assert "Иван Петров" in page and "Zhang Wei" not in page, query
    page = client.get(url, query_string={"status": "waitlisted"}).get_data(as_text=True)
    assert "Aigerim Nurlanovna" in page and "Иван Петров" not in page
    page = client.get(url, query_string={"category": "student"}).get_data(as_text=True)
    assert "Aigerim Nurlanovna" in page and "Zhang Wei" not in page
    page = client.get(url, query_string={"q": "%"}).get_data(as_text=True)
    assert "No registrations match." in page


def test_the_list_is_paginated(session, client, login):
    seminar = make_seminar(session, capacity=None)
    login("organizer")
    for n in range(55):
        make_registration(session, seminar, full_name=f"Person {chr(65 + n // 26)}{chr(65 + n % 26)}")
    session.commit()
    url = f"/organizer/s/{seminar.slug}/registrations"
    first = client.get(url).get_data(as_text=True)
    second = client.get(url, query_string={"page": 2}).get_data(as_text=True)
    assert "Page 1 of 2" in first and "55 registrations" in first
    assert first.count("<td><span class=\"badge badge-confirmed\">") == 50
    assert second.count("<td><span class=\"badge badge-confirmed\">") == 5


def _sorting_people(session, seminar):
    now = utcnow()
    people = {
        "A": dict(full_name="Aigerim Alpha", email="d@example.org", organization="Zeta Corp", category_key="general",
                  created_at=now - timedelta(days=4), checked_in_at=now - timedelta(hours=1)),
        "B": dict(full_name="Bolat Bravo", email="a@example.org", organization="", category_key="student",
                  status="pending", created_at=now - timedelta(days=1)),
        "C": dict(full_name="Chen Charlie", email="c@example.org", organization="acme", category_key="business",
                  status="waitlisted", created_at=now - timedelta(days=3)),
        "D": dict(full_name="Dana Delta", email="b@example.org", organization="Beta LLC", category_key="expert",
                  created_at=now - timedelta(days=2), checked_in_at=now - timedelta(hours=2)),
    }
    return {make_registration(session, seminar, **values).full_name: letter for letter, values in people.items()}


def test_the_list_sorts_by_any_column_both_ways(session, client, login):
    seminar = make_seminar(session)
    login("organizer")
    letters = _sorting_people(session, seminar)
    session.commit()
    url = f"/organizer/s/{seminar.slug}/registrations"

    def order(**args):
        page = client.get(url, query_string=args).get_data(as_text=True)
        return "".join(letters[name] for name in re.findall(r'/edit">([^<]+)</a>', page))

    expected = {  # (ascending, descending): empty organizations and nobody-checked-in stay last both ways
        "name": ("ABCD", "DCBA"), "email": ("BDCA", "ACDB"), "organization": ("CDAB", "ADCB"),
        "category": ("CDAB", "BADC"), "status": ("ADCB", "BCDA"), "registered": ("ACDB", "BDCA"),
        "checked_in": ("DABC", "ADCB"),
    }
    for sort, (ascending, descending) in expected.items():
        assert (order(sort=sort, dir="asc"), order(sort=sort, dir="desc")) == (ascending, descending), sort
    assert order() == order(sort="evil'; DROP TABLE registration", dir="sideways") == "BDCA"  # newest first


def test_column_headers_sort_and_keep_the_filter(session, client, login):
    seminar = make_seminar(session)
    login("organizer")
    make_registration(session, seminar)
    session.commit()
    url = f"/organizer/s/{seminar.slug}/registrations"
    page = html.unescape(client.get(url, query_string={"status": "confirmed", "sort": "name", "dir": "asc"})
                         .get_data(as_text=True))
    assert f'{url}?sort=name&dir=desc&status=confirmed"' in page  # the active column: the other way
    assert f'{url}?sort=email&dir=asc&status=confirmed"' in page
    assert 'aria-sort="ascending"' in page
    assert '<input type="hidden" name="sort" value="name">' in page  # the filter form keeps the order


def test_the_list_shows_who_is_checked_in(session, client, login):
    seminar = make_seminar(session)
    login("organizer")
    make_registration(session, seminar, full_name="Came In", checked_in_at=utcnow())
    make_registration(session, seminar, full_name="Not Yet")
    session.commit()
    page = client.get(f"/organizer/s/{seminar.slug}/registrations", query_string={"sort": "name"}).get_data(
        as_text=True)
    assert ">Checked in<" in page
    cells = re.findall(r'<td class="checked-in">([^<]*)</td>', page)
    assert len(cells) == 2 and cells[0].strip() and not cells[1].strip()


def test_approve_reject_cancel_and_move_to_confirmed(session, client, login):
    seminar = make_seminar(session, capacity=1, requires_approval=True)
    organizer = login("organizer")
    pending = make_registration(session, seminar, status="pending")
    rejected = make_registration(session, seminar, status="pending")
    waiting = make_registration(session, seminar, status="waitlisted")
    session.commit()
    base = f"/organizer/s/{seminar.slug}/registrations"
    assert client.post(f"{base}/{pending.id}/approve").status_code == 302
    client.post(f"{base}/{rejected.id}/reject")
    response = client.post(f"{base}/{waiting.id}/confirm", follow_redirects=True)
    assert "Sorry, the seminar is full." in response.get_data(as_text=True)
    client.post(f"{base}/{pending.id}/cancel")
    session.expire_all()
    assert (pending.status, rejected.status, waiting.status) == ("cancelled", "rejected", "confirmed")
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.user_id == organizer.id)).all()
    assert {"registration_approved", "registration_rejected", "registration_cancelled"} <= set(actions)
    assert client.post(f"{base}/{pending.id}/explode").status_code == 404


def test_actions_on_another_seminars_registration_are_refused(session, client, login):
    login("organizer")
    seminar = make_seminar(session)
    other = make_registration(session, make_seminar(session))
    session.commit()
    assert client.post(f"/organizer/s/{seminar.slug}/registrations/{other.id}/cancel").status_code == 404
    session.expire_all()
    assert other.status == "confirmed"


def test_add_by_hand_into_a_hidden_category(session, client, login):
    seminar = make_seminar(session)
    login("organizer")
    embassy = make_category(session, seminar, key="embassy", label="Embassy guests", is_public=False)
    session.commit()
    form = client.get(f"/organizer/s/{seminar.slug}/registrations/new").get_data(as_text=True)
    assert "Embassy guests" in form
    response = client.post(f"/organizer/s/{seminar.slug}/registrations/new", data={
        "full_name": "H.E. Zhang Xiao", "email": "ambassador@example.cn", "category_id": str(embassy.id),
        "language": "zh"}, follow_redirects=True)
    assert "H.E. Zhang Xiao added: Confirmed." in response.get_data(as_text=True)
    registration = session.scalars(select(Registration)).one()
    assert registration.source == "organizer" and registration.category_id == embassy.id


def test_the_add_form_speaks_to_the_organizer_who_chooses_the_email(session, client, login):
    seminar = make_seminar(session)
    login("organizer")
    session.commit()
    url = f"/organizer/s/{seminar.slug}/registrations/new"
    form = html.unescape(client.get(url).get_data(as_text=True))
    for words in ("The person's e-mail", "The person's full name", "They attend as", "Their organization (optional)",
                  "Send them the confirmation e-mail"):
        assert words in form, words
    for words in ("Your e-mail", "About you", "I am attending as", "Your organization", "I agree"):
        assert words not in form, words
    # The browser must not offer the organizer's own name, address or phone.
    assert re.findall(r'autocomplete="(\w+)"', form) and set(re.findall(r'autocomplete="(\w+)"', form)) == {"off"}
    signup = client.get(f"/s/{seminar.slug}/register").get_data(as_text=True)
    assert "About you" in signup and 'autocomplete="email"' in signup  # the public form still speaks to the person
    general = str(category(seminar, "general").id)
    client.post(url, data={"full_name": "Quiet Guest", "email": "quiet@example.kz", "category_id": general})
    client.post(url, data={"full_name": "Told Guest", "email": "told@example.kz", "category_id": general,
                           "notify": "y"})
    assert session.scalars(select(OutboxMessage.recipient)).all() == ["told@example.kz"]
    assert session.scalar(select(func.count()).select_from(Registration)) == 2


def test_edit_details(session, client, login):
    seminar = make_seminar(session)
    login("organizer")
    registration = make_registration(session, seminar, full_name="Old Name")
    taken = make_registration(session, seminar, email="taken@example.org")
    session.commit()
    url = f"/organizer/s/{seminar.slug}/registrations/{registration.id}/edit"
    assert 'value="Old Name"' in client.get(url).get_data(as_text=True)
    data = {"full_name": "Новое Имя", "email": registration.email, "category_id": str(category(seminar, "business").id),
            "language": "ru"}
    assert client.post(url, data=data).status_code == 302
    session.expire_all()
    assert registration.full_name == "Новое Имя" and registration.category.key == "business"
    response = client.post(url, data={**data, "email": taken.email})
    assert "already registered" in response.get_data(as_text=True)
    session.expire_all()
    assert registration.email != taken.email


CSV = (
    "full_name,email,category,university,programme,study_level,study_year\n"
    "Аружан Сәрсенбаева,aruzhan@example.kz,student,Astana IT University,CS,bachelor,2\n"
    "Ерлан Қасымов,erlan@example.kz,,Nazarbayev University,Economics,master,1\n"
    "Broken Row,not-an-email,student,X,Y,bachelor,1\n"
    "Twice,aruzhan@example.kz,student,X,Y,bachelor,1\n"
    "Already There,existing@example.kz,student,X,Y,bachelor,1\n"
)


def test_csv_import_previews_then_registers_only_when_confirmed(session, client, login):
    seminar = make_seminar(session)
    login("organizer")
    make_registration(session, seminar, email="existing@example.kz")
    session.commit()
    url = f"/organizer/s/{seminar.slug}/import"
    preview = client.post(url, data={"file": (io.BytesIO(("\ufeff" + CSV).encode()), "students.csv")},
                          content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert "2 of 5 rows can be registered" in page
    assert "This is not a valid e-mail address." in page
    assert "Duplicate e-mail in this file" in page
    assert "already registered" in page
    # Nothing written by the preview.
    assert session.scalar(select(func.count()).select_from(Registration)) == 1
    rows = html.unescape(page.split('name="rows" type="hidden" value="')[1].split('"')[0])
    assert [r["email"] for r in json.loads(rows)] == ["aruzhan@example.kz", "erlan@example.kz"]
    done = client.post(url, data={"step": "confirm", "rows": rows, "notify": "yes"}, follow_redirects=True)
    assert "2 registrations imported." in done.get_data(as_text=True)
    imported = session.scalars(select(Registration).where(Registration.source == "import")).all()
    assert sorted(r.email for r in imported) == ["aruzhan@example.kz", "erlan@example.kz"]
    assert {r.category.key for r in imported} == {"student"}
    assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "confirmation")) == 2


def test_csv_import_explains_a_bad_file(session, client, login):
    seminar = make_seminar(session)
    login("organizer")
    session.commit()
    url = f"/organizer/s/{seminar.slug}/import"
    for content, message in ((b"\x98\x98bad", "could not be read"), (b"foo,bar\n1,2\n", "first row must name")):
        page = client.post(url, data={"file": (io.BytesIO(content), "x.csv")},
                           content_type="multipart/form-data").get_data(as_text=True)
        assert message in page
    assert session.scalar(select(func.count()).select_from(Registration)) == 0
