"""The walk-in form at the door: the least the registration rules need, student fields when they apply."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from eventreg.form_errors import ServiceErrors
from eventreg.models import STUDY_LEVELS
from eventreg.seminars.content import localized

LEVEL_LABELS = {"bachelor": _l("Bachelor"), "master": _l("Master"), "phd": _l("PhD")}


def _category_id(value):
    """A category's id, or "" for the empty choice: the person at the door must pick one, nothing is assumed."""
    return int(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else (value or "")


class WalkInForm(ServiceErrors, FlaskForm):
    full_name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=200)])
    email = EmailField(_l("E-mail (optional)"), validators=[Optional(), Length(max=254)])
    organization = StringField(_l("Organization"), validators=[Optional(), Length(max=300)])
    category_id = SelectField(_l("Category"), coerce=_category_id, default="",
                              validators=[InputRequired(_l("Choose a category for this person."))])
    university = StringField(_l("University"), validators=[Optional(), Length(max=300)])
    programme = StringField(_l("Faculty or programme"), validators=[Optional(), Length(max=300)])
    study_level = SelectField(
        _l("Level"), choices=[SelectChoice("", "—")] + [SelectChoice(k, LEVEL_LABELS[k]) for k in STUDY_LEVELS],
        validators=[Optional()])
    study_year = IntegerField(_l("Year of study"), validators=[Optional(), NumberRange(min=1, max=10)])

    STUDENT_FIELDS = ("university", "programme", "study_level", "study_year")

    def __init__(self, seminar, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category_id.choices = [SelectChoice("", _l("Choose a category"))] + [
            SelectChoice(c.id, localized(c, "label")) for c in seminar.categories]
        self.student_category_ids = [c.id for c in seminar.categories if c.is_student]

    def data_for_registration(self):
        """The form as the registration rules take it (model field names, strings as typed)."""
        data = {name: self[name].data or "" for name in ("full_name", "email", "organization")}
        data["category_id"] = self.category_id.data
        if self.category_id.data in self.student_category_ids:
            data.update({name: "" if self[name].data is None else str(self[name].data)
                         for name in self.STUDENT_FIELDS})
        return data
