"""Seminar rules: setting a seminar up (fields, programme, speakers, categories) and its life cycle
(publish, close, cancel, duplicate). What people see is read in queries.py.

Every write takes a plain dict with the model's field names, so the organizer's forms and the JSON API
validate through the same code: a problem raises `SeminarRefused("invalid", fields={...})`.
"""

import re
import unicodedata
from copy import deepcopy
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from eventreg import audit, mail
from eventreg.config import DEFAULT_TIMEZONE
from eventreg.models import (
    AGENDA_KINDS,
    AgendaItem,
    Category,
    Question,
    Registration,
    Seminar,
    SeminarDay,
    SeminarSession,
    Speaker,
)
from eventreg.refusals import Refused
from eventreg.registration import services as registration_services
from eventreg.security import control_characters_message, has_control_characters
from eventreg.seminars import content
from eventreg.teams import services as teams

TIMEZONES = frozenset(available_timezones())

DEFAULT_CATEGORIES = [
    # key, label, is_student
    ("expert", "Expert", False),
    ("government", "Government / diplomatic", False),
    ("business", "Business", False),
    ("academic", "Academic", False),
    ("student", "Student", True),
    ("media", "Media", False),
    ("general", "General", False),
]
# Their labels in the other languages, so a new seminar's signup form speaks every language from the start.
DEFAULT_CATEGORY_TRANSLATIONS = {
    "expert": {"kk": "Сарапшы", "ru": "Эксперт", "zh": "专家"},
    "government": {"kk": "Мемлекеттік органдар / дипломатиялық корпус", "ru": "Госорганы / дипломатический корпус",
                   "zh": "政府 / 外交机构"},
    "business": {"kk": "Бизнес", "ru": "Бизнес", "zh": "商界"},
    "academic": {"kk": "Академиялық қауымдастық", "ru": "Академическое сообщество", "zh": "学术界"},
    "student": {"kk": "Студент", "ru": "Студент", "zh": "学生"},
    "media": {"kk": "БАҚ", "ru": "СМИ", "zh": "媒体"},
    "general": {"kk": "Тыңдаушы", "ru": "Слушатель", "zh": "普通听众"},
}

# Kazakh and Russian Cyrillic to Latin, close to the 2021 Kazakh Latin alphabet without diacritics,
# so a slug stays readable ("Цифровой Шёлковый путь" -> "tsifrovoi-shelkovyi-put").
_CYRILLIC = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "і": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "ng",
    "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f",
    "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "yu", "я": "ya",
}
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 120
KEY_MAX = 40
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Which status an organizer may move a seminar to, from which.
TRANSITIONS = {
    "published": ("draft", "closed"),
    "closed": ("published",),
    "cancelled": ("draft", "published", "closed"),
    "draft": (),
}


class SeminarRefused(Refused):
    """A refusal with a stable `code` (`invalid`, `slug_taken`, `bad_transition`, `in_use`...) and, for
    field problems, `fields`: field name -> list of messages."""


# ---------------------------------------------------------------------------------------------------------
# Slugs

def slugify(text, max_length=SLUG_MAX):
    """A URL-safe ASCII slug: Cyrillic and Kazakh letters transliterated, accents dropped."""
    text = "".join(_CYRILLIC.get(char, char) for char in (text or "").lower())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:max_length].rstrip("-")


def unique_slug(session, base):
    """`base`, or `base-2`, `base-3`... whichever no seminar uses yet."""
    base = base or "seminar"
    taken = set(session.scalars(select(Seminar.slug).where(Seminar.slug.like(f"{base[:SLUG_MAX - 4]}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base[:SLUG_MAX - 4]}-{n}" in taken:
        n += 1
    return f"{base[:SLUG_MAX - 4]}-{n}"


# ---------------------------------------------------------------------------------------------------------
# Field parsing shared by the forms and the API

class _Errors(dict):
    def add(self, name, message):
        self.setdefault(name, []).append(message)


def _text(data, name, errors, *, max_length, required=False, multiline=False):
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(name, _l("Must be text."))
        return ""
    value = value.strip()
    if required and not value:
        errors.add(name, _l("This field is required."))
    elif len(value) > max_length:
        errors.add(name, _l("At most %(n)d characters.", n=max_length))
    elif has_control_characters(value, multiline=multiline):
        errors.add(name, control_characters_message())
    return value


def _texts(data, name, errors, *, current, language, max_length, multiline=False):
    """A translatable field's texts, {language: text}: `current` changed by what `data` gives (see `_given`).
    Problems of the default language's text are under `name`, of another language's under `name.<code>`."""
    merged = {**current, **_given(data.get(name), name, language, errors)}
    clean = {}
    for code, text in merged.items():
        key = name if code == language else f"{name}.{code}"
        clean[code] = _text({key: text}, key, errors, max_length=max_length, multiline=multiline)
    return {code: text for code, text in clean.items() if text}


def _given(value, name, language, errors):
    """A string is the text in `language` (the default language); an object {"en": "…", "ru": "…"} sets the
    languages it names, an empty text removing one. A language the site does not offer is refused: its text would
    be silently lost."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {language: value}
    if not isinstance(value, dict):
        errors.add(name, _l("Must be text, or texts by language such as {\"en\": \"…\", \"ru\": \"…\"}."))
        return {}
    if any(code not in content.languages() for code in value):
        errors.add(name, _l("A text in an unknown language: use the codes %(codes)s.",
                            codes=", ".join(content.languages())))
    return {code: text for code, text in value.items() if code in content.languages()}


def _require(texts, name, language, errors):
    """The default language's text is what every other language falls back to: it must be there."""
    if texts.get(language) or name in errors:
        return
    if texts:
        errors.add(name, _l("Required in the default language, %(language)s.",
                            language=current_app.config["LANGUAGES"][language]))
    else:
        errors.add(name, _l("This field is required."))


def _default_language(value, seminar):
    """The chosen default language; an unknown code falls back (to the seminar's own, or the site's) unrefused,
    as an unknown language does everywhere else."""
    if value in content.languages():
        return value
    return seminar.default_language if seminar is not None else content.site_language()


def _slug_source(texts, default_text):
    """What a slug or key is made from: the English text when there is one (Latin letters read best in a link)."""
    return texts.get("en") or default_text


# Far above any hall, far below the database's 32-bit integers: 2**31 is refused here, not by a failing INSERT.
MAX_NUMBER = 1_000_000


def _integer(data, name, errors, *, minimum=0, maximum=MAX_NUMBER):
    """An optional whole number (empty means none, e.g. unlimited capacity)."""
    value = data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(name, _l("Must be a whole number."))
        return None
    if value < minimum:
        errors.add(name, _l("Must be %(n)d or more.", n=minimum))
        return None
    if value > maximum:
        errors.add(name, _l("Must be %(n)d or less.", n=maximum))
        return None
    return value


def _flag(data, name, errors):
    value = data.get(name, False)
    if not isinstance(value, bool):
        errors.add(name, _l("Must be true or false."))
        return False
    return value


def _moment(data, name, errors, zone, *, required=False):
    """A moment from an aware datetime, or a naive one (or ISO 8601 text) read in the seminar's zone."""
    value = data.get(name)
    if value is None or value == "":
        if required:
            errors.add(name, _l("This field is required."))
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            errors.add(name, _l("Not a valid date and time (use 2026-09-13T10:00)."))
            return None
    if not isinstance(value, datetime):
        errors.add(name, _l("Not a valid date and time (use 2026-09-13T10:00)."))
        return None
    if not YEARS[0] <= value.year <= YEARS[1]:
        # Year 1 or 9999 cannot even be moved to UTC; no seminar is that far away.
        errors.add(name, _l("Choose a year from %(first)d to %(last)d.", first=YEARS[0], last=YEARS[1]))
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone or ZoneInfo(DEFAULT_TIMEZONE))
    return value.astimezone(UTC)


YEARS = (2000, 2100)


SEMINAR_FIELDS = (
    "title", "slug", "description", "organizer_name", "venue", "address", "timezone", "starts_at", "ends_at",
    "capacity", "registration_opens_at", "registration_closes_at", "requires_approval", "waitlist_enabled",
    "contact_email", "default_language", "email_confirmation_hours",
)
# Each translatable field: its longest text, and whether it has lines.
SEMINAR_TEXTS = {"title": (300, False), "description": (20000, True), "venue": (300, False), "address": (500, False)}
AGENDA_TEXTS = {"title": (300, False), "description": (5000, True)}
SPEAKER_TEXTS = {"name": (200, False), "position": (300, False), "affiliation": (300, False), "bio": (3000, True)}
CATEGORY_TEXTS = {"label": (120, False)}
# A held seat is one nobody else may take: a week is the longest an organizer may keep it waiting.
MAX_CONFIRMATION_HOURS = 168


def _current_values(seminar):
    return {name: getattr(seminar, name) for name in SEMINAR_FIELDS}


def clean_seminar(session, data, *, seminar=None):
    """The valid values of a seminar from `data` (missing keys keep the seminar's current values), or
    SeminarRefused("invalid") / SeminarRefused("slug_taken") with every problem per field."""
    unknown = set(data) - set(SEMINAR_FIELDS) - {"status"}
    merged = {**(_current_values(seminar) if seminar else {}), **data}
    errors = _Errors()
    for name in sorted(unknown):
        errors.add(name, _l("Unknown field."))
    language = _default_language(merged.get("default_language"), seminar)
    translated = _seminar_texts(data, errors, seminar, language)
    columns, translations = content.split(translated, language)
    clean = {
        **columns,
        "default_language": language,
        "translations": translations,
        "organizer_name": _text(merged, "organizer_name", errors, max_length=300),
        "contact_email": _text(merged, "contact_email", errors, max_length=254),
        "requires_approval": _flag(merged, "requires_approval", errors),
        "waitlist_enabled": _flag({"waitlist_enabled": True, **merged}, "waitlist_enabled", errors),
        "capacity": _integer(merged, "capacity", errors),
        "email_confirmation_hours": _integer(merged, "email_confirmation_hours", errors, minimum=1,
                                             maximum=MAX_CONFIRMATION_HOURS),
    }
    if clean["contact_email"] and not EMAIL_PATTERN.match(clean["contact_email"]):
        errors.add("contact_email", _l("Not a valid e-mail address."))

    timezone = merged.get("timezone") or DEFAULT_TIMEZONE
    zone = None
    if timezone not in TIMEZONES:
        errors.add("timezone", _l("Unknown time zone."))
    else:
        zone = ZoneInfo(timezone)
    clean["timezone"] = timezone
    for name in ("starts_at", "ends_at"):
        clean[name] = _moment(merged, name, errors, zone, required=True)
    for name in ("registration_opens_at", "registration_closes_at"):
        clean[name] = _moment(merged, name, errors, zone)

    starts, ends = clean["starts_at"], clean["ends_at"]
    opens, closes = clean["registration_opens_at"], clean["registration_closes_at"]
    if starts and ends and ends <= starts:
        errors.add("ends_at", _l("The end must be after the start."))
    if closes and ends and closes > ends:
        errors.add("registration_closes_at", _l("Registration must close no later than the end of the seminar."))
    if opens and closes and closes <= opens:
        errors.add("registration_closes_at", _l("Registration must close after it opens."))
    if seminar is not None and starts and ends and ends > starts and any(
            day.starts_at < starts or day.ends_at > ends for day in seminar.days):
        errors.add("starts_at", _l("A day of this seminar would fall outside these dates: change or delete it on the "
                                   "days page first."))
    if seminar is not None and clean["capacity"] is not None and clean["capacity"] < seminar.seats_taken:
        errors.add("capacity", _l("%(n)d people are already confirmed: the capacity cannot be lower.",
                                  n=seminar.seats_taken))

    slug_given = merged.get("slug")
    slug_conflict = False
    if slug_given in (None, ""):
        if seminar is not None:
            clean["slug"] = seminar.slug
        else:
            clean["slug"] = unique_slug(session, slugify(_slug_source(translated["title"], clean["title"])))
    elif not isinstance(slug_given, str) or not SLUG_PATTERN.match(slug_given.strip()) \
            or len(slug_given.strip()) > SLUG_MAX:
        errors.add("slug", _l("Use lower-case Latin letters, digits and single hyphens, e.g. digital-silk-road."))
    else:
        clean["slug"] = slug_given.strip()
        other = session.scalar(select(Seminar.id).where(Seminar.slug == clean["slug"]))
        if other is not None and (seminar is None or other != seminar.id):
            errors.add("slug", _l("Another seminar already uses this address; choose another one."))
            slug_conflict = True
    if errors:
        only_slug = slug_conflict and list(errors) == ["slug"] and len(errors["slug"]) == 1
        raise SeminarRefused("slug_taken" if only_slug else "invalid", fields=dict(errors))
    return clean


def _all_texts(data, errors, obj, *, stored_in, language, limits, required):
    """The texts of `obj`'s translatable fields by field and language as they will be (`obj` None: a new row):
    `limits` maps each field to its longest text and whether it has lines; `stored_in` is the language its
    columns hold now, `language` the default language from now on, in which the `required` field must be."""
    translated = {}
    for name, (max_length, multiline) in limits.items():
        current = content.texts(obj, name, stored_in) if obj is not None else {}
        translated[name] = _texts(data, name, errors, current=current, language=language, max_length=max_length,
                                  multiline=multiline)
    _require(translated[required], required, language, errors)
    return translated


def _seminar_texts(data, errors, seminar, language):
    return _all_texts(data, errors, seminar, stored_in=seminar.default_language if seminar else language,
                      language=language, limits=SEMINAR_TEXTS, required="title")


# ---------------------------------------------------------------------------------------------------------
# Creating, editing and the life cycle

def _record(session, by, action, seminar, now, **details):
    audit.record(session, user=by, action=action, seminar=seminar, details=details or None, now=now)


def default_category_labels(key, label, language):
    """A default category's label ({language: text}) in every language, `language` included even where the table
    has no text for it (then the English one)."""
    return {language: label, "en": label, **DEFAULT_CATEGORY_TRANSLATIONS.get(key, {})}


def add_default_categories(session, seminar):
    for position, (key, label, is_student) in enumerate(DEFAULT_CATEGORIES):
        category = Category(seminar=seminar, key=key, is_student=is_student, position=position, seats_taken=0,
                            is_public=True)
        content.store(category, {"label": default_category_labels(key, label, seminar.default_language)},
                      seminar.default_language)
        session.add(category)


def create_seminar(session, data, *, by=None, now=None):
    """A new draft seminar with the default participant categories, owned by the account that creates it."""
    values = clean_seminar(session, data)
    seminar = Seminar(**values, status="draft", seats_taken=0, created_by_id=getattr(by, "id", None))
    session.add(seminar)
    add_default_categories(session, seminar)
    session.flush()
    if by is not None:
        teams.add_owner(session, seminar, by, now=now)
    _record(session, by, "seminar_create", seminar, now)
    if "status" in data and data["status"] != "draft":
        set_status(session, seminar, data["status"], by=by, now=now)
    return seminar


def update_seminar(session, seminar, data, *, by=None, now=None):
    """Change what `data` names (a form sends everything, a PATCH only what changes)."""
    if seminar.status == "cancelled":
        raise SeminarRefused("cancelled")
    values = clean_seminar(session, data, seminar=seminar)
    old_capacity, old_language = seminar.capacity, seminar.default_language
    changed = sorted(name for name, value in values.items() if getattr(seminar, name) != value)
    for name in changed:
        setattr(seminar, name, values[name])
    if seminar.default_language != old_language:
        for part in (*seminar.agenda_items, *seminar.speakers, *seminar.categories):
            content.rebase(part, old_language, seminar.default_language)
    session.flush()
    if changed:
        _record(session, by, "seminar_edit", seminar, now, fields=changed)
        # E-mails that could not be written from the old data (a title with a line break) go out with the new.
        mail.retry_unrendered(session, select(Registration.id).where(Registration.seminar_id == seminar.id),
                              now=now)
    more_seats = old_capacity is not None and (seminar.capacity is None or seminar.capacity > old_capacity)
    if more_seats and seminar.status == "published":
        registration_services.promote_from_waitlist(session, seminar, now=now)
    if "status" in data and data["status"] != seminar.status:
        set_status(session, seminar, data["status"], by=by, now=now)
    return seminar


def set_status(session, seminar, status, *, by=None, now=None):
    """Publish, close (registration ends early) or cancel; cancelling e-mails every active registrant."""
    if status not in TRANSITIONS:
        raise SeminarRefused("invalid", fields={"status": [_l("Unknown status.")]})
    if seminar.status not in TRANSITIONS[status]:
        raise SeminarRefused("bad_transition")
    seminar.status = status
    session.flush()
    _record(session, by, f"seminar_{status}", seminar, now)
    if status == "cancelled":
        registration_services.notify_seminar_cancelled(session, seminar, now=now)
    return seminar


def _copied(part):
    """A copy's translations: its own dicts, never shared with the original's."""
    return deepcopy(part.translations)


def _shift_local(moment, zone, days):
    """The same wall-clock time `days` later in the seminar's zone (right across daylight-saving changes)."""
    if moment is None:
        return None
    return (moment.astimezone(zone) + timedelta(days=days)).astimezone(UTC)


def duplicate_seminar(session, seminar, *, starts_on, title=None, by=None, now=None):
    """A new draft with everything but the registrations; every date moves so the copy starts on
    `starts_on` (a local date) at the same local times."""
    if not isinstance(starts_on, date):
        raise SeminarRefused("invalid", fields={"starts_on": [_l("This field is required.")]})
    zone = seminar.zone
    days = (starts_on - seminar.starts_at.astimezone(zone).date()).days
    title = (title or "").strip() or seminar.title
    if len(title) > 300:
        raise SeminarRefused("invalid", fields={"title": [_l("At most %(n)d characters.", n=300)]})
    copy = Seminar(
        slug=unique_slug(session, slugify(f"{title} {starts_on.isoformat()}")),
        title=title,
        status="draft",
        seats_taken=0,
        created_by_id=getattr(by, "id", None),
        translations=_copied(seminar),
        **{name: getattr(seminar, name) for name in (
            "description", "organizer_name", "venue", "address", "timezone", "capacity", "requires_approval",
            "waitlist_enabled", "contact_email", "checkin_opens_minutes", "default_language",
            "email_confirmation_hours")},
        **{name: _shift_local(getattr(seminar, name), zone, days) for name in (
            "starts_at", "ends_at", "registration_opens_at", "registration_closes_at")},
    )
    session.add(copy)
    speakers = {}
    for speaker in seminar.speakers:
        speakers[speaker.id] = Speaker(seminar=copy, honorific=speaker.honorific, name=speaker.name,
                                       position=speaker.position, affiliation=speaker.affiliation, bio=speaker.bio,
                                       translations=_copied(speaker))
        session.add(speakers[speaker.id])  # a speaker on no programme item is copied too
    for item in seminar.agenda_items:
        copy.agenda_items.append(AgendaItem(
            position=item.position, title=item.title, kind=item.kind, description=item.description,
            translations=_copied(item),
            starts_at=_shift_local(item.starts_at, zone, days), ends_at=_shift_local(item.ends_at, zone, days),
            speakers=[speakers[s.id] for s in item.speakers],
        ))
    for category in seminar.categories:
        copy.categories.append(Category(
            key=category.key, label=category.label, quota=category.quota, seats_taken=0,
            is_student=category.is_student, is_public=category.is_public, position=category.position,
            translations=_copied(category),
        ))
    _copy_questions(seminar, copy)
    _copy_days(seminar, copy, lambda moment: _shift_local(moment, zone, days))
    session.flush()
    teams.copy_team(session, seminar, copy, now=now)
    _record(session, by, "seminar_duplicate", copy, now, source=seminar.slug)
    return copy


def _copy_days(seminar, copy, shift):
    """The days and their sessions at the same local hours, with no place taken."""
    for day in seminar.days:
        copy.days.append(SeminarDay(starts_at=shift(day.starts_at), ends_at=shift(day.ends_at), sessions=[
            SeminarSession(seminar=copy, title=part.title, room=part.room, capacity=part.capacity, places_taken=0,
                           starts_at=shift(part.starts_at), ends_at=shift(part.ends_at),
                           translations=_copied(part))
            for part in day.sessions]))


def _copy_questions(seminar, copy):
    """The signup form's questions, each asked of the copy's categories of the same keys."""
    categories = {category.key: category for category in copy.categories}
    for question in seminar.questions:
        copy.questions.append(Question(
            **{name: getattr(question, name) for name in (
                "key", "position", "kind", "label", "help_text", "required", "min_value", "max_value", "hidden")},
            choices=[dict(choice) for choice in question.choices], translations=dict(question.translations),
            categories=[categories[category.key] for category in question.categories],
        ))


# ---------------------------------------------------------------------------------------------------------
# The programme

def _renumber(items):
    for position, item in enumerate(items):
        item.position = position


def _part_texts(data, errors, part, seminar, limits, required):
    """A programme item's, speaker's or category's texts: its columns hold the seminar's default language."""
    return _all_texts(data, errors, part, stored_in=seminar.default_language, language=seminar.default_language,
                      limits=limits, required=required)


def save_agenda_item(session, seminar, data, item=None, *, by=None, now=None):
    """Add (item=None) or change an agenda item: title, kind, start/end (local or aware), description,
    speaker_ids (speakers of this seminar)."""
    errors = _Errors()
    translated = _part_texts(data, errors, item, seminar, AGENDA_TEXTS, "title")
    kind = data.get("kind") or "talk"
    if kind not in AGENDA_KINDS:
        errors.add("kind", _l("Unknown kind of item."))
    starts = _moment(data, "starts_at", errors, seminar.zone, required=True)
    ends = _moment(data, "ends_at", errors, seminar.zone)
    if starts and ends and ends < starts:
        errors.add("ends_at", _l("The end must not be before the start."))
    own_speakers = {speaker.id: speaker for speaker in seminar.speakers}
    speaker_ids = data.get("speaker_ids") or []
    if any(speaker_id not in own_speakers for speaker_id in speaker_ids):
        errors.add("speaker_ids", _l("Choose speakers of this seminar."))
    if errors:
        raise SeminarRefused("invalid", fields=dict(errors))
    if item is None:
        item = AgendaItem(seminar=seminar, position=len(seminar.agenda_items))
        session.add(item)
    content.store(item, translated, seminar.default_language)
    item.kind, item.starts_at, item.ends_at = kind, starts, ends
    item.speakers = [own_speakers[speaker_id] for speaker_id in speaker_ids]
    session.flush()
    _record(session, by, "seminar_edit", seminar, now, agenda_item=item.id)
    return item


def delete_agenda_item(session, item, *, by=None, now=None):
    seminar = item.seminar
    seminar.agenda_items.remove(item)
    _renumber(seminar.agenda_items)
    session.flush()
    _record(session, by, "seminar_edit", seminar, now, agenda_item_deleted=item.title)


def _swap(items, item, direction):
    """Swap `item` with its neighbour above ("up") or below ("down") and renumber; at either end nothing moves."""
    if direction not in ("up", "down"):
        raise SeminarRefused("invalid", fields={"direction": [_l("Up or down.")]})
    items = list(items)
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    _renumber(items)


def move_agenda_item(session, item, direction, *, by=None, now=None):
    """Move a programme item one place up or down."""
    _swap(item.seminar.agenda_items, item, direction)
    session.flush()
    session.expire(item.seminar, ["agenda_items"])
    _record(session, by, "seminar_edit", item.seminar, now, agenda_item_moved=item.id)


def save_speaker(session, seminar, data, speaker=None, *, by=None, now=None):
    errors = _Errors()
    honorific = _text(data, "honorific", errors, max_length=40)
    translated = _part_texts(data, errors, speaker, seminar, SPEAKER_TEXTS, "name")
    if errors:
        raise SeminarRefused("invalid", fields=dict(errors))
    if speaker is None:
        speaker = Speaker(seminar=seminar)
        session.add(speaker)
    speaker.honorific = honorific
    content.store(speaker, translated, seminar.default_language)
    session.flush()
    _record(session, by, "seminar_edit", seminar, now, speaker=speaker.id)
    return speaker


def delete_speaker(session, speaker, *, by=None, now=None):
    seminar = speaker.seminar
    seminar.speakers.remove(speaker)
    session.flush()
    _record(session, by, "seminar_edit", seminar, now, speaker_deleted=speaker.name)


# ---------------------------------------------------------------------------------------------------------
# Participant categories

def save_category(session, seminar, data, category=None, *, by=None, now=None):
    """Label, key (made from the label when empty; unique in the seminar), optional quota (not below the
    people already confirmed in it), is_student, is_public, is_vip."""
    errors = _Errors()
    translated = _part_texts(data, errors, category, seminar, CATEGORY_TEXTS, "label")
    label = translated["label"].get(seminar.default_language, "")
    key = _text(data, "key", errors, max_length=KEY_MAX)
    quota = _integer(data, "quota", errors)
    is_student = _flag(data, "is_student", errors)
    is_public = _flag({"is_public": True, **data}, "is_public", errors)
    is_vip = _flag(data, "is_vip", errors)
    if not key:
        key = category.key if category is not None else \
            slugify(_slug_source(translated["label"], label), KEY_MAX) or "category"
        if category is None:
            taken = {c.key for c in seminar.categories}
            base, n = key, 2
            while key in taken:
                key = f"{base[:KEY_MAX - 4]}-{n}"
                n += 1
    elif not SLUG_PATTERN.match(key):
        errors.add("key", _l("Use lower-case Latin letters, digits and single hyphens."))
    elif any(c.key == key and c is not category for c in seminar.categories):
        errors.add("key", _l("Another category of this seminar has this key."))
    if category is not None and quota is not None and quota < category.seats_taken:
        errors.add("quota", _l("%(n)d people are already confirmed in this category: the quota cannot be lower.",
                               n=category.seats_taken))
    if errors:
        raise SeminarRefused("invalid", fields=dict(errors))
    if category is None:
        category = Category(seminar=seminar, seats_taken=0, position=len(seminar.categories))
        session.add(category)
    old_quota = category.quota
    content.store(category, translated, seminar.default_language)
    category.key, category.quota = key, quota
    category.is_student, category.is_public, category.is_vip = is_student, is_public, is_vip
    session.flush()
    _record(session, by, "seminar_edit", seminar, now, category=key)
    if old_quota is not None and (quota is None or quota > old_quota) and seminar.status == "published":
        registration_services.promote_from_waitlist(session, seminar, now=now)
    return category


def move_category(session, category, direction, *, by=None, now=None):
    """Move a category one place up or down: the order of the choices on the signup form."""
    _swap(category.seminar.categories, category, direction)
    session.flush()
    session.expire(category.seminar, ["categories"])
    _record(session, by, "seminar_edit", category.seminar, now, category_moved=category.key)


def delete_category(session, category, *, by=None, now=None):
    """Only a category nobody registered in can go (registrations keep their category), and none that a question is
    asked of (without it, a question for that category alone would be asked of everyone)."""
    used = session.scalar(select(func.count()).select_from(Registration).where(Registration.category_id == category.id))
    if used:
        raise SeminarRefused("in_use")
    seminar = category.seminar
    if any(category in question.categories for question in seminar.questions):
        raise SeminarRefused("asked_in_question")
    seminar.categories.remove(category)
    session.flush()
    _record(session, by, "seminar_edit", seminar, now, category_deleted=category.key)
