"""Signup, re-send, organizer edit and CSV import forms.

The forms carry CSRF, types and HTML hints (required, maxlength); the rules themselves live in
`validation.py` and run in the service, whose field errors are put back next to each field.
"""

import secrets

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields import Field, IntegerField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import DateInput, ListWidget

from eventreg import widgets
from eventreg.config import LANGUAGES
from eventreg.form_errors import ServiceErrors
from eventreg.questions.answers import LONG_TEXT_MAX, SHORT_TEXT_MAX, field_name, form_value
from eventreg.registration.validation import (
    EMAIL_MAX,
    MAX_STUDY_YEAR,
    NAME_MAX,
    STUDY_YEAR_MESSAGE,
    TEXT_MAX,
)
from eventreg.security import single_line
from eventreg.seminars.content import localized
from eventreg.seminars.day_names import day_choices

CONSENT_TEXT = _l(
    "The organizers store your name, contact details, organization and (for students) study details to "
    "manage this seminar: your ticket, entry at the door, and e-mails about this seminar. The data is not "
    "shared with third parties and is erased after the seminar's records are closed. You may ask for it "
    "to be erased earlier by writing to the organizers."
)
STUDY_LEVEL_CHOICES = [SelectChoice("bachelor", _l("Bachelor")), SelectChoice("master", _l("Master")),
                       SelectChoice("phd", _l("PhD"))]


def _int_or_none(value):
    """A radio value that is not a number means "nothing chosen"; the service says what to do."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _text(label, max_length=TEXT_MAX, required=False, **kw):
    render_kw = {"maxlength": max_length, **kw.pop("render_kw", {})}
    if required:
        render_kw["required"] = True
    return StringField(label, render_kw=render_kw, widget=widgets.TextInput(), **kw)


class RegistrantFields(ServiceErrors, FlaskForm):
    """The person's details, shared by the public signup and the organizer's add/edit pages (their inputs
    are written by `eventreg.widgets`: a rush opens this form hundreds of times a minute)."""

    full_name = _text(_l("Full name"), NAME_MAX, required=True, render_kw={"autocomplete": "name"},
                      description=_l("As you write it, in any script: it appears on your ticket."))
    email = EmailField(_l("E-mail"), render_kw={"maxlength": EMAIL_MAX, "required": True, "autocomplete": "email"},
                       widget=widgets.EmailInput())
    phone = TelField(_l("Phone (optional)"), render_kw={"maxlength": 40, "autocomplete": "tel"},
                     description=_l("With the country code, e.g. +7 701 234 5678."), widget=widgets.TelInput())
    organization = _text(_l("Organization"), render_kw={"autocomplete": "organization"})
    position = _text(_l("Position"), render_kw={"autocomplete": "organization-title"})
    category_id = RadioField(_l("I am attending as"), coerce=_int_or_none, validate_choice=False,
                             option_widget=widgets.RadioInput())
    university = _text(_l("University"), render_kw={"list": "universities"})
    programme = _text(_l("Faculty or programme"))
    study_level = RadioField(_l("Level of study"), choices=STUDY_LEVEL_CHOICES, validate_choice=False,
                             option_widget=widgets.RadioInput())
    # Our own message also spares every empty year (all non-students) a load of WTForms' catalogue from disk.
    study_year = IntegerField(_l("Year of study"), validators=[Optional(), NumberRange(1, MAX_STUDY_YEAR)],
                              widget=widgets.NumberInput(min=1, max=MAX_STUDY_YEAR),
                              invalid_value_message=STUDY_YEAR_MESSAGE)
    # Each language named in itself, as in the footer's switcher; the page's language is the first guess.
    language = SelectField(_l("Preferred language"), default=lambda: str(get_locale()), validate_choice=False,
                           choices=[SelectChoice(k, v) for k, v in LANGUAGES.items()])
    consent_photos = BooleanField(_l("I agree to appear in photos and videos of the seminar (optional)"),
                                  widget=widgets.CheckboxInput())

    # The seminar's questions, added by `with_questions`; `for_staff`: the organizer's form (every question, none
    # required, none hidden by the chosen category).
    questions = ()
    for_staff = False

    def question_fields(self):
        """[(question, its field)] in the form's order."""
        return [(question, self[field_name(question)]) for question in self.questions]

    def set_answers(self, stored):
        """The question fields filled from a registration's answers ({question id: stored text})."""
        for question, field in self.question_fields():
            field.data = form_value(question, stored.get(question.id))

    def set_categories(self, categories):
        self.category_id.choices = [SelectChoice(c.id, localized(c, "label")) for c in categories]
        if len(categories) == 1 and self.category_id.data is None:
            self.category_id.data = categories[0].id

    def registrant_data(self):
        return {**{name: getattr(self, name).data for name in (
            "full_name", "email", "phone", "organization", "position", "category_id", "university",
            "programme", "study_level", "study_year", "language", "consent_photos")},
            "answers": {question.key: field.data for question, field in self.question_fields()}}


class SessionChoice:
    """The sessions with places (workshops) a person chooses; offered only when the seminar has some
    (`set_sessions`), and sent to the service only then, so a form without them changes no places."""

    session_ids = SelectMultipleField(_l("Sessions (choose the ones you will attend)"), validate_choice=False)
    sessions = ()

    def set_sessions(self, sessions, held=()):
        """`sessions`: the seminar's sessions with a capacity; `held`: the ids ticked before anything is sent."""
        self.sessions = tuple(sessions)
        self.session_ids.choices = [SelectChoice(str(part.id), part.title) for part in sessions]
        if not self.is_submitted():
            self.session_ids.data = [str(session_id) for session_id in held]

    def chosen(self, part):
        return str(part.id) in (self.session_ids.data or [])

    def registrant_data(self):
        data = super().registrant_data()
        if self.sessions:
            data["session_ids"] = list(self.session_ids.data or [])
        return data


class SignupForm(SessionChoice, RegistrantFields):
    consent_data = BooleanField(_l("I agree to the processing of my personal data for this seminar"),
                                description=CONSENT_TEXT, widget=widgets.CheckboxInput())
    # One key per filled-in form: sent again (a double click, a retry after a lost answer), it leads to the
    # registration it made the first time. Kept across a re-render with errors: the attempt is the same.
    submission_key = HiddenField(default=lambda: secrets.token_urlsafe(16))

    def registrant_data(self):
        return {**super().registrant_data(), "consent_data": self.consent_data.data}


class OrganizerRegistrationForm(SessionChoice, RegistrantFields):
    """Add by hand or edit: any category of the seminar, hidden ones included; consent may be on paper. The fields
    speak to the organizer about the person, and the browser offers none of the organizer's own details."""

    full_name = _text(_l("The person's full name"), NAME_MAX, required=True,
                      description=_l("As they write it, in any script: it appears on their ticket."))
    email = EmailField(_l("The person's e-mail"), render_kw={"maxlength": EMAIL_MAX, "required": True},
                       description=_l("Their ticket and every e-mail about this seminar go to this address."),
                       widget=widgets.EmailInput())
    category_id = RadioField(_l("They attend as"), coerce=_int_or_none, validate_choice=False,
                             option_widget=widgets.RadioInput())
    language = SelectField(_l("Language of their e-mails"), default=lambda: str(get_locale()), validate_choice=False,
                           choices=[SelectChoice(k, v) for k, v in LANGUAGES.items()])
    consent_photos = BooleanField(_l("The person agreed to appear in photos and videos of the seminar"),
                                  widget=widgets.CheckboxInput())
    consent_data = BooleanField(_l("The person agreed to the processing of their personal data"),
                                widget=widgets.CheckboxInput())
    is_vip = BooleanField(_l("VIP"), widget=widgets.CheckboxInput(),
                          description=_l("Highlighted on the live view when they arrive (everyone in a VIP category "
                                         "is, too)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            if field.render_kw and "autocomplete" in field.render_kw:
                field.render_kw = {**field.render_kw, "autocomplete": "off"}

    def registrant_data(self):
        return {**super().registrant_data(), "consent_data": self.consent_data.data, "is_vip": self.is_vip.data}


class OrganizerAddForm(OrganizerRegistrationForm):
    """Adding a person by hand: the organizer chooses whether the person hears from us now."""

    notify = BooleanField(_l("Send them the confirmation e-mail"), default=True, widget=widgets.CheckboxInput(),
                          description=_l("Their ticket, or word that they are on the waiting list. Leave it unticked "
                                         "when they should not hear from us yet."))


def with_questions(form_class, questions, locale, *, staff=False):
    """`form_class` with a field per question, named `answers.<key>` as the service names its messages and
    labelled in `locale`; the class itself when the seminar asks nothing (a signup then costs nothing more)."""
    if not questions:
        return form_class
    fields = {field_name(question): _answer_field(question, locale, required=question.required and not staff)
              for question in questions}
    return type(form_class.__name__, (form_class,), {**fields, "questions": tuple(questions), "for_staff": staff})


def _answer_field(question, locale, *, required):
    """The field for one question. Its inputs only carry what the person typed: the service checks it, so a
    date or a number typed wrongly gets our message rather than a browser's silence."""
    label, description = question.localized("label", locale), question.localized("help_text", locale)
    hint = {"required": True} if required else {}
    choices = [SelectChoice(key, text) for key, text in question.choice_labels(locale)]
    kind = question.kind
    if kind == "long_text":
        return TextAreaField(label, description=description, render_kw={"maxlength": LONG_TEXT_MAX, "rows": 4, **hint})
    if kind == "single_choice":
        return RadioField(label, description=description, choices=choices, validate_choice=False,
                          option_widget=widgets.RadioInput())
    if kind == "multiple_choice":
        return SelectMultipleField(label, description=description, choices=choices, validate_choice=False,
                                   widget=ListWidget(prefix_label=False), option_widget=widgets.CheckboxInput())
    if kind == "checkbox":
        return BooleanField(label, description=description, widget=widgets.CheckboxInput())
    if kind == "date":
        return StringField(label, description=description, render_kw=hint, widget=DateInput())
    if kind == "number":
        return StringField(label, description=description, render_kw={"inputmode": "decimal", **hint},
                           widget=widgets.TextInput())
    return StringField(label, description=description, render_kw={"maxlength": SHORT_TEXT_MAX, **hint},
                       widget=widgets.TextInput())


class ResendForm(FlaskForm):
    email = EmailField(_l("E-mail"), render_kw={"maxlength": EMAIL_MAX, "required": True, "autocomplete": "email"})


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"),
                     validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("A .csv file, please."))],
                     description=_l("UTF-8, UTF-16 or Windows-1251 (as Excel saves it); first row with column "
                                    "names: full_name, email, category, organization, position, phone, "
                                    "university, programme, study_level, study_year, language."))


class ImportConfirmForm(FlaskForm):
    rows = HiddenField()
    # Asked every time, "do not" first: a list is often imported before its people should hear anything.
    notify = RadioField(_l("E-mail"), choices=[SelectChoice("no", _l("Do not e-mail")),
                                               SelectChoice("yes", _l("Send the tickets by e-mail now"))],
                        default="no", validate_choice=False)


class ActionForm(FlaskForm):
    """Approve, reject, cancel, confirm: a button with CSRF and nothing else."""


class TicketSessionsForm(SessionChoice, FlaskForm):
    """The attendee's own change of sessions on their ticket page."""


class RowIdsField(Field):
    """The ids of the ticked rows: checkboxes named `ids` that the list writes beside each row."""

    def process_formdata(self, valuelist):
        if not all(v.isascii() and v.isdigit() and len(v) < 19 for v in valuelist):
            raise ValueError(_l("The ticked rows could not be read. Open the list again and tick them anew."))
        self.data = [int(v) for v in valuelist]


BULK_ACTION_CHOICES = [SelectChoice("approve", _l("Approve")), SelectChoice("reject", _l("Reject")),
                       SelectChoice("cancel", _l("Cancel")), SelectChoice("resend", _l("Resend the ticket")),
                       SelectChoice("move", _l("Move to the category"))]


class BulkForm(FlaskForm):
    """One action on many registrations: the ticked rows (`ids`, checkboxes beside each row) or every row of the
    list's filter (`q`, `status`, `category`, `attendance`: the list's own, carried in hidden fields)."""

    action = SelectField(_l("With the selected"), choices=BULK_ACTION_CHOICES, validators=[InputRequired()])
    target_category = SelectField(_l("Category to move them to"), coerce=_int_or_none, validate_choice=False,
                                  description=_l("Each keeps their status; a confirmed person needs a free place in "
                                                 "the category's quota."))
    notify = BooleanField(_l("Tell the people by e-mail"), default=True,
                          description=_l("When cancelling: unticked, nobody is e-mailed."))
    scope = RadioField(_l("Rows"), choices=[SelectChoice("selected", _l("The ticked rows")),
                                            SelectChoice("filter", _l("Every row of this filter"))],
                       default="selected", validators=[InputRequired()])
    # Ids of their own: the list's filter form beside this one has fields of the same names.
    q = HiddenField(id="bulk-q")
    status = HiddenField(id="bulk-status")
    category = HiddenField(id="bulk-category")
    attendance = HiddenField(id="bulk-attendance")
    ids = RowIdsField()

    def set_categories(self, categories):
        self.target_category.choices = [SelectChoice(c.id, c.label) for c in categories]

    def validate_target_category(self, field):
        if self.action.data == "move" and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose the category to move them to."))


class AttendanceForm(FlaskForm):
    """An organizer's correction of who attended, after the door closed: what and why (kept in the audit log)."""

    attended = RadioField(_l("Attendance"), choices=[SelectChoice("yes", _l("Was there")),
                                                     SelectChoice("no", _l("Was not there"))],
                          validators=[InputRequired()])
    reason = StringField(_l("Why"), validators=[InputRequired(), Length(max=500), single_line],
                         description=_l("E.g. “signed the paper sheet; the scanner was down”. Kept in the audit "
                                        "log."))
    day_id = SelectField(_l("Day"), coerce=_int_or_none, validate_choice=False)

    def set_days(self, seminar):
        """A seminar of several days is corrected one day at a time: which one is chosen here."""
        self.day_id.choices = [SelectChoice(value, label) for value, label in day_choices(seminar)]
