"""Answers to a seminar's questions: the one set of rules for the signup form, the organizer's form, the API and the
import, how answers are written with their registration, and how a stored answer reads in a page, an export or
the API. (The organizer's setting up of questions is in services.py; this module is what the registration
services import, so it needs nothing of the seminar's services.)

An answer is stored as text: a choice's key (several keys joined by commas, in the order of the choices), "yes"
for a ticked box, an ISO date, a number as written without its locale ("2.5"). No answer, no row.
"""

import re
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from eventreg.models import CHOICE_KINDS, Answer, Question
from eventreg.security import control_characters_message, has_control_characters

SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 5000
YES = "yes"
_NUMBER = re.compile(r"^-?\d{1,12}(?:\.\d{1,6})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_YEARS = (1900, 2100)
_TICKED = {"yes", "y", "on", "true", "1"}
_UNTICKED = {"", "no", "n", "off", "false", "0"}
# Kept when a person's data is erased: the report counts them, and alone they name no one. Text, dates and
# numbers (a birthday, a passport number) go.
COUNTED_KINDS = (*CHOICE_KINDS, "checkbox")

CHOICE_MESSAGE = _l("Choose one of the offered answers.")
CHOICES_MESSAGE = _l("Choose from the offered answers.")
NUMBER_MESSAGE = _l("A number, e.g. 42 or 2.5.")
DATE_MESSAGE = _l("A date, e.g. 2026-09-13.")


def field_name(question):
    """The name of a question's field in forms and of its messages in a refusal: `answers.<key>`."""
    return f"answers.{question.key}"


def public_questions(seminar):
    """The questions the signup form offers: every visible one (those of other categories marked as such)."""
    return [question for question in seminar.questions if not question.hidden]


def asked(questions, category, *, staff):
    """The questions this person answers: for the organizer every one (hidden ones included, so an answer given
    before a question was hidden can be corrected); for everyone else the visible ones shown to their category."""
    if staff:
        return list(questions)
    return [question for question in questions if not question.hidden and question.applies_to(category)]


def clean_answers(questions, raw, *, category, staff=False):
    """(answers, errors) for `raw`, the answers sent as {question key: value}.

    `answers` maps each asked question whose key is in `raw` to its stored text, or None for no answer (answers
    to questions not asked of this category are left out: a form without JavaScript shows them all). `errors`
    maps `answers.<key>` to its message: a value of the wrong kind, a choice not offered, a text too long, a number
    out of range, an unknown key, a required answer missing (not required of the organizer, who may not know it).
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return {}, {"answers": [_l("Answers must be an object of question keys and values.")]}
    known = {question.key for question in questions}
    errors = {f"answers.{str(key)[:60]}": [_l("No such question in this seminar.")] for key in raw if key not in known}
    answers = {}
    for question in asked(questions, category, staff=staff):
        value, message = CLEANERS[question.kind](question, raw.get(question.key))
        if message is None and value is None and question.required and not staff:
            message = _l("Please tick this box.") if question.kind == "checkbox" else _l("Please answer this question.")
        if message is not None:
            errors[field_name(question)] = [message]
        elif question.key in raw:
            answers[question] = value
    return answers, errors


def _text(limit, multiline):
    def clean(question, value):
        if value is None:
            return None, None
        if not isinstance(value, str):
            return None, _l("Must be text.")
        value = value.strip()
        if len(value) > limit:
            return None, _l("At most %(max)d characters.", max=limit)
        if has_control_characters(value, multiline=multiline):
            return None, control_characters_message()
        return value or None, None

    return clean


def _keys(question):
    return [choice["key"] for choice in question.choices or ()]


def _single_choice(question, value):
    if value is None or value == "":
        return None, None
    if not isinstance(value, str) or value not in _keys(question):
        return None, CHOICE_MESSAGE
    return value, None


def _multiple_choice(question, value):
    if isinstance(value, str):  # one choice, as a CSV cell or a lenient API client sends it
        value = [value] if value else []
    if value is None or value == []:
        return None, None
    keys = _keys(question)
    if not isinstance(value, list) or not all(isinstance(key, str) and key in keys for key in value):
        return None, CHOICES_MESSAGE
    return ",".join(key for key in keys if key in value), None


def _checkbox(question, value):
    if isinstance(value, bool) or value is None:
        return (YES if value else None), None
    word = value.strip().casefold() if isinstance(value, str) else None
    if word in _TICKED:
        return YES, None
    if word in _UNTICKED:
        return None, None
    return None, _l("Tick the box or leave it empty.")


def _date(question, value):
    if value is None or value == "":
        return None, None
    text = value.strip() if isinstance(value, str) else ""
    try:
        day = date.fromisoformat(text) if _DATE.match(text) else None
    except ValueError:
        day = None
    if day is None or not DATE_YEARS[0] <= day.year <= DATE_YEARS[1]:
        return None, DATE_MESSAGE
    return day.isoformat(), None


def _number(question, value):
    if value is None or value == "":
        return None, None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None, NUMBER_MESSAGE
    # A decimal comma (Kazakh and Russian write 2,5) and thousands spaces (1 000) are how people type numbers.
    text = str(value).strip().replace(",", ".").replace(" ", "").replace("\u00a0", "")
    if not _NUMBER.match(text):
        return None, NUMBER_MESSAGE
    number = Decimal(text)
    if question.min_value is not None and number < question.min_value:
        return None, _l("Must be %(n)d or more.", n=question.min_value)
    if question.max_value is not None and number > question.max_value:
        return None, _l("Must be %(n)d or less.", n=question.max_value)
    return ("0" if number == 0 else format(number.normalize(), "f")), None


CLEANERS = {
    "short_text": _text(SHORT_TEXT_MAX, multiline=False),
    "long_text": _text(LONG_TEXT_MAX, multiline=True),
    "single_choice": _single_choice,
    "multiple_choice": _multiple_choice,
    "checkbox": _checkbox,
    "date": _date,
    "number": _number,
}


def from_cell(question, text):
    """A spreadsheet cell (the CSV import) as the answer the rules above take: a choice by its key or its label in
    any case, several choices separated by ";"."""
    if not question.is_choice:
        return text
    names = {}
    for key, label in question.choice_labels():
        names[label.casefold()] = names[key.casefold()] = key
    picked = [names.get(part.strip().casefold(), part.strip()) for part in text.split(";") if part.strip()]
    if question.kind == "multiple_choice":
        return picked
    return picked[0] if len(picked) == 1 else text


# ---------------------------------------------------------------------------------------------------------
# Writing and erasing

def save_answers(session, registration, answers):
    """Write `answers` ({question: text or None}) for `registration` in the caller's transaction: added, changed,
    or (None) removed. Returns the keys of the questions whose answer changed."""
    if not answers:
        return []
    stored = {answer.question_id: answer for answer in registration.answers}
    changed = []
    for question, value in answers.items():
        old = stored.get(question.id)
        if value == (old.value if old is not None else None):
            continue
        if value is None:
            registration.answers.remove(old)
        elif old is None:
            registration.answers.append(Answer(question_id=question.id, value=value))
        else:
            old.value = value
        changed.append(question.key)
    session.flush()
    return sorted(changed)


def erase_personal_answers(session, registration):
    """Delete the answers that could name the person (texts, dates, numbers) when their data is erased."""
    session.execute(delete(Answer).where(
        Answer.registration_id == registration.id,
        Answer.question_id.in_(select(Question.id).where(Question.kind.not_in(COUNTED_KINDS)))))
    session.expire(registration, ["answers"])


# ---------------------------------------------------------------------------------------------------------
# Reading

def stored_answers(registration):
    """{question id: stored text} of one registration."""
    return {answer.question_id: answer.value for answer in registration.answers}


def readable(question, value, locale=None):
    """A stored answer as people read it: choices by their labels (in `locale` where translated), a ticked box
    as "yes"."""
    return _readable(question.kind, dict(question.choice_labels(locale)), value)


def _readable(kind, labels, value):
    if value is None:
        return ""
    if kind in CHOICE_KINDS:
        return ", ".join(labels.get(key, key) for key in value.split(","))
    if kind == "checkbox":
        return str(_l("yes"))
    return value


def _decimal_number(value):
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


def cell_reader(question):
    """A function giving a stored answer's spreadsheet cell: a number as a number, anything else as readable text.
    It keeps the question's kind and labels, not the question: a CSV is written while it streams, after the
    request has ended and its database session with it."""
    kind, labels = question.kind, dict(question.choice_labels())

    def cell(value):
        if value is None:
            return None
        return _decimal_number(value) if kind == "number" else _readable(kind, labels, value)

    return cell


def api_value(question, value):
    """A stored answer in JSON: a list of keys for several choices, true for a ticked box, a number as a number."""
    if value is None:
        return None
    if question.kind == "multiple_choice":
        return value.split(",")
    if question.kind == "checkbox":
        return True
    if question.kind == "number":
        return _decimal_number(value)
    return value


def form_value(question, value):
    """A stored answer as its form field holds it."""
    if question.kind == "multiple_choice":
        return value.split(",") if value else []
    if question.kind == "checkbox":
        return value == YES
    return value
