from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from eventreg.models import MIN_PASSWORD_LENGTH
from eventreg.security import single_line

# Site roles: what an account may do beyond the seminars whose teams it is on.
ROLE_CHOICES = [
    SelectChoice("staff", _l("Team member only")),
    SelectChoice("organizer", _l("Organizer (may create seminars)")),
    SelectChoice("admin", _l("Administrator")),
]
SEMINAR_ROLE_CHOICES = [
    SelectChoice("owner", _l("Owner: everything, including the team and erasure")),
    SelectChoice("organizer", _l("Organizer: content, registrations, messages, reports, exports")),
    SelectChoice("door", _l("Door: check-in, live counts and search at this seminar")),
    SelectChoice("viewer", _l("Viewer: the report's figures, no personal data")),
]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])
    remember = BooleanField(_l("Keep me logged in on this device"))


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), single_line])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1000)],
        description=_l("At least %(n)s characters. Tell it to the person; they can change it.",
                       n=MIN_PASSWORD_LENGTH),
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class PasswordResetForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1000)]
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1000)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"), validators=[EqualTo("password", message=_l("The passwords differ."))]
    )


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(), Length(max=100), single_line],
        description=_l("Where it is used, e.g. “Door 1 scanner”."),
    )
    seminar = SelectField(_l("Seminar"), choices=[], validate_choice=False,
                          description=_l("A door device's token: only its seminar."))
    role = SelectField(_l("At most this role"), choices=[SelectChoice("", _l("My own role")), *SEMINAR_ROLE_CHOICES],
                       validate_choice=False)
    expires_on = DateField(_l("Last day it works"), validators=[Optional()],
                           description=_l("Leave empty for a token that works until you revoke it."))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail of your staff account"), validators=[DataRequired(), Email(), Length(max=254)],
                       filters=[_strip])


class ChooseNewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1000)],
        description=_l("At least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the new password"), validators=[EqualTo("password", message=_l("The passwords differ."))]
    )
