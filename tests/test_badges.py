"""Badges: A4 sheets of eight and single labels, read back as a printer and a door would: pages rendered with
pdfium, QR codes decoded with zxing-cpp and scanned at the door, text read back with pypdf."""

import io
import re
from datetime import timedelta

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader
from sqlalchemy import select

from eventreg import tickets
from eventreg.badges.document import CATEGORY_COLOURS, LAYOUTS, category_colour
from eventreg.models import AuditEntry, Registration, utcnow
from tests import factories

MM = 72 / 25.4  # points
RENDER_SCALE = 3  # 216 dpi: a badge's QR module (about 0.5 mm) is 4 pixels
LONG_KAZAKH_NAME = "Нұрсұлтанқызы Әлия-Гүлнар Ерланқызы Серікбаева-Омарова Жұмабекова Қайратқызы"
PEOPLE = [  # (name, category, organization)
    ("Әлия Нұрғалиқызы Өмірбекова", "student", ""),
    ("Иванов Сергей", "expert", "Институт востоковедения"),
    ("王小明", "business", "华为技术有限公司"),
    ("Ерлан Серікбаев", "government", "Министерство иностранных дел"),
    ("John Smith", "media", "Astana Times"),
    ("Дана Жұмабекова", "academic", "ENU"),
    ("Ли Вэй 李伟", "business", "Huawei"),
    ("Тимур Ахметов", "student", ""),
    ("Zoe Lee", "general", "Astana Hub"),
    (LONG_KAZAKH_NAME, "general", "Әл-Фараби атындағы Қазақ ұлттық университеті, Халықаралық қатынастар факультеті"),
]


@pytest.fixture
def seminar(session):
    """A seminar whose door is open (it starts in half an hour), with signed tickets and ten confirmed people;
    also someone pending and someone cancelled, who get no badge."""
    tickets.rotate_signing_key(session, utcnow())
    starts = utcnow() + timedelta(minutes=30)
    seminar = factories.make_seminar(session, slug="silk-road", title="Silk Road", starts_at=starts,
                                     ends_at=starts + timedelta(hours=3))
    for name, key, organization in PEOPLE:
        factories.make_registration(session, seminar, category_key=key, full_name=name, organization=organization)
    factories.make_registration(session, seminar, full_name="Pending Person", status="pending")
    factories.make_registration(session, seminar, full_name="Cancelled Person", status="cancelled")
    session.commit()
    return seminar


@pytest.fixture
def organizer(login, seminar):
    return login("organizer")


def _person(session, name):
    return session.scalar(select(Registration).where(Registration.full_name == name))


def _print(client, **form):
    return client.post("/organizer/s/silk-road/badges", data={"layout": "a4", "latin": "y", **form},
                       headers={"Accept-Language": "en"})


def _text(pdf_bytes):
    """Each page's text, with line breaks and spaces as single spaces (a long name wraps), and a line that ends in a
    hyphen joined to the next (a double-barrelled name breaks after its hyphen)."""
    pages = PdfReader(io.BytesIO(pdf_bytes)).pages
    return [" ".join(page.extract_text().replace("-\n", "-").split()) for page in pages]


def _pages(pdf_bytes):
    """Each page as a printer sees it: its size in points, its image, and its text page (pdfium)."""
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        yield from ((page.get_size(), page.render(scale=RENDER_SCALE).to_pil(), page.get_textpage())
                    for page in document)
    finally:
        document.close()


def _char_boxes(text):
    return [text.get_charbox(i) for i in range(text.count_chars()) if not text.get_text_range(i, 1).isspace()]


def _slots(layout, page_size):
    """Each badge's rectangle on a page, in points from the bottom-left corner (as pdfium measures)."""
    shape = LAYOUTS[layout]
    if shape.per_sheet is None:
        return [(0, 0, page_size[0], page_size[1])]
    columns, rows = shape.per_sheet
    left, top = (210 - columns * shape.width) / 2 * MM, (297 - rows * shape.height) / 2 * MM
    width, height = shape.width * MM, shape.height * MM
    return [(left + c * width, page_size[1] - top - (r + 1) * height, left + (c + 1) * width,
             page_size[1] - top - r * height) for r in range(rows) for c in range(columns)]


def _slot_of(slots, x, y):
    return next(i for i, (left, bottom, right, top) in enumerate(slots) if left <= x <= right and bottom <= y <= top)


def _badges(pdf_bytes, layout):
    """Per page: {badge slot: (what its QR code decodes to, the badge's text)}; every character is checked to lie
    inside one badge (nothing overflows, nothing is cut at an edge)."""
    pages = []
    for size, image, text in _pages(pdf_bytes):
        slots = _slots(layout, size)
        for left, bottom, right, top in _char_boxes(text):
            assert _slot_of(slots, left, bottom) == _slot_of(slots, right, top)
        found = {}
        # Only QR codes: a badge prints no other kind, and a reader of every kind once read a name as a 1D code.
        for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
            x = (code.position.top_left.x + code.position.bottom_right.x) / 2 / RENDER_SCALE
            y = size[1] - (code.position.top_left.y + code.position.bottom_right.y) / 2 / RENDER_SCALE
            slot = _slot_of(slots, x, y)
            # pdfium reads a hyphen that ends a line as \x02 and joins the lines: the name's own hyphen.
            found[slot] = (code.text, " ".join(text.get_text_bounded(*slots[slot]).replace("\x02", "-").split()))
        pages.append(found)
    return pages


def _decoded(pdf_bytes, layout):
    """Per page: {badge slot: what its QR code decodes to}."""
    return [{slot: code for slot, (code, _) in page.items()} for page in _badges(pdf_bytes, layout)]


def test_a_sheet_has_eight_badges_a_page_and_each_qr_checks_its_person_in_at_the_door(
        app, client, session, seminar, organizer, login):
    response = _print(client)

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    pdf = response.get_data()
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    assert (round(float(reader.pages[0].mediabox.width)), round(float(reader.pages[0].mediabox.height))) == (595, 842)
    pages = _badges(pdf, "a4")
    assert [sorted(page) for page in pages] == [list(range(8)), [0, 1]]
    badges = [page[slot] for page in pages for slot in sorted(page)]
    # English alphabetical order, row by row: Latin names, then Cyrillic (Ә after А), then Chinese.
    order = ["John Smith", "Zoe Lee", "Әлия Нұрғалиқызы Өмірбекова", "Дана Жұмабекова", "Ерлан Серікбаев",
             "Иванов Сергей", "Ли Вэй 李伟", LONG_KAZAKH_NAME, "Тимур Ахметов", "王小明"]
    door_client = app.test_client()
    login("staff", test_client=door_client)
    for name, (code, text) in zip(order, badges, strict=True):
        assert text.startswith(name)
        person = _person(session, name)
        assert code == tickets.ticket_payload(person) and code.startswith("ER2:")  # the ticket's own code
        answer = door_client.post("/api/v1/seminars/silk-road/checkins", json={"code": code, "method": "camera"})
        assert (answer.get_json()["status"], answer.get_json()["registration"]["full_name"]) == ("checked_in", name)
    session.expire_all()
    assert all(_person(session, name).checked_in_at is not None for name, _, _ in PEOPLE)


def test_every_script_prints_with_its_latin_line_organization_and_category(client, organizer):
    text = " ".join(_text(_print(client).get_data()))

    for name, _, organization in PEOPLE:
        assert name in text
        assert organization in text
    assert "Aliya Nurgalikyzy Omirbekova" in text and "Wang Xiaoming" in text and "Sergey" in text
    assert "STUDENT" in text and "GOVERNMENT / DIPLOMATIC" in text
    assert "Pending Person" not in text and "Cancelled Person" not in text
    without_latin = " ".join(_text(_print(client, latin="").get_data()))
    assert "Aliya" not in without_latin and "Wang Xiaoming" not in without_latin


def test_a_long_kazakh_name_shrinks_to_fit_its_badge_and_is_printed_in_full(client, session, seminar, organizer):
    person = _person(session, LONG_KAZAKH_NAME)
    for layout in ("a4", "label-102x76"):
        response = client.post(f"/organizer/s/silk-road/badges/{person.id}", data={"layout": layout, "latin": "y"})
        pdf = response.get_data()
        [text] = _text(pdf)
        assert LONG_KAZAKH_NAME in text
        assert "Әл-Фараби атындағы Қазақ ұлттық университеті, Халықаралық қатынастар факультеті" in text
        [page] = _decoded(pdf, layout)  # every character inside the badge
        assert page[0] == tickets.ticket_payload(person)


@pytest.mark.parametrize("name", ["Мөлдір Серікбаева-Ахметова", "Нұрсұлтан Ерланұлы Жақсыбеков-Әбдірахманов"])
def test_a_double_barrelled_name_breaks_after_its_hyphen_never_inside_a_word(client, session, seminar, organizer,
                                                                             name):
    person = factories.make_registration(session, seminar, full_name=name, category_key="business")
    session.commit()
    for layout in LAYOUTS:
        pdf = client.post(f"/organizer/s/silk-road/badges/{person.id}", data={"layout": layout}).get_data()
        lines = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()
        for word in re.split(r" |(?<=-)", name):
            assert any(word in line for line in lines), (layout, word, lines)


def _name_height(pdf_bytes, name):
    """The height, in points, of the first letter of `name` as printed."""
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        text = document[0].get_textpage()
        start = text.get_text_range().index(name[:5])
        left, bottom, right, top = text.get_charbox(start)
        return top - bottom
    finally:
        document.close()


def test_a_long_name_is_printed_smaller_than_a_short_one(client, session, seminar, organizer):
    long_one, short_one = _person(session, LONG_KAZAKH_NAME), _person(session, "Тимур Ахметов")
    sizes = [_name_height(client.post(f"/organizer/s/silk-road/badges/{p.id}", data={"layout": "a4"}).get_data(),
                          p.full_name) for p in (long_one, short_one)]
    assert sizes[0] < sizes[1] * 0.7


def test_a_label_is_one_badge_a_page_of_the_labels_size(client, organizer):
    response = _print(client, layout="label-102x76", category="student")

    reader = PdfReader(io.BytesIO(response.get_data()))
    assert len(reader.pages) == 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (102, 76)
    assert [sorted(page) for page in _decoded(response.get_data(), "label-102x76")] == [[0], [0]]


def test_the_category_is_a_band_of_its_colour(client, session, organizer):
    pdf = client.post(f"/organizer/s/silk-road/badges/{_person(session, 'Тимур Ахметов').id}",
                      data={"layout": "label-102x76"}).get_data()
    [(_, image, _)] = list(_pages(pdf))
    band = image.convert("RGB").getpixel((3, image.height - 3))  # the bottom-left corner is the band
    assert band == CATEGORY_COLOURS["student"]
    assert category_colour("speakers") == category_colour("speakers") != category_colour("sponsors")


def test_filters_category_and_not_yet_printed_and_printing_is_recorded(client, session, seminar, organizer):
    students = _print(client, category="student")
    assert sorted(" ".join(_text(students.get_data())).count(n) for n in ("Әлия", "Тимур", "Иванов")) == [0, 1, 1]
    session.expire_all()
    printed = {r.full_name for r in session.scalars(select(Registration).where(
        Registration.badge_printed_at.is_not(None)))}
    assert printed == {"Әлия Нұрғалиқызы Өмірбекова", "Тимур Ахметов"}

    rest = " ".join(_text(_print(client, not_printed="y").get_data()))
    assert "Иванов Сергей" in rest and "Тимур Ахметов" not in rest and "Әлия Нұрғалиқызы" not in rest
    page = client.get("/organizer/s/silk-road/badges", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "marks everyone in it as printed" in page

    nobody = _print(client, not_printed="y")
    assert nobody.mimetype == "text/html"
    assert "Nobody matches this choice" in nobody.get_data(as_text=True)
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "badges_printed")
                              .order_by(AuditEntry.id)).all()
    assert [(e.details["category"], e.details["not_printed"], e.details["count"]) for e in entries] == [
        ("student", False, 2), (None, True, 8)]


def test_one_persons_badge_from_their_registration(client, session, seminar, organizer):
    person = _person(session, "Иванов Сергей")
    page = client.get(f"/organizer/s/silk-road/registrations/{person.id}/edit").get_data(as_text=True)
    assert f'action="/organizer/s/silk-road/badges/{person.id}"' in page and "Print badge" in page

    response = client.post(f"/organizer/s/silk-road/badges/{person.id}", data={"layout": "a4", "latin": "y"})

    assert response.headers["Content-Disposition"].startswith("inline;")
    assert [sorted(page) for page in _decoded(response.get_data(), "a4")] == [[0]]
    session.expire_all()
    assert [r.full_name for r in session.scalars(select(Registration).where(
        Registration.badge_printed_at.is_not(None)))] == ["Иванов Сергей"]
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "badges_printed")).all()
    assert entry.registration_id == person.id
    pending = _person(session, "Pending Person")
    refused = client.post(f"/organizer/s/silk-road/badges/{pending.id}", data={"layout": "a4"})
    assert refused.status_code == 302
    assert "Only confirmed people get a badge" in client.get(refused.location).get_data(as_text=True)


def test_bad_choices_are_refused_and_nothing_is_marked(client, session, organizer):
    assert _print(client, layout="poster").status_code == 400
    assert "No such category" in _print(client, category="nope").get_data(as_text=True)
    assert session.scalar(select(Registration).where(Registration.badge_printed_at.is_not(None))) is None


def test_the_door_prints_a_walk_ins_badge_from_its_result_screen(client, session, seminar, login):
    door = login("staff")
    response = client.post("/checkin/s/silk-road/walk-in", data={
        "full_name": "Ержан Әлиев", "organization": "Astana Hub", "gate": "Door 1",
        "category_id": str(factories.category(seminar, "business").id)})
    walk_in = _person(session, "Ержан Әлиев")
    assert response.location.endswith(f"/checkin/s/silk-road/walk-in/{walk_in.id}")
    page = client.get(response.location).get_data(as_text=True)
    assert "Print badge" in page and f'action="/checkin/s/silk-road/walk-in/{walk_in.id}/badge"' in page

    badge = client.post(f"/checkin/s/silk-road/walk-in/{walk_in.id}/badge",
                        data={"layout": "label-102x76", "latin": "y"})

    assert badge.mimetype == "application/pdf"
    assert "Ержан Әлиев" in _text(badge.get_data())[0] and "Yerzhan Aliyev" in _text(badge.get_data())[0]
    assert _decoded(badge.get_data(), "label-102x76") == [{0: tickets.ticket_payload(walk_in)}]
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "badges_printed")).all()
    assert (entry.user_id, entry.registration_id) == (door.id, walk_in.id)
    # Anyone else's badge is not printed at the door, nor is the organizer's badge page open to the door.
    other = _person(session, "Иванов Сергей")
    refused = client.post(f"/checkin/s/silk-road/walk-in/{other.id}/badge", data={"layout": "a4"})
    assert refused.status_code == 302 and refused.mimetype == "text/html"
    assert client.get(f"/checkin/s/silk-road/walk-in/{other.id}").status_code == 302
    assert client.get("/organizer/s/silk-road/badges").status_code == 403
    assert client.post(f"/organizer/s/silk-road/badges/{other.id}", data={"layout": "a4"}).status_code == 403


def test_someone_outside_the_team_finds_no_badges(client, session, seminar, login):
    walk_in = factories.make_registration(session, seminar, full_name="Walk In", source="walk_in")
    session.commit()
    login("organizer", seminars=[])
    person = _person(session, "Иванов Сергей")
    assert client.get("/organizer/s/silk-road/badges").status_code == 404
    assert _print(client).status_code == 404
    assert client.post(f"/organizer/s/silk-road/badges/{person.id}", data={"layout": "a4"}).status_code == 404
    assert client.get(f"/checkin/s/silk-road/walk-in/{walk_in.id}").status_code == 404
    assert client.post(f"/checkin/s/silk-road/walk-in/{walk_in.id}/badge", data={"layout": "a4"}).status_code == 404
    assert session.scalars(select(AuditEntry)).all() == []


def test_a_badge_of_another_seminars_person_is_not_found_through_mine(client, session, seminar, organizer):
    other = factories.make_seminar(session)
    stranger = factories.make_registration(session, other, full_name="Stranger", source="walk_in")
    session.commit()
    assert client.post(f"/organizer/s/silk-road/badges/{stranger.id}", data={"layout": "a4"}).status_code == 404
    assert client.post(f"/checkin/s/silk-road/walk-in/{stranger.id}/badge", data={"layout": "a4"}).status_code == 404
