from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from eventreg.auth.forms import SEMINAR_ROLE_CHOICES
from eventreg.models import MIN_PASSWORD_LENGTH


class MemberForm(FlaskForm):
    """The e-mail and role are checked by the service (teams.services.add_member), so the API-less rule is one."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)],
                       description=_l("Someone without an account gets an invitation link by e-mail."))
    role = SelectField(_l("Role on this seminar"), choices=SEMINAR_ROLE_CHOICES, default="organizer",
                       validate_choice=False)


class MemberRoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=SEMINAR_ROLE_CHOICES, validate_choice=False)


class JoinForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        _l("Choose a password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1000)],
        description=_l("At least %(n)s characters.", n=MIN_PASSWORD_LENGTH))
    confirm = PasswordField(_l("The password again"),
                            validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))])
