"""The organizer's question form. It only parses input; the rules are in services.py, whose messages are shown
next to these fields."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from eventreg.config import LANGUAGES
from eventreg.form_errors import ServiceErrors

KIND_CHOICES = [
    SelectChoice("short_text", _l("Short text")),
    SelectChoice("long_text", _l("Long text")),
    SelectChoice("single_choice", _l("One of several choices")),
    SelectChoice("multiple_choice", _l("Any of several choices")),
    SelectChoice("checkbox", _l("A box to tick")),
    SelectChoice("date", _l("A date")),
    SelectChoice("number", _l("A number")),
]
# Empty rows offered for new choices (without JavaScript a form cannot grow; save and come back for more).
NEW_CHOICE_ROWS = 3


class ChoiceEntry(Form):
    """One choice: its key (kept, so answers follow a renamed choice), its label, the label in each language.
    A plain Form: the question form's CSRF token covers it."""

    key = HiddenField()
    label = StringField(_l("Choice"))


for _code, _name in LANGUAGES.items():
    setattr(ChoiceEntry, f"label_{_code}", StringField(_name))


class QuestionForm(ServiceErrors, FlaskForm):
    label = StringField(_l("Question"), validators=[InputRequired()])
    kind = SelectField(_l("Kind of answer"), choices=KIND_CHOICES, default="short_text")
    help_text = TextAreaField(_l("Help text"), description=_l("Optional; shown under the question."))
    required = BooleanField(_l("An answer is required"))
    choices = FieldList(FormField(ChoiceEntry), label=_l("Choices"))
    min_value = IntegerField(_l("Smallest number"), validators=[Optional()], description=_l("Empty: no limit."))
    max_value = IntegerField(_l("Largest number"), validators=[Optional()], description=_l("Empty: no limit."))
    category_ids = SelectMultipleField(_l("Asked of"), coerce=int, widget=ListWidget(prefix_label=False),
                                       option_widget=CheckboxInput(), validate_choice=False,
                                       description=_l("None ticked: everyone is asked."))
    key = StringField(_l("Key"), description=_l("Short code used in exports and the API. Empty: made from the "
                                                "question."))

    def translation_fields(self):
        """[(language name, label field, help text field)] for the other languages."""
        return [(name, self[f"label_{code}"], self[f"help_text_{code}"]) for code, name in LANGUAGES.items()]

    def choice_forms(self):
        """Each choice's own form (a FormField's `label` would be the field's, not the choice's)."""
        return [entry.form for entry in self.choices]

    def translation_errors(self):
        """True when a translation is refused: its group is then shown open."""
        return any(label.errors or help_text.errors for _, label, help_text in self.translation_fields())

    def service_data(self):
        return {
            **{name: self[name].data for name in ("label", "key", "kind", "help_text", "required", "min_value",
                                                  "max_value")},
            "category_ids": self.category_ids.data or [],
            "choices": [{"key": choice.key.data or None, "label": choice.label.data or "",
                         "translations": {code: choice[f"label_{code}"].data or "" for code in LANGUAGES}}
                        for choice in self.choice_forms()],
            "translations": {field: {code: self[f"{field}_{code}"].data or "" for code in LANGUAGES}
                             for field in ("label", "help_text")},
        }


for _code, _name in LANGUAGES.items():
    setattr(QuestionForm, f"label_{_code}", StringField(_l("Question in %(language)s", language=_name)))
    setattr(QuestionForm, f"help_text_{_code}", TextAreaField(_l("Help text in %(language)s", language=_name)))


def _initial(question):
    translations = question.translations or {}
    data = {name: getattr(question, name) for name in ("label", "key", "kind", "help_text", "required", "min_value",
                                                       "max_value")}
    data["category_ids"] = [category.id for category in question.categories]
    data["choices"] = [{"key": key, "label": label,
                        **{f"label_{code}": translations.get("choices", {}).get(code, {}).get(key, "")
                           for code in LANGUAGES}}
                       for key, label in question.choice_labels()]
    for field in ("label", "help_text"):
        for code in LANGUAGES:
            data[f"{field}_{code}"] = translations.get(field, {}).get(code, "")
    return data


def question_form(seminar, question):
    """The form for a new question (question=None) or for changing one, with empty rows for new choices."""
    form = QuestionForm(data=_initial(question) if question is not None else None)
    form.category_ids.choices = [SelectChoice(category.id, category.label) for category in seminar.categories]
    if not form.is_submitted():
        for _ in range(NEW_CHOICE_ROWS if question is not None and question.choices else NEW_CHOICE_ROWS + 1):
            form.choices.append_entry()
    return form


class ConfirmDeleteForm(FlaskForm):
    """Deleting a question: how many answers the organizer was told would be lost."""

    answers_lost = HiddenField()
