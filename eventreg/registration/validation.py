"""Checking a registrant's details: one set of rules for the form, the API, the CSV import and edits.

The web form validates first for friendly messages next to each field; these rules run again in the
service, so no path into the database (API, import, organizer edit) can skip them.
"""

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from eventreg.email_addresses import normalise_email
from eventreg.models import STUDY_LEVELS
from eventreg.security import control_characters_message, has_control_characters

NAME_MIN, NAME_MAX = 2, 200
TEXT_MAX = 300
EMAIL_MAX = 254
MAX_STUDY_YEAR = 10
# Apostrophes, hyphens, dots and spaces join the letters of real names in every script.
_NAME_PUNCTUATION = set(" -'.’ʼ‘`")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{5,30}$")

STUDY_FIELDS = ("university", "programme", "study_level", "study_year")
STUDY_YEAR_MESSAGE = _l("Year of study: a number from 1 to %(max)d.", max=MAX_STUDY_YEAR)

ASTANA_UNIVERSITIES = (
    "L.N. Gumilyov Eurasian National University",
    "Nazarbayev University",
    "International University of Astana",
    "Astana IT University",
    "S. Seifullin Kazakh Agrotechnical Research University",
    "Astana Medical University",
    "Maqsut Narikbayev University",
    "Kazakh University of Technology and Business",
    "Astana International University",
    "Esil University",
)


def _language(code):
    """The registrant's language for everything they receive: one the site speaks, else the page's own.

    An unknown code (a stale form, an API client's typo) is not worth refusing a registration for.
    """
    return code if code in current_app.config["LANGUAGES"] else str(get_locale())


def _text(data, key):
    value = data.get(key)
    return "" if value is None else str(value).strip()


def name_error(name):
    if len(name) < NAME_MIN:
        return _l("Please enter your full name.")
    if len(name) > NAME_MAX:
        return _l("The name is too long (at most %(max)d characters).", max=NAME_MAX)
    if not any(c.isalpha() for c in name):
        return _l("A name needs letters.")
    for char in name:
        if not (unicodedata.category(char)[0] in "LM" or char in _NAME_PUNCTUATION):
            return _l("Letters, spaces, hyphens and apostrophes only, please.")
    return None


def email_error(email):
    if not email:
        return _l("Please enter your e-mail address.")
    if len(email) > EMAIL_MAX:
        return _l("The e-mail address is too long.")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return _l("This is not a valid e-mail address.")
    return None


def phone_error(phone):
    if not phone:
        return None
    digits = sum(c.isdigit() for c in phone)
    if not _PHONE.match(phone) or not 7 <= digits <= 15:
        return _l("Enter the number with its country code, e.g. +7 701 234 5678.")
    return None


def clean(data, category, *, require_consent, require_email=True):
    """The cleaned values of `data` (model field names), or raises ValueError-like field errors.

    Returns (values, errors): errors maps a field name to a list of messages; values is only
    meaningful when errors is empty.
    """
    errors = {}
    values = {
        "full_name": " ".join(_text(data, "full_name").split()),
        "email": normalise_email(_text(data, "email")),
        "phone": _text(data, "phone"),
        "organization": _text(data, "organization"),
        "position": _text(data, "position"),
        "language": _language(_text(data, "language")),
        "consent_photos": bool(data.get("consent_photos")),
    }
    optional_email = not require_email and not values["email"]
    for key, message in (("full_name", name_error(values["full_name"])),
                         ("email", None if optional_email else email_error(values["email"])),
                         ("phone", phone_error(values["phone"]))):
        if message is not None:
            errors[key] = [message]
    for key in ("organization", "position"):
        if len(values[key]) > TEXT_MAX:
            errors[key] = [_l("At most %(max)d characters.", max=TEXT_MAX)]
        elif has_control_characters(values[key]):
            errors[key] = [control_characters_message()]
    if require_consent and not data.get("consent_data"):
        errors["consent_data"] = [_l("We need your consent to process your data for this registration.")]
    values.update(_student_values(data, category, errors))
    return values, errors


def study_details(data, category):
    """(values, errors) of the study fields alone: for a person moved to `category` with the details they have."""
    errors = {}
    return _student_values(data, category, errors), errors


def _student_values(data, category, errors):
    """University, programme, level and year: required for a student category, cleared otherwise."""
    if category is None or not category.is_student:
        return {"university": "", "programme": "", "study_level": None, "study_year": None}
    values = {
        "university": _text(data, "university"),
        "programme": _text(data, "programme"),
        "study_level": _text(data, "study_level") or None,
        "study_year": None,
    }
    for key in ("university", "programme"):
        if not values[key]:
            errors[key] = [_l("Required for students.")]
        elif len(values[key]) > TEXT_MAX:
            errors[key] = [_l("At most %(max)d characters.", max=TEXT_MAX)]
        elif has_control_characters(values[key]):
            errors[key] = [control_characters_message()]
    if values["study_level"] not in STUDY_LEVELS:
        errors["study_level"] = [_l("Choose bachelor, master or PhD.")]
    year = _text(data, "study_year")
    if year.isdigit() and 1 <= int(year) <= MAX_STUDY_YEAR:
        values["study_year"] = int(year)
    else:
        errors["study_year"] = [STUDY_YEAR_MESSAGE]
    return values
