"""The organizer's certificate forms. They parse input only; the rules (and the image checks) live in services.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FloatField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from eventreg.certificates.images import MAX_BYTES
from eventreg.models import MAX_SIGNATORIES

IMAGE_HELP = _l("PNG or JPEG, at most 2 MB. SVG is not accepted: save the picture as PNG first.")
RULE_CHOICES = [
    SelectChoice("any_day", _l("Checked in on any day")),
    SelectChoice("every_day", _l("Checked in on every day")),
]


class ActionForm(FlaskForm):
    """A button that posts (CSRF only)."""


class RevokeForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[InputRequired()])


class SettingsForm(FlaskForm):
    enabled = BooleanField(_l("Give certificates of attendance for this seminar"))
    language_1 = SelectField(_l("Language"))
    language_2 = SelectField(_l("Second language, side by side"))
    everyone = BooleanField(_l("Everyone who attended"), default=True)
    category_ids = SelectMultipleField(_l("Only these categories"), coerce=int, widget=ListWidget(prefix_label=False),
                                       option_widget=CheckboxInput(), validate_choice=False)
    attendance_rule = RadioField(_l("For seminars of several days, who attended"), choices=RULE_CHOICES,
                                 default="any_day", description=_l(
                                     "Any day: checked in on at least one of the seminar's days. Every day: checked "
                                     "in on each of its days. For a seminar without days, both mean “checked in”."))
    hours = FloatField(_l("Hours"), validators=[Optional()],
                       description=_l("Printed for {hours}. Empty: the seminar's length; over several days, the "
                                      "hours of the days the person came."))
    logo = FileField(_l("Logo of the organizing body"), description=IMAGE_HELP)
    remove_logo = BooleanField(_l("Remove the logo"))

    def setup(self, languages, categories):
        """The choices of this site and seminar; `languages`: {code: name}."""
        offered = [SelectChoice(code, name) for code, name in languages.items()]
        self.language_1.choices = [SelectChoice("", _l("The attendee's own language")), *offered]
        self.language_2.choices = [SelectChoice("", _l("None")), *offered]
        self.category_ids.choices = [SelectChoice(category.id, category.label) for category in categories]
        return self

    def service_data(self):
        """The submitted values as services.save_settings takes them (uploads as bytes, at most one byte over
        the limit: enough to refuse it without reading a huge file)."""
        return {
            "enabled": self.enabled.data,
            "languages": [self.language_1.data or "", self.language_2.data or ""],
            "category_ids": None if self.everyone.data else list(self.category_ids.data or []),
            "attendance_rule": self.attendance_rule.data,
            "hours": self.hours.data,
            "logo": _read(self.logo.data),
            "remove_logo": self.remove_logo.data,
            "title_line": {code: self[f"title_{code}"].data for code in self.locales},
            "body_text": {code: self[f"body_{code}"].data for code in self.locales},
            "signatories": [{
                "name": self[f"signatory_{slot}_name"].data, "position": self[f"signatory_{slot}_position"].data,
                "signature": _read(self[f"signature_{slot}"].data),
                "remove_signature": self[f"signature_{slot}_remove"].data,
            } for slot in range(1, MAX_SIGNATORIES + 1)],
        }


def _read(upload):
    if not upload or not getattr(upload, "filename", ""):
        return None
    return upload.read(MAX_BYTES + 1)


def settings_form_class(languages):
    """SettingsForm with a title and a text for each language the site offers (fields named by locale) and the
    signatory slots."""
    fields = {"locales": tuple(languages)}
    for code, name in languages.items():
        fields[f"title_{code}"] = StringField(_l("Title line (%(language)s)", language=name))
        fields[f"body_{code}"] = TextAreaField(_l("Text (%(language)s)", language=name))
    for slot in range(1, MAX_SIGNATORIES + 1):
        fields[f"signatory_{slot}_name"] = StringField(_l("Name"))
        fields[f"signatory_{slot}_position"] = StringField(_l("Position"))
        fields[f"signature_{slot}"] = FileField(_l("Signature"), description=IMAGE_HELP)
        fields[f"signature_{slot}_remove"] = BooleanField(_l("Remove the signature"))
    return type("CertificateSettingsForm", (SettingsForm,), fields)


def form_data(settings):
    """What a saved configuration puts in the form's fields."""
    if settings is None:
        return {"everyone": True, "attendance_rule": "any_day"}
    languages = list(settings.languages or [""]) + [""]
    data = {"enabled": settings.enabled, "language_1": languages[0], "language_2": languages[1],
            "everyone": settings.category_ids is None, "category_ids": settings.category_ids or [],
            "attendance_rule": settings.attendance_rule, "hours": settings.hours}
    data.update({f"title_{code}": text for code, text in (settings.title_line or {}).items()})
    data.update({f"body_{code}": text for code, text in (settings.body_text or {}).items()})
    for signatory in settings.signatories:
        data[f"signatory_{signatory.slot}_name"] = signatory.name
        data[f"signatory_{signatory.slot}_position"] = signatory.position
    return data
