"""Seminar content in several languages: which text a person reads, and how a field's texts are kept.

A translatable field keeps its text in the seminar's default language in its own column (so search, sorting,
exports and the organizer's lists read one column, as before) and its texts in the other languages in the row's
`translations`: {"title": {"ru": "…", "zh": "…"}}. A language without a text reads the default language's: a
visitor never sees a blank where the organizer wrote something.
"""

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from eventreg.formatting import date_in, time_in
from eventreg.models import AgendaItem, Category, Seminar, Speaker

TRANSLATABLE = {
    Seminar: ("title", "description", "venue", "address"),
    AgendaItem: ("title", "description"),
    Speaker: ("name", "position", "affiliation", "bio"),
    Category: ("label",),
}


def languages():
    """The language codes content may be written in: the interface's languages."""
    return tuple(current_app.config["LANGUAGES"])


def site_language():
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    return default if default in languages() else languages()[0]


def current_language():
    """The language of the page or e-mail being written (an e-mail's is forced to the registrant's)."""
    locale = get_locale()
    return str(locale) if locale is not None else None


def localized(obj, field, language=None):
    """`{{ seminar|localized("title") }}`: the text of `field` in `language` (default: the current one), else in
    the seminar's default language. An unknown language is simply one without texts."""
    language = language or current_language()
    text = (obj.translations or {}).get(field, {}).get(language)
    return text or getattr(obj, field)


def speaker_name(speaker, language=None):
    """The speaker's name as shown: the honorific (Dr., Prof.) is the same in every language."""
    return f"{speaker.honorific} {localized(speaker, 'name', language)}".strip()


def day_label(day, number):
    """"Day 2 · Wednesday, 16 December 2026 · 09:00–18:00": how every page names a day of a seminar (`number`
    counts from 1)."""
    seminar = day.seminar
    return _("Day %(number)d · %(date)s · %(start)s–%(end)s", number=number, date=date_in(day.starts_at, seminar),
             start=time_in(day.starts_at, seminar), end=time_in(day.ends_at, seminar))


def day_choices(seminar):
    """The seminar's days as a form's select offers them."""
    return [(day.id, day_label(day, number)) for number, day in enumerate(seminar.days, start=1)]


def texts(obj, field, default_language):
    """Every language's text of `field`: {language: text}, the default language's from the column, none empty."""
    found = {**(obj.translations or {}).get(field, {}), default_language: getattr(obj, field) or ""}
    return {language: text for language, text in found.items() if text}


def all_texts(obj, default_language, fields=None):
    """{field: {language: text}} for the translatable fields of `obj` (all of them, or `fields`)."""
    return {field: texts(obj, field, default_language) for field in fields or TRANSLATABLE[type(obj)]}


def split(by_field, default_language):
    """The columns' values and the `translations` for texts given as {field: {language: text}}."""
    columns = {field: given.get(default_language, "") for field, given in by_field.items()}
    translations = {}
    for field, given in by_field.items():
        others = {language: text for language, text in given.items() if language != default_language and text}
        if others:
            translations[field] = others
    return columns, translations


def store(obj, by_field, default_language):
    """Write every translatable field of `obj` from {field: {language: text}}. `translations` gets a new dict,
    never one changed in place, so the ORM always sees the change."""
    columns, translations = split(by_field, default_language)
    for field, value in columns.items():
        setattr(obj, field, value)
    obj.translations = translations


def rebase(obj, old, new):
    """The seminar's default language changed from `old` to `new`: each field's text in `new` moves into the
    column. Where there is none yet, the column keeps its text (now read as the default), so a programme item or
    category never goes blank; the `old` language keeps its text as a translation."""
    by_field = {}
    for field in TRANSLATABLE[type(obj)]:
        found = texts(obj, field, old)
        by_field[field] = {**found, new: found.get(new) or getattr(obj, field) or ""}
    store(obj, by_field, new)
