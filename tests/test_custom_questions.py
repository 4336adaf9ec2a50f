"""A seminar's own questions (issue #23): set up by its organizers, answered on the signup form, the organizer's
form and the API by one set of rules, kept per registration, and found in the exports, the API and the report."""

import csv
import io
import re
import threading
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from eventreg.models import Answer, AuditEntry, Question, Registration, utcnow
from eventreg.privacy.services import anonymise_registration
from eventreg.questions import services
from eventreg.questions.services import QuestionRefused
from eventreg.registration.services import RegistrationRefused, register, update_registration
from eventreg.reports.services import summary
from eventreg.seminars.services import SeminarRefused, delete_category, duplicate_seminar
from tests.factories import category, make_registration, make_seminar
from tests.openapi_check import assert_matches_openapi
from tests.test_registration import form_data

MEALS = [{"key": None, "label": "Vegetarian", "translations": {"ru": "Вегетарианское"}},
         {"key": None, "label": "Halal", "translations": {}},
         {"key": None, "label": "No preference", "translations": {}}]


def ask(session, seminar, label, kind="short_text", **data):
    """A question set up through the organizer's service, as the form sends it."""
    return services.save_question(session, seminar, {"label": label, "kind": kind, **data})


def person(seminar, key="general", answers=None, **extra):
    data = {"full_name": "Aliya Nurlanovna", "email": "aliya@example.kz", "category_id": category(seminar, key).id,
            "consent_data": True, **extra}
    if key == "student":
        data.update(university="Nazarbayev University", programme="Economics", study_level="bachelor", study_year=2)
    return {**data, "answers": answers or {}}


def stored(session):
    session.expire_all()
    return {(a.registration_id, a.question_id): a.value for a in session.scalars(select(Answer))}


def nothing_written(session, seminar):
    session.expire_all()
    return (session.scalar(select(func.count()).select_from(Registration)) == 0
            and session.scalar(select(func.count()).select_from(Answer)) == 0 and seminar.seats_taken == 0)


@pytest.fixture
def seminar(session):
    seminar = make_seminar(session, slug="silk-road")
    session.commit()
    return seminar


# -- setting questions up -------------------------------------------------------------------------------------

def test_a_question_gets_a_key_and_its_choices_keys_from_their_labels(session, seminar):
    meal = ask(session, seminar, "Which meal?", "single_choice", choices=MEALS, required=True,
               translations={"label": {"ru": "Какое питание?", "kk": ""}})
    second = ask(session, seminar, "Which meal?", "single_choice", choices=MEALS)

    assert (meal.key, second.key) == ("which-meal", "which-meal-2")
    assert meal.choices == [{"key": "vegetarian", "label": "Vegetarian"}, {"key": "halal", "label": "Halal"},
                            {"key": "no-preference", "label": "No preference"}]
    assert meal.translations == {"label": {"ru": "Какое питание?"}, "choices": {"ru": {"vegetarian": "Вегетарианское"}}}
    assert meal.localized("label", "ru") == "Какое питание?" and meal.localized("label", "kk") == "Which meal?"
    assert [q.position for q in seminar.questions] == [0, 1]


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"label": ""}, "label", "This field is required."),
    ({"kind": "essay"}, "kind", "Choose a kind of answer."),
    ({"kind": "single_choice", "choices": MEALS[:1]}, "choices", "Offer at least two choices."),
    ({"kind": "multiple_choice", "choices": [*MEALS, MEALS[0]]}, "choices", "“Vegetarian” is offered twice."),
    ({"key": "Not A Key"}, "key", "Use lower-case Latin letters, digits and single hyphens."),
    ({"kind": "number", "min_value": 10, "max_value": 1}, "max_value",
     "The largest number must not be below the smallest."),
    ({"category_ids": [999999]}, "category_ids", "Choose categories of this seminar."),
    ({"translations": {"label": {"ru": "x" * 301}}}, "label_ru", "At most 300 characters."),
])
def test_a_question_that_cannot_work_is_refused_field_by_field(session, seminar, data, field, message):
    with pytest.raises(QuestionRefused) as refused:
        ask(session, seminar, **{"label": "Your diet", **data})
    assert refused.value.code == "invalid"
    assert [str(m) for m in refused.value.fields[field]] == [message]


def test_two_questions_cannot_share_a_key(session, seminar):
    ask(session, seminar, "Diet", key="diet")
    with pytest.raises(QuestionRefused) as refused:
        ask(session, seminar, "Food", key="diet")
    assert [str(m) for m in refused.value.fields["key"]] == ["Another question of this seminar has this key."]


# -- answers: one set of rules --------------------------------------------------------------------------------

@pytest.fixture
def questionnaire(session, seminar):
    """One question of each kind, none required."""
    questions = {
        "short_text": ask(session, seminar, "Your title", key="title"),
        "long_text": ask(session, seminar, "Why do you come?", "long_text", key="why"),
        "single_choice": ask(session, seminar, "Meal", "single_choice", key="meal", choices=MEALS),
        "multiple_choice": ask(session, seminar, "Sessions", "multiple_choice", key="sessions",
                               choices=[{"label": "Morning"}, {"label": "Afternoon"}, {"label": "Evening"}]),
        "checkbox": ask(session, seminar, "I need an interpreter", "checkbox", key="interpreter"),
        "date": ask(session, seminar, "Date of arrival", "date", key="arrival"),
        "number": ask(session, seminar, "Accompanying persons", "number", key="guests", min_value=0, max_value=3),
    }
    session.commit()
    return questions


@pytest.mark.parametrize(("key", "value", "message"), [
    ("meal", "caviar", "Choose one of the offered answers."),
    ("sessions", ["morning", "night"], "Choose from the offered answers."),
    ("title", "x" * 100_000, "At most 300 characters."),
    ("why", "x" * 100_000, "At most 5000 characters."),
    ("title", "two\nlines", "No line breaks or control characters here, please."),
    ("guests", "12", "Must be 3 or less."),
    ("guests", "-1", "Must be 0 or more."),
    ("guests", "a few", "A number, e.g. 42 or 2.5."),
    ("arrival", "13.09.2026", "A date, e.g. 2026-09-13."),
    ("arrival", "2026-02-30", "A date, e.g. 2026-09-13."),
    ("interpreter", "maybe", "Tick the box or leave it empty."),
    ("nonsense", "x", "No such question in this seminar."),
])
def test_a_bad_answer_gets_its_message_and_nothing_is_written(session, seminar, questionnaire, key, value, message):
    with pytest.raises(RegistrationRefused) as refused:
        register(session, seminar, person(seminar, answers={"meal": "halal", key: value}), now=utcnow())
    session.rollback()

    assert refused.value.code == "invalid"
    assert {name: [str(m) for m in messages] for name, messages in refused.value.fields.items()} == {
        f"answers.{key}": [message]}
    assert nothing_written(session, seminar)


def test_every_kind_is_stored_in_one_plain_form(session, seminar, questionnaire):
    registration = register(session, seminar, person(seminar, answers={
        "title": "  Dr. ", "why": "To meet\npeople", "meal": "halal", "sessions": ["evening", "morning"],
        "interpreter": True, "arrival": "2026-09-12", "guests": "2,5"}), now=utcnow())
    session.commit()

    values = {q.key: stored(session).get((registration.id, q.id)) for q in questionnaire.values()}
    assert values == {"title": "Dr.", "why": "To meet\npeople", "meal": "halal", "sessions": "morning,evening",
                      "interpreter": "yes", "arrival": "2026-09-12", "guests": "2.5"}


def test_a_required_answer_is_asked_of_the_public_and_the_api_but_not_of_the_organizer(session, seminar):
    ask(session, seminar, "Meal", "single_choice", key="meal", choices=MEALS, required=True)
    ask(session, seminar, "I accept the rules", "checkbox", key="rules", required=True)
    session.commit()
    for source in ("online", "api"):
        with pytest.raises(RegistrationRefused) as refused:
            register(session, seminar, person(seminar, answers={"rules": False}), source=source, now=utcnow())
        session.rollback()
        assert {k: [str(m) for m in v] for k, v in refused.value.fields.items()} == {
            "answers.meal": ["Please answer this question."], "answers.rules": ["Please tick this box."]}
    assert nothing_written(session, seminar)

    register(session, seminar, person(seminar), source="organizer", now=utcnow())
    session.commit()
    assert session.scalar(select(func.count()).select_from(Registration)) == 1


def test_a_question_for_students_is_asked_of_students_only(session, seminar):
    student = category(seminar, "student")
    ask(session, seminar, "Your supervisor", key="supervisor", required=True, category_ids=[student.id])
    session.commit()

    guest = register(session, seminar, person(seminar, answers={"supervisor": "Prof. X"}), now=utcnow())
    session.commit()
    with pytest.raises(RegistrationRefused) as refused:
        register(session, seminar, person(seminar, "student", email="dana@example.kz"), now=utcnow())
    assert list(refused.value.fields) == ["answers.supervisor"]
    session.rollback()
    dana = register(session, seminar, person(seminar, "student", email="dana@example.kz",
                                             answers={"supervisor": "Prof. Y"}), now=utcnow())
    session.commit()

    # The guest's answer to a student question (sent by a form without JavaScript) is not kept.
    assert [(registration_id, value) for (registration_id, _), value in stored(session).items()] == [
        (dana.id, "Prof. Y")]
    assert guest.status == "confirmed"


def test_a_hidden_question_is_no_longer_asked_and_its_answers_stay(session, seminar):
    meal = ask(session, seminar, "Meal", "single_choice", key="meal", choices=MEALS, required=True)
    first = register(session, seminar, person(seminar, answers={"meal": "halal"}), now=utcnow())
    services.set_hidden(session, meal, True)
    session.commit()

    register(session, seminar, person(seminar, email="second@example.kz", answers={"meal": "vegetarian"}),
             now=utcnow())
    session.commit()
    assert stored(session) == {(first.id, meal.id): "halal"}


# -- the signup form ------------------------------------------------------------------------------------------

def test_the_signup_form_asks_keeps_the_answers_on_error_and_says_what_is_wrong(session, client, seminar,
                                                                                questionnaire):
    student = category(seminar, "student")
    ask(session, seminar, "Your supervisor", key="supervisor", category_ids=[student.id],
        help_text="As on your student card.")
    session.commit()
    page = client.get("/s/silk-road/register").get_data(as_text=True)
    assert 'name="answers.meal"' in page and 'value="halal"' in page and "Accompanying persons" in page
    assert "As on your student card." in page and "For Student" in page

    response = client.post("/s/silk-road/register", data=form_data(seminar, **{
        "answers.title": "Ambassador", "answers.meal": "caviar", "answers.guests": "12",
        "answers.sessions": ["morning", "evening"], "answers.why": "x" * 100_000}))
    body = response.get_data(as_text=True)

    assert response.status_code == 400
    assert re.search(r'id="answers.meal-error">Choose one of the offered answers.<', body)
    assert re.search(r'id="answers.guests-error">Must be 3 or less.<', body)
    assert re.search(r'id="answers.why-error">At most 5000 characters.<', body)
    assert 'value="Ambassador"' in body and 'value="12"' in body
    assert re.search(r'<input checked id="answers.sessions-0"', body) and 'href="#answers.meal-0"' in body
    assert nothing_written(session, seminar)

    response = client.post("/s/silk-road/register", data=form_data(seminar, **{
        "answers.title": "Ambassador", "answers.meal": "halal", "answers.guests": "1", "answers.interpreter": "y",
        "answers.supervisor": "only for students"}))
    assert response.status_code == 302
    registration = session.scalars(select(Registration)).one()
    assert {answer.question.key: answer.value for answer in registration.answers} == {
        "title": "Ambassador", "meal": "halal", "guests": "1", "interpreter": "yes"}


def test_the_signup_form_asks_in_the_pages_language(session, client, seminar):
    ask(session, seminar, "Which meal?", "single_choice", choices=MEALS,
        translations={"label": {"ru": "Какое питание?"}})
    session.commit()
    page = client.get("/s/silk-road/register?lang=ru").get_data(as_text=True)
    assert "Какое питание?" in page and "Вегетарианское" in page and "Halal" in page


def test_a_seminar_without_questions_has_the_usual_form(session, client, seminar):
    page = client.get("/s/silk-road/register").get_data(as_text=True)
    assert "answers." not in page and 'class="questions"' not in page


# -- the organizer --------------------------------------------------------------------------------------------

def test_the_organizer_sees_and_corrects_a_registrations_answers(session, client, login, seminar):
    meal = ask(session, seminar, "Meal", "single_choice", key="meal", choices=MEALS, required=True)
    note = ask(session, seminar, "Note", key="note")
    registration = register(session, seminar, person(seminar, answers={"meal": "halal", "note": "aisle seat"}),
                            now=utcnow())
    services.set_hidden(session, note, True)
    session.commit()
    login("organizer")
    url = f"/organizer/s/silk-road/registrations/{registration.id}/edit"

    page = client.get(url).get_data(as_text=True)
    assert re.search(r'<input checked id="answers.meal-1" name="answers.meal" type="radio" value="halal"', page)
    assert 'value="aisle seat"' in page and "Hidden from the signup form." in page

    data = form_data(seminar, full_name="Aliya Nurlanovna", email="aliya@example.kz",
                     **{"answers.meal": "vegetarian", "answers.note": ""})
    assert client.post(url, data={**data, "answers.meal": "caviar"}).status_code == 200
    assert stored(session) == {(registration.id, meal.id): "halal", (registration.id, note.id): "aisle seat"}
    assert client.post(url, data=data).status_code == 302

    assert stored(session) == {(registration.id, meal.id): "vegetarian"}
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "registration_edited")).one()
    assert "answers.meal" in entry.details["fields"] and "answers.note" in entry.details["fields"]


def test_the_organizer_adds_changes_hides_and_orders_questions(session, client, login, seminar):
    login("organizer")
    base = "/organizer/s/silk-road/questions"
    response = client.post(f"{base}/new", data={
        "label": "Meal", "kind": "single_choice", "required": "y", "choices-0-label": "Vegetarian",
        "choices-0-label_ru": "Вегетарианское", "choices-1-label": "Halal", "choices-2-label": "",
        "label_ru": "Питание"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.post(f"{base}/new", data={"label": "Guests", "kind": "number", "min_value": "0",
                                            "max_value": "3"}).status_code == 302
    meal, guests = session.scalars(select(Question).order_by(Question.position)).all()
    assert meal.translations == {"label": {"ru": "Питание"}, "choices": {"ru": {"vegetarian": "Вегетарианское"}}}
    page = client.get(f"{base}/").get_data(as_text=True)
    assert "Meal" in page and "Vegetarian / Halal" in page

    edit = client.get(f"{base}/{meal.id}/edit").get_data(as_text=True)
    assert 'value="Вегетарианское"' in edit and 'name="choices-2-label"' in edit
    client.post(f"{base}/{guests.id}/move", data={"direction": "up"})
    client.post(f"{base}/{meal.id}/visibility", data={"hidden": "1"})

    session.expire_all()
    assert [q.key for q in seminar.questions] == ["guests", "meal"] and meal.hidden
    assert 'name="answers.meal"' not in client.get("/s/silk-road/register").get_data(as_text=True)
    edits = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "seminar_edit"))
    assert edits == 4


def test_a_question_form_with_mistakes_comes_back_with_them(session, client, login, seminar):
    login("organizer")
    response = client.post("/organizer/s/silk-road/questions/new", data={
        "label": "Meal", "kind": "single_choice", "choices-0-label": "Only one", "key": "Meal!"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="choices-error">Offer at least two choices.<' in body and 'value="Only one"' in body
    assert "Use lower-case Latin letters, digits and single hyphens." in body
    assert session.scalar(select(func.count()).select_from(Question)) == 0
    # The error summary at the top looks and behaves as on the other forms: framed in red, given the focus (the
    # page once lacked their stylesheet and script, so it sat unframed and unfocused above the form).
    assert 'id="error-summary"' in body
    assert re.search(r'<link rel="stylesheet" href="/static/css/registration\.css[?"]', body)
    assert re.search(r'<script src="/static/js/registration\.js[?"]', body)


def test_a_chosen_choice_can_be_renamed_but_not_taken_away(session, client, login, seminar):
    meal = ask(session, seminar, "Meal", "single_choice", choices=MEALS)
    registration = register(session, seminar, person(seminar, answers={"meal": "halal"}), now=utcnow())
    session.commit()
    login("organizer")
    url = f"/organizer/s/silk-road/questions/{meal.id}/edit"
    rows = {"label": "Meal", "kind": "single_choice", "choices-0-key": "vegetarian", "choices-0-label": "Vegetarian",
            "choices-1-key": "halal", "choices-1-label": "Halal food", "choices-2-key": "no-preference",
            "choices-2-label": "No preference"}

    removed = client.post(url, data={**rows, "choices-1-label": ""})
    assert removed.status_code == 400
    assert "1 person chose “Halal”: keep this choice" in removed.get_data(as_text=True)
    changed_kind = client.post(url, data={**rows, "kind": "short_text"})
    assert "its kind cannot change" in changed_kind.get_data(as_text=True)
    assert client.post(url, data=rows).status_code == 302

    session.expire_all()
    assert meal.choices[1] == {"key": "halal", "label": "Halal food"}
    assert stored(session) == {(registration.id, meal.id): "halal"}


def test_deleting_an_answered_question_says_what_is_lost_first(session, client, login, seminar):
    meal = ask(session, seminar, "Meal", "single_choice", choices=MEALS)
    register(session, seminar, person(seminar, answers={"meal": "halal"}), now=utcnow())
    register(session, seminar, person(seminar, email="b@example.kz", answers={"meal": "halal"}), now=utcnow())
    session.commit()
    login("organizer")
    url = f"/organizer/s/silk-road/questions/{meal.id}/delete"

    page = client.get(url).get_data(as_text=True)
    assert "2 people answered this question" in page and "Hide it and keep the answers" in page
    assert 'name="answers_lost" type="hidden" value="2"' in page
    stale = client.post(url, data={"answers_lost": "1"})  # told about one answer; a second came meanwhile
    assert stale.status_code == 409 and "check again what would be lost" in stale.get_data(as_text=True)
    assert len(stored(session)) == 2
    with pytest.raises(QuestionRefused):
        services.delete_question(session, meal)

    assert client.post(url, data={"answers_lost": "2"}).status_code == 302
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Question)) == 0 and stored(session) == {}
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert entry.details == {"question_deleted": "meal", "answers_lost": 2}


def test_a_category_that_a_question_is_asked_of_stays(session, seminar):
    media = category(seminar, "media")
    ask(session, seminar, "Your outlet", key="outlet", category_ids=[media.id], required=True)
    with pytest.raises(SeminarRefused) as refused:
        delete_category(session, media)
    assert refused.value.code == "asked_in_question"


def test_a_viewer_of_the_seminar_cannot_change_its_questions(session, client, login, seminar):
    ask(session, seminar, "Meal", "single_choice", choices=MEALS)
    session.commit()
    login("staff", seminar_role="viewer")
    assert client.get("/organizer/s/silk-road/questions/").status_code == 403
    assert client.post("/organizer/s/silk-road/questions/new", data={"label": "X", "kind": "date"}).status_code == 403


# -- exports, API, report -------------------------------------------------------------------------------------

@pytest.fixture
def answered(session, seminar):
    meal = ask(session, seminar, "Meal", "single_choice", key="meal", choices=MEALS)
    sessions = ask(session, seminar, "Sessions", "multiple_choice", key="sessions",
                   choices=[{"label": "Morning"}, {"label": "=Afternoon"}])
    guests = ask(session, seminar, "Guests", "number", key="guests")
    note = ask(session, seminar, "Note", key="note")
    people = [
        register(session, seminar, person(seminar, full_name="Aliya", email="a@example.kz", answers={
            "meal": "halal", "sessions": ["morning", "afternoon"], "guests": "2", "note": "=1+1"}), now=utcnow()),
        register(session, seminar, person(seminar, full_name="Bolat", email="b@example.kz", answers={
            "meal": "halal", "sessions": ["morning"]}), now=utcnow()),
        register(session, seminar, person(seminar, full_name="Chen", email="c@example.kz", answers={
            "meal": "vegetarian"}), now=utcnow()),
    ]
    people[0].checked_in_at = utcnow()
    session.commit()
    return {"questions": (meal, sessions, guests, note), "people": people}


def test_the_exports_have_a_column_per_question(session, client, login, seminar, answered):
    login("organizer")
    response = client.get("/reports/s/silk-road/registrations.csv?sep=comma")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))
    header = rows[0]
    assert header[-4:] == ["Meal", "Sessions", "Guests", "Note"] and header.index("Meal") > header.index("Gate")
    by_name = {row[0]: row[-4:] for row in rows[1:]}
    assert by_name == {"Aliya": ["Halal", "Morning, '=Afternoon", "2", "'=1+1"], "Bolat": ["Halal", "Morning", "", ""],
                       "Chen": ["Vegetarian", "", "", ""]}

    sheet = load_workbook(io.BytesIO(client.get("/reports/s/silk-road/registrations.xlsx").get_data()),
                          read_only=True).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert cells[0][-4:] == ["Meal", "Sessions", "Guests", "Note"]
    aliya = next(row for row in cells if row[0] == "Aliya")
    assert aliya[-4:] == ["Halal", "Morning, =Afternoon", 2, "=1+1"]
    assert next(row for row in sheet.iter_rows() if row[0].value == "Aliya")[-1].data_type == "s"


def test_a_csv_with_answers_is_written_after_the_request_has_ended(session, client, login, seminar, answered):
    """A server ends the request's app context, and with it its database session, before a CSV streams: the
    answer columns must not need the questions' rows then. The test client would reuse the test's app context,
    so the download runs in a thread of its own, as on a server."""
    login("organizer")
    session.close()
    bodies = []
    download = threading.Thread(target=lambda: bodies.append(
        client.get("/reports/s/silk-road/registrations.csv?sep=comma").get_data()))
    download.start()
    download.join()

    assert bodies, "the CSV broke off while streaming"
    rows = list(csv.reader(io.StringIO(bodies[0].decode("utf-8-sig"), newline="")))
    assert {row[0]: row[-4:] for row in rows[1:]}["Aliya"] == ["Halal", "Morning, '=Afternoon", "2", "'=1+1"]


def test_the_api_takes_and_gives_answers(session, client, api_token, seminar, answered):
    token = {"Authorization": f"Bearer {api_token('organizer')}"}
    url = "/api/v1/seminars/silk-road/registrations"

    bad = client.post(url, json={"full_name": "Dana Abenova", "email": "dana@example.kz", "category": "general",
                                 "answers": {"meal": "caviar", "guests": "x" * 100_000, "shoe_size": 42}},
                      headers=token)
    assert_matches_openapi(client, "POST", url, bad)
    assert bad.status_code == 400
    assert bad.get_json()["fields"] == {"answers.meal": ["Choose one of the offered answers."],
                                        "answers.guests": ["A number, e.g. 42 or 2.5."],
                                        "answers.shoe_size": ["No such question in this seminar."]}

    good = client.post(url, json={"full_name": "Dana Abenova", "email": "dana@example.kz", "category": "general",
                                  "answers": {"meal": "vegetarian", "sessions": ["afternoon"], "guests": 1.5}},
                       headers=token)
    assert_matches_openapi(client, "POST", url, good)
    assert good.status_code == 201
    assert good.get_json()["answers"] == {"meal": "vegetarian", "sessions": ["afternoon"], "guests": 1.5}

    listed = client.get(url, headers=token)
    assert_matches_openapi(client, "GET", url, listed)
    answers = {item["full_name"]: item["answers"] for item in listed.get_json()["items"]}
    assert answers["Aliya"] == {"meal": "halal", "sessions": ["morning", "afternoon"], "guests": 2, "note": "=1+1"}
    assert answers["Chen"] == {"meal": "vegetarian", "sessions": None, "guests": None, "note": None}

    described = client.get("/api/v1/seminars/silk-road")
    assert_matches_openapi(client, "GET", "/api/v1/seminars/silk-road", described)
    assert [q["key"] for q in described.get_json()["questions"]] == ["meal", "sessions", "guests", "note"]


def test_the_report_counts_each_choice(session, client, login, seminar, answered):
    report = summary(session, seminar)
    by_question = {question.key: [(row.label, row.registered, row.attended) for row in rows]
                   for question, rows in report.answers}
    assert by_question == {
        "meal": [("Vegetarian", 1, 0), ("Halal", 2, 1), ("No preference", 0, 0)],
        "sessions": [("Morning", 2, 1), ("=Afternoon", 1, 1)],
    }
    meal = answered["questions"][0]
    assert f"question-{meal.id}" in report.charts and "Halal" in str(report.charts[f"question-{meal.id}"])

    login("organizer")
    page = client.get("/reports/s/silk-road/").get_data(as_text=True)
    assert f'id="section-question-{meal.id}">Meal<' in page and "No preference" in page
    assert client.get("/reports/s/silk-road/summary.pdf").status_code == 200


def test_erasing_a_person_keeps_only_the_answers_the_report_counts(session, seminar, answered):
    aliya = answered["people"][0]
    anonymise_registration(session, aliya, by=None)
    session.commit()
    meal, sessions, *_ = answered["questions"]
    assert {question_id for registration_id, question_id in stored(session) if registration_id == aliya.id} == {
        meal.id, sessions.id}


def test_a_duplicated_seminar_asks_the_same_questions(session, seminar):
    student = category(seminar, "student")
    ask(session, seminar, "Supervisor", key="supervisor", category_ids=[student.id], required=True)
    ask(session, seminar, "Meal", "single_choice", key="meal", choices=MEALS)
    session.commit()
    copy = duplicate_seminar(session, seminar, starts_on=(seminar.starts_at + timedelta(days=30)).date())
    session.commit()
    assert [(q.key, q.required, [c.key for c in q.categories]) for q in copy.questions] == [
        ("supervisor", True, ["student"]), ("meal", False, [])]
    assert copy.questions[0].categories[0].seminar_id == copy.id


def test_an_organizer_edit_through_the_service_only_changes_the_answers_it_names(session, seminar):
    meal = ask(session, seminar, "Meal", "single_choice", key="meal", choices=MEALS)
    ask(session, seminar, "Note", key="note")
    registration = make_registration(session, seminar, email="x@example.kz", full_name="Xeniya Petrova")
    update_registration(session, registration, person(seminar, full_name="Xeniya Petrova", email="x@example.kz",
                                                      answers={"meal": "halal", "note": "late"}))
    update_registration(session, registration, person(seminar, full_name="Xeniya Petrova", email="x@example.kz",
                                                      answers={"note": ""}))
    session.commit()
    assert stored(session) == {(registration.id, meal.id): "halal"}


def test_a_csv_import_carries_answers_in_columns_named_by_the_questions_keys(session, client, login, seminar):
    ask(session, seminar, "Meal", "single_choice", key="meal", choices=MEALS)
    ask(session, seminar, "Sessions", "multiple_choice", key="sessions",
        choices=[{"label": "Morning"}, {"label": "Afternoon"}])
    session.commit()
    login("organizer")
    upload = (b"full_name,email,category,meal,sessions\n"
              b"Aliya Nurlanovna,aliya@example.kz,general,halal,Morning; afternoon\n"
              b"Bolat Serikov,bolat@example.kz,general,Caviar,\n")
    assert "meal, sessions" in client.get("/organizer/s/silk-road/import").get_data(as_text=True)
    preview = client.post("/organizer/s/silk-road/import",
                          data={"file": (io.BytesIO(upload), "people.csv")}, content_type="multipart/form-data")
    body = preview.get_data(as_text=True)
    assert "Meal: Choose one of the offered answers." in body
    rows = re.search(r'name="rows" type="hidden" value="([^"]*)"', body).group(1).replace("&#34;", '"')

    client.post("/organizer/s/silk-road/import", data={"step": "confirm", "rows": rows, "notify": "no"})
    registration = session.scalars(select(Registration)).one()
    assert {answer.question.key: answer.value for answer in registration.answers} == {
        "meal": "halal", "sessions": "morning,afternoon"}
