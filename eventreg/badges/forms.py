"""The organizer's badge form: who is printed, and how. (A "Print badge" button of one person is a small form of
its own, `templates/badges/_print_one.html`, checked by the service.)"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, SelectField

from eventreg.badges.document import LAYOUTS
from eventreg.form_errors import ServiceErrors


class BadgeForm(ServiceErrors, FlaskForm):
    category = SelectField(_l("Category"), validate_choice=False, default="")
    not_printed = BooleanField(_l("Only people whose badge has not been printed yet"))
    layout = RadioField(_l("Layout"), choices=[SelectChoice(key, layout.label) for key, layout in LAYOUTS.items()],
                        default="a4")
    latin = BooleanField(_l("Add the name in Latin letters when it is written in another script"), default=True)

    def __init__(self, seminar, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [SelectChoice("", _l("Every category")),
                                 *(SelectChoice(c.key, c.label) for c in seminar.categories)]
