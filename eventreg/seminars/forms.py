"""The organizer's forms. They only parse input into Python values; the rules live in services.py, which
the API shares, and its field messages are shown next to these fields."""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from eventreg.config import DEFAULT_TIMEZONE, LANGUAGES
from eventreg.seminars import content, day_names
from eventreg.seminars.services import SEMINAR_FIELDS, TIMEZONES

KIND_CHOICES = [
    SelectChoice("welcome", _l("Welcome speech")),
    SelectChoice("talk", _l("Talk")),
    SelectChoice("panel", _l("Panel")),
    SelectChoice("break", _l("Break")),
    SelectChoice("qa", _l("Questions and answers")),
]


# A field the service requires in the default language: marked so, checked there (the default language may
# change in the same form, so which of the language fields must be filled is known only then).
REQUIRED = {"required": True}


def in_every_language(form_class):
    """`form_class` with, for each of its TRANSLATED fields, one more per language, `<name>_<code>`, labelled with
    the language's own name: the texts in the languages other than the one the field itself is shown in."""
    extra = {}
    for name in form_class.TRANSLATED:
        unbound = getattr(form_class, name)
        for code, language_name in LANGUAGES.items():
            extra[f"{name}_{code}"] = unbound.field_class(language_name, render_kw={"lang": code})
    return type(form_class.__name__, (form_class,), extra)


class Multilingual:
    """A form whose translatable fields are edited in every language side by side: each field itself in
    `content_language` (the seminar's default language when the page was made), `<name>_<code>` in the others.
    What it sends the service is {name: {language: text}}, so a default language changed meanwhile (or in this
    very form) moves no text into the wrong language."""

    TRANSLATED = ()
    content_language = HiddenField()

    def shown_language(self):
        """The language of the fields themselves; a missing or unknown code falls back to the page's own."""
        for code in (self.content_language.data, self.content_language.object_data):
            if code in content.languages():
                return code
        return content.site_language()

    def other_languages(self):
        shown = self.shown_language()
        return [(code, name) for code, name in LANGUAGES.items() if code != shown and code in content.languages()]

    def texts_data(self):
        """{name: {language: text}} for every translatable field, every language."""
        others = self.other_languages()
        return {name: {self.shown_language(): self[name].data or "",
                       **{code: self[f"{name}_{code}"].data or "" for code, _ in others}}
                for name in self.TRANSLATED}

    def field_for(self, key):
        """The field a service's message about `key` goes next to: `title` is about the text in the default
        language (this form's choice, if it has one), `title.ru` about the Russian one."""
        name, _, code = key.partition(".")
        if name not in self.TRANSLATED:
            return name
        chosen = getattr(getattr(self, "default_language", None), "data", None)
        code = code or (chosen if chosen in content.languages() else self.shown_language())
        return name if code == self.shown_language() else f"{name}_{code}"


def language_initial(obj, language):
    """What a multilingual form shows of `obj` (None: a new one) beyond its columns: the texts in the other
    languages, and which language the columns are in."""
    data = {"content_language": language}
    for name, texts in (obj.translations or {} if obj is not None else {}).items():
        data.update({f"{name}_{code}": text for code, text in texts.items()})
    return data


def _local_datetime(label, description=None, required=False):
    return DateTimeLocalField(label, format="%Y-%m-%dT%H:%M", description=description,
                              validators=[InputRequired()] if required else [Optional()])


@in_every_language
class SeminarForm(Multilingual, FlaskForm):
    TRANSLATED = ("title", "description", "venue", "address")

    default_language = SelectField(
        _l("Default language"), choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
        validate_choice=False,  # an unknown code falls back (in the service), as everywhere else
        description=_l("The texts in this language are shown wherever a translation is missing; the title in "
                       "it is required."),
    )
    title = StringField(_l("Title"), render_kw=REQUIRED)
    slug = StringField(
        _l("Web address"),
        description=_l("The end of the seminar's link (/s/…/). Leave empty to make it from the title."),
    )
    description = TextAreaField(
        _l("Description"),
        description=_l("Plain text. An empty line starts a new paragraph; web links become clickable."),
    )
    organizer_name = StringField(_l("Organized by"))
    venue = StringField(_l("Venue"))
    address = StringField(_l("Address"))
    timezone = SelectField(_l("Time zone"), choices=[SelectChoice(zone, zone) for zone in sorted(TIMEZONES)],
                           default=DEFAULT_TIMEZONE, description=_l("All the times below are in this zone."))
    starts_at = _local_datetime(_l("Starts"), required=True)
    ends_at = _local_datetime(_l("Ends"), required=True)
    capacity = IntegerField(_l("Capacity"), validators=[Optional()],
                            description=_l("Seats in the room. Empty means unlimited."))
    waitlist_enabled = BooleanField(_l("Offer a waiting list when the seminar is full"), default=True)
    registration_opens_at = _local_datetime(_l("Registration opens"), _l("Empty: as soon as it is published."))
    registration_closes_at = _local_datetime(_l("Registration closes"), _l("Empty: when the seminar ends."))
    requires_approval = BooleanField(_l("Registrations need my approval"))
    email_confirmation_hours = IntegerField(
        _l("Confirm e-mail addresses: hold the seat for this many hours"), validators=[Optional()],
        description=_l("Empty: no confirmation. With a number, someone who registers on the public form first gets "
                       "a link by e-mail; their seat (or place on the waiting list) is held this many hours and freed "
                       "if the link is not followed by then. People you add yourself are confirmed at once."))
    contact_email = EmailField(_l("Contact e-mail"), validators=[Optional()])

    def service_data(self):
        """The submitted values under the model's names: datetimes naive, read in the chosen zone."""
        data = {field.short_name: field.data for field in self if field.short_name in SEMINAR_FIELDS}
        data.update(self.texts_data())
        data["slug"] = (data["slug"] or "").strip().lower()
        return data


class DuplicateForm(FlaskForm):
    title = StringField(_l("Title of the copy"), validators=[InputRequired()])
    starts_on = DateField(_l("The copy starts on"), validators=[InputRequired()],
                          description=_l("Every date and time moves by the same number of days."))


@in_every_language
class AgendaItemForm(Multilingual, FlaskForm):
    TRANSLATED = ("title", "description")

    title = StringField(_l("Title"), render_kw=REQUIRED)
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default="talk")
    day = DateField(_l("Day"), validators=[InputRequired()])
    starts_at = TimeField(_l("Starts"), validators=[InputRequired()])
    ends_at = TimeField(_l("Ends"), validators=[Optional()])
    speaker_ids = SelectMultipleField(_l("Speakers"), coerce=int, widget=ListWidget(prefix_label=False),
                                      option_widget=CheckboxInput(), validate_choice=False)
    description = TextAreaField(_l("Notes"), description=_l("Optional; shown under the title."))

    def service_data(self):
        starts = datetime.combine(self.day.data, self.starts_at.data)
        ends = datetime.combine(self.day.data, self.ends_at.data) if self.ends_at.data else None
        return {**self.texts_data(), "kind": self.kind.data, "starts_at": starts, "ends_at": ends,
                "speaker_ids": self.speaker_ids.data or []}


@in_every_language
class SpeakerForm(Multilingual, FlaskForm):
    TRANSLATED = ("name", "position", "affiliation", "bio")

    honorific = StringField(_l("Honorific"), description=_l("e.g. Dr., Prof., H.E."))
    name = StringField(_l("Name"), render_kw=REQUIRED)
    position = StringField(_l("Position"))
    affiliation = StringField(_l("Affiliation"))
    bio = TextAreaField(_l("Short bio"))

    def service_data(self):
        return {"honorific": self.honorific.data, **self.texts_data()}


@in_every_language
class CategoryForm(Multilingual, FlaskForm):
    TRANSLATED = ("label",)

    label = StringField(_l("Label"), render_kw=REQUIRED)
    key = StringField(_l("Key"), description=_l("Short code used in exports and the API. Empty: made from the label."))
    quota = IntegerField(_l("Seat quota"), validators=[Optional()], description=_l("Empty means no quota."))
    is_student = BooleanField(_l("Student category (asks for university, programme, level and year)"))
    is_public = BooleanField(_l("Shown on the public registration form"), default=True,
                             description=_l("Untick for categories only organizers add, e.g. speakers or embassy "
                                            "guests."))
    is_vip = BooleanField(_l("VIP category"), description=_l("Everyone in it is highlighted on the live view when they "
                                                             "arrive, e.g. ambassadors or speakers."))

    def service_data(self):
        return {**self.texts_data(), **{name: self[name].data for name in ("key", "quota", "is_student", "is_public",
                                                                            "is_vip")}}


def _local_naive(seminar, moment):
    """What a datetime-local input shows: the wall-clock time in the seminar's zone, without a zone."""
    return seminar.local(moment).replace(tzinfo=None) if moment else None


def seminar_initial(seminar):
    data = {name: getattr(seminar, name) for name in SEMINAR_FIELDS}
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        data[name] = _local_naive(seminar, getattr(seminar, name))
    return {**data, **language_initial(seminar, seminar.default_language)}


def new_seminar_form():
    """A new seminar starts in the organizer's own language (the select says so, and changes it)."""
    language = content.current_language()
    return SeminarForm(data={"default_language": language, **language_initial(None, language)})


def agenda_form(seminar, item):
    if item is None:
        previous = seminar.agenda_items[-1] if seminar.agenda_items else None
        start = (previous.ends_at or previous.starts_at) if previous else seminar.starts_at
        data = {"day": seminar.local(start).date(), "starts_at": seminar.local(start).time()}
    else:
        data = {"title": item.title, "kind": item.kind, "day": seminar.local(item.starts_at).date(),
                "starts_at": seminar.local(item.starts_at).time(),
                "ends_at": seminar.local(item.ends_at).time() if item.ends_at else None,
                "speaker_ids": [speaker.id for speaker in item.speakers], "description": item.description}
    form = AgendaItemForm(data={**data, **language_initial(item, seminar.default_language)})
    form.speaker_ids.choices = [SelectChoice(speaker.id, speaker.display_name) for speaker in seminar.speakers]
    return form


def speaker_form(seminar, speaker):
    return SpeakerForm(obj=speaker, data=language_initial(speaker, seminar.default_language))


def category_form(seminar, category):
    return CategoryForm(obj=category, data=language_initial(category, seminar.default_language))


def _int_or_none(value):
    """A select's value that is not a number means "nothing chosen"; the service says what to choose."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class DayForm(FlaskForm):
    """A day as the organizer thinks of it: a date and its hours, in the seminar's zone."""

    date = DateField(_l("Date"), validators=[InputRequired()])
    starts_at = TimeField(_l("Starts"), validators=[InputRequired()])
    ends_at = TimeField(_l("Ends"), validators=[InputRequired()])

    def service_data(self, seminar):
        """What `save_day` reads: local times, which it reads in the seminar's zone. Takes the seminar as the
        session form's does (one view serves both), which needs it for its day's date."""
        return {"starts_at": datetime.combine(self.date.data, self.starts_at.data),
                "ends_at": datetime.combine(self.date.data, self.ends_at.data)}


@in_every_language
class SessionForm(Multilingual, FlaskForm):
    TRANSLATED = ("title",)

    title = StringField(_l("Title"), render_kw=REQUIRED)
    day_id = SelectField(_l("Day"), coerce=_int_or_none, validate_choice=False)
    starts_at = TimeField(_l("Starts"), validators=[InputRequired()])
    ends_at = TimeField(_l("Ends"), validators=[InputRequired()])
    room = StringField(_l("Room"))
    capacity = IntegerField(_l("Places"), validators=[Optional()],
                            description=_l("Empty: everyone registered may come, nobody chooses a place."))

    def service_data(self, seminar):
        """The times on the chosen day's date (an unknown day: the seminar's first date, so the service names
        only the day as wrong)."""
        day = next((day for day in seminar.days if day.id == self.day_id.data), None)
        date = day.local_date if day is not None else seminar.local(seminar.starts_at).date()
        return {**self.texts_data(), "day_id": self.day_id.data, "room": self.room.data or "",
                "starts_at": datetime.combine(date, self.starts_at.data),
                "ends_at": datetime.combine(date, self.ends_at.data), "capacity": self.capacity.data}


def day_form(seminar, day):
    if day is None:
        last = seminar.days[-1] if seminar.days else None
        start, end = (last.starts_at, last.ends_at) if last else (seminar.starts_at, seminar.ends_at)
        date = last.local_date + timedelta(days=1) if last else seminar.local(seminar.starts_at).date()
        data = {"date": date, "starts_at": seminar.local(start).time(), "ends_at": seminar.local(end).time()}
    else:
        data = {"date": day.local_date, "starts_at": seminar.local(day.starts_at).time(),
                "ends_at": seminar.local(day.ends_at).time()}
    return DayForm(data=data, prefix="day")  # its own ids beside the session form on the days page


def session_form(seminar, part):
    if part is None:
        day = seminar.days[0] if seminar.days else None
        data = {"day_id": day.id if day else None, "starts_at": seminar.local(day.starts_at).time() if day else None,
                "ends_at": seminar.local(day.ends_at).time() if day else None}
    else:
        data = {"title": part.title, "day_id": part.day_id, "room": part.room, "capacity": part.capacity,
                "starts_at": seminar.local(part.starts_at).time(), "ends_at": seminar.local(part.ends_at).time()}
    form = SessionForm(data={**data, **language_initial(part, seminar.default_language)})
    form.day_id.choices = [SelectChoice(value, label) for value, label in day_names.day_choices(seminar)]
    return form


class ConfirmForm(FlaskForm):
    """Deleting what holds check-ins or places: the button on the page that says what is lost, carrying those
    counts (more lost by the time it is pressed asks again)."""

    check_ins = HiddenField()
    places = HiddenField()

    def accepted(self):
        return {name: int(value) if value.isdigit() else 0
                for name, value in (("check_ins", self.check_ins.data or ""), ("places", self.places.data or ""))}
