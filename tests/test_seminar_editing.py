"""Building a seminar on its own page: programme items, speakers and categories added there, moved up and
down there (with JavaScript, without a reload), and every speaker listed on the public page."""

import re

from eventreg.models import AgendaItem, Category
from eventreg.seminars import services
from tests.factories import make_seminar


def _manage(client, seminar):
    return client.get(f"/organizer/s/{seminar.slug}/").get_data(as_text=True)


def test_the_seminar_page_holds_the_add_forms_for_every_part(client, session, login):
    seminar = make_seminar(session, categories=False)
    session.commit()
    login("organizer")  # the seminar's team: its owner
    page = _manage(client, seminar)
    for endpoint in ("agenda/new", "speakers/new", "categories/new"):
        assert f'<form method="post" action="/organizer/s/{seminar.slug}/{endpoint}"' in page
    # Nothing yet: every add form is open, with its fields on this page.
    assert page.count('<details class="inline-add" open>') == 3
    assert 'name="title"' in page and 'name="name"' in page and 'name="label"' in page


def test_parts_are_added_from_the_seminar_page_and_come_back_to_it(client, session, login):
    seminar = make_seminar(session)
    session.commit()
    login("organizer")
    base = f"/organizer/s/{seminar.slug}"
    answer = client.post(f"{base}/speakers/new", data={"name": "Aigul Sadykova", "position": "Director"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"{base}/#speaker")
    session.expire_all()
    [speaker] = session.get(type(seminar), seminar.id).speakers
    day = seminar.local(seminar.starts_at).date().isoformat()
    answer = client.post(f"{base}/agenda/new", data={"title": "Opening", "kind": "welcome", "day": day,
                                                     "starts_at": "10:00", "speaker_ids": str(speaker.id)})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"{base}/#agenda")
    answer = client.post(f"{base}/categories/new", data={"label": "Embassy guests", "quota": "10"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"{base}/#category")
    page = _manage(client, seminar)
    assert "Opening" in page and "Aigul Sadykova" in page and "Embassy guests" in page
    assert page.count('<details class="inline-add" open>') == 0


def test_agenda_items_and_categories_move_without_javascript_and_with_it(client, session, login):
    seminar = make_seminar(session)
    for n, title in enumerate(("Welcome", "Keynote", "Panel")):
        session.add(AgendaItem(seminar=seminar, position=n, title=title, kind="talk", starts_at=seminar.starts_at))
    session.commit()
    login("organizer")
    items = list(seminar.agenda_items)
    base = f"/organizer/s/{seminar.slug}"
    # Without JavaScript: a form post, back at the moved row.
    answer = client.post(f"{base}/agenda/{items[2].id}/move", data={"direction": "up"})
    assert answer.headers["Location"].endswith(f"#item-{items[2].id}")
    # With JavaScript: the script asks for JSON, and moves the row itself.
    answer = client.post(f"{base}/agenda/{items[0].id}/move", data={"direction": "down"},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.get_json() == {"moved": items[0].id, "position": 1}
    session.expire_all()
    assert [i.title for i in session.get(type(seminar), seminar.id).agenda_items] == ["Panel", "Welcome", "Keynote"]

    categories = list(seminar.categories)
    answer = client.post(f"{base}/categories/{categories[1].id}/move", data={"direction": "up"},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 200
    session.expire_all()
    keys = [c.key for c in session.get(type(seminar), seminar.id).categories]
    assert keys[:2] == [categories[1].key, categories[0].key]
    assert client.post(f"{base}/categories/{categories[1].id}/move", data={"direction": "sideways"}).status_code == 400
    page = _manage(client, seminar)
    assert f'id="category-{categories[1].id}" data-movable' in page
    assert re.search(rf'action="{base}/categories/{categories[1].id}/move" class="inline-form move-form" data-move',
                     page)
    assert "/static/js/seminar-manage.js" in page


def test_a_category_of_another_seminar_cannot_be_moved(client, session, login):
    mine, theirs = make_seminar(session), make_seminar(session)
    session.commit()
    login("organizer", seminars=[mine])
    other = theirs.categories[0]
    assert client.post(f"/organizer/s/{mine.slug}/categories/{other.id}/move",
                       data={"direction": "down"}).status_code == 404
    session.expire_all()
    assert session.get(Category, other.id).position == 0


def test_a_speaker_without_a_bio_is_listed_under_speakers(client, session):
    seminar = make_seminar(session)
    services.save_speaker(session, seminar, {"name": "Erlan Karin", "honorific": "Dr.", "affiliation": "KISI"})
    services.save_speaker(session, seminar, {"name": "Li Wei", "bio": "Writes on the Silk Road."})
    session.commit()
    page = client.get(f"/s/{seminar.slug}/").get_data(as_text=True)
    speakers = page.split("<h2>Speakers</h2>")[1]
    assert "Dr. Erlan Karin" in speakers and "KISI" in speakers
    assert "Li Wei" in speakers and "Writes on the Silk Road." in speakers
