"""A seminar's questions as its organizers set them up: add, change, reorder, hide, and delete (after being told
what would be lost). How answers are checked, written and read is in answers.py.

Writes take a plain dict with the model's field names (the form's `service_data()`), so any other caller checks
through the same code: a problem raises `QuestionRefused("invalid", fields={...})`. Every change is audited as an
edit of the seminar, like its programme and categories.
"""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, literal, select

from eventreg import audit
from eventreg.config import LANGUAGES
from eventreg.models import CHOICE_KINDS, QUESTION_KINDS, Answer, Question
from eventreg.refusals import Refused
from eventreg.seminars.services import KEY_MAX, MAX_NUMBER, SLUG_PATTERN, _Errors, _flag, _integer, _text, slugify

LABEL_MAX = 300
HELP_MAX = 1000
CHOICE_MAX = 200
MAX_CHOICES = 50


class QuestionRefused(Refused):
    """A refusal with a stable `code`: `invalid` (with `fields`: field name -> messages), or `has_answers` (with
    `answers`: how many answers deleting the question would lose)."""

    def __init__(self, code, fields=None, answers=0):
        super().__init__(code, fields)
        self.answers = answers


def _record(session, by, seminar, now, **details):
    audit.record(session, user=by, action="seminar_edit", seminar=seminar, details=details, now=now)


# ---------------------------------------------------------------------------------------------------------
# Reading

def answer_count(session, question):
    return session.scalar(select(func.count()).select_from(Answer).where(Answer.question_id == question.id))


def overview(session, seminar):
    """[(question, how many people answered it)] in the form's order: one query for the counts."""
    counts = dict(session.execute(
        select(Answer.question_id, func.count()).join(Question, Question.id == Answer.question_id)
        .where(Question.seminar_id == seminar.id).group_by(Answer.question_id)
    ).all())
    return [(question, counts.get(question.id, 0)) for question in seminar.questions]


def _chosen(session, question, key):
    """How many answers include the choice `key` (several choices are stored as "a,b,c")."""
    padded = literal(",") + Answer.value + literal(",")
    return session.scalar(select(func.count()).select_from(Answer).where(
        Answer.question_id == question.id, padded.like(f"%,{key},%")))


# ---------------------------------------------------------------------------------------------------------
# Adding and changing

def save_question(session, seminar, data, question=None, *, by=None, now=None):
    """Add (question=None) or change a question: label, key (made from the label when empty; unique in the
    seminar), kind, help_text, required, choices ([{"key", "label", "translations": {language: label}}], a new
    choice without a key), min_value and max_value (numbers), category_ids (none: shown to everyone), and
    translations ({"label": {language: text}, "help_text": {...}}; an empty one falls back to the base text)."""
    errors = _Errors()
    values = {
        "label": _text(data, "label", errors, max_length=LABEL_MAX, required=True),
        "help_text": _text(data, "help_text", errors, max_length=HELP_MAX, multiline=True),
        "required": _flag(data, "required", errors),
        "kind": _kind(session, data, question, errors),
    }
    values["key"] = _key(seminar, data, question, values["label"], errors)
    choices, choice_translations = (_choices(session, data, question, errors) if values["kind"] in CHOICE_KINDS
                                    else ([], {}))
    values["min_value"], values["max_value"] = _bounds(data, errors) if values["kind"] == "number" else (None, None)
    categories = _categories(seminar, data, errors)
    translations = _translations(data, errors)
    if errors:
        raise QuestionRefused("invalid", dict(errors))
    if choice_translations:
        translations["choices"] = choice_translations
    if question is None:
        question = Question(seminar=seminar, position=len(seminar.questions), hidden=False)
        session.add(question)
    for name, value in values.items():
        setattr(question, name, value)
    question.choices, question.categories, question.translations = choices, categories, translations
    session.flush()
    _record(session, by, seminar, now, question=question.key)
    return question


def _kind(session, data, question, errors):
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in QUESTION_KINDS:
        errors.add("kind", _l("Choose a kind of answer."))
    elif question is not None and kind != question.kind and answer_count(session, question):
        errors.add("kind", _l("People have answered this question, so its kind cannot change: add a new question "
                              "instead."))
    return kind


def _unique(base, taken):
    key, n = base, 2
    while key in taken:
        key = f"{base[:KEY_MAX - 4]}-{n}"
        n += 1
    return key


def _key(seminar, data, question, label, errors):
    key = _text(data, "key", errors, max_length=KEY_MAX)
    taken = {other.key for other in seminar.questions if other is not question}
    if not key:
        return question.key if question is not None else _unique(slugify(label, KEY_MAX) or "question", taken)
    if not SLUG_PATTERN.match(key):
        errors.add("key", _l("Use lower-case Latin letters, digits and single hyphens."))
    elif key in taken:
        errors.add("key", _l("Another question of this seminar has this key."))
    return key


def _choices(session, data, question, errors):
    """(choices, translations): the choices in order, each keeping its key when it was there before (answers
    store keys, so a choice can be renamed), a new one with a key made from its label; their translations as
    {language: {key: label}}. A choice that someone chose cannot be taken away."""
    entries = data.get("choices") or []
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        errors.add("choices", _l("Offer at least two choices."))
        return [], {}
    old = {choice["key"]: choice["label"] for choice in (question.choices if question is not None else [])}
    taken, seen, choices, translations = set(old), set(), [], {}
    for entry in entries:
        label = _text(entry, "label", _Into(errors, "choices"), max_length=CHOICE_MAX)
        if not label or label.casefold() in seen:
            if label:
                errors.add("choices", _l("“%(label)s” is offered twice.", label=label))
            continue
        seen.add(label.casefold())
        key = entry.get("key")
        if not isinstance(key, str) or key not in old:
            key = _unique(slugify(label, KEY_MAX) or "choice", taken)
            taken.add(key)
        choices.append({"key": key, "label": label})
        for language, text in _languages(entry.get("translations"), errors, CHOICE_MAX, lambda _: "choices").items():
            translations.setdefault(language, {})[key] = text
    if len(choices) < 2:
        errors.add("choices", _l("Offer at least two choices."))
    elif len(choices) > MAX_CHOICES:
        errors.add("choices", _l("At most %(n)d choices.", n=MAX_CHOICES))
    _check_removed(session, question, old, {choice["key"] for choice in choices}, errors)
    return choices, translations


def _check_removed(session, question, old, kept, errors):
    for key, label in old.items():
        if key not in kept and (count := _chosen(session, question, key)):
            errors.add("choices", lazy_ngettext(
                "%(num)d person chose “%(label)s”: keep this choice (it may be renamed), or hide the question and "
                "add a new one.",
                "%(num)d people chose “%(label)s”: keep this choice (it may be renamed), or hide the question and "
                "add a new one.", count, label=label))


class _Into:
    """Errors of a nested value (a choice's label) reported under the field that holds it (`choices`)."""

    def __init__(self, errors, name):
        self.errors, self.name = errors, name

    def add(self, _name, message):
        self.errors.add(self.name, message)


def _languages(raw, errors, limit, where, *, multiline=False):
    """{language: text} of one text's translations, empty ones left out (the base text stands in for them);
    `where(language)` names the field a problem is reported on."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.add(where(None), _l("Must be an object of language codes and texts."))
        return {}
    found = {}
    for language in raw:
        if language not in LANGUAGES:
            errors.add(where(None), _l("Unknown language %(code)s.", code=str(language)[:10]))
            continue
        text = _text(raw, language, _Into(errors, where(language)), max_length=limit, multiline=multiline)
        if text:
            found[language] = text
    return found


def _translations(data, errors):
    raw = data.get("translations") or {}
    if not isinstance(raw, dict):
        errors.add("translations", _l("Must be an object of language codes and texts."))
        return {}
    found = {}
    for field, limit, multiline in (("label", LABEL_MAX, False), ("help_text", HELP_MAX, True)):
        texts = _languages(raw.get(field), errors, limit, lambda language, field=field: (
            f"{field}_{language}" if language else "translations"), multiline=multiline)
        if texts:
            found[field] = texts
    return found


def _bounds(data, errors):
    smallest = _integer(data, "min_value", errors, minimum=-MAX_NUMBER)
    largest = _integer(data, "max_value", errors, minimum=-MAX_NUMBER)
    if smallest is not None and largest is not None and largest < smallest:
        errors.add("max_value", _l("The largest number must not be below the smallest."))
    return smallest, largest


def _categories(seminar, data, errors):
    ids = data.get("category_ids") or []
    own = {category.id for category in seminar.categories}
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) and i in own for i in ids):
        errors.add("category_ids", _l("Choose categories of this seminar."))
        return []
    return [category for category in seminar.categories if category.id in ids]


# ---------------------------------------------------------------------------------------------------------
# Order, visibility, deletion

def move_question(session, question, direction, *, by=None, now=None):
    """One place up or down on the form."""
    if direction not in ("up", "down"):
        raise QuestionRefused("invalid", {"direction": [_l("Up or down.")]})
    questions = list(question.seminar.questions)
    index = questions.index(question)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(questions):
        questions[index], questions[other] = questions[other], questions[index]
    for position, each in enumerate(questions):
        each.position = position
    session.flush()
    session.expire(question.seminar, ["questions"])
    _record(session, by, question.seminar, now, question_moved=question.key)


def set_hidden(session, question, hidden, *, by=None, now=None):
    """Hide a question from the signup form (its answers stay, in the lists and the report), or show it again."""
    question.hidden = bool(hidden)
    session.flush()
    _record(session, by, question.seminar, now, question=question.key, hidden=question.hidden)


def delete_question(session, question, *, answers_lost=0, by=None, now=None):
    """Delete a question with its answers. Refused (`has_answers`) when more people answered it than the organizer
    was told would lose their answer (`answers_lost`): an answer given since then is not lost unseen."""
    count = answer_count(session, question)
    if count > answers_lost:
        raise QuestionRefused("has_answers", answers=count)
    seminar = question.seminar
    seminar.questions.remove(question)
    for position, each in enumerate(seminar.questions):
        each.position = position
    session.flush()
    _record(session, by, seminar, now, question_deleted=question.key, answers_lost=count)
