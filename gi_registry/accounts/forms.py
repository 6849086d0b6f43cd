"""Forms of the accounts area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, StopValidation

from ..formtools import REQUIRED, CheckboxListField
from ..models import Role
from .services import MIN_PASSWORD_LENGTH

ROLE_LABELS = {
    Role.PRODUCER: _l("Producer"),
    Role.REVIEWER: _l("Reviewer"),
    Role.APPROVER: _l("Approver"),
    Role.STATION_OPERATOR: _l("Station operator"),
    Role.ADMIN: _l("Administrator"),
}
EMAIL_MESSAGE = _l("Enter a valid email address.")
ROLES_MESSAGE = _l("Choose at least one role.")
PASSWORD_LENGTH_MESSAGE = _l("The password must have at least 10 characters.")


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)])


class RegisterForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(REQUIRED), Email(EMAIL_MESSAGE, check_deliverability=False),
                    Length(max=254)],
    )  # fmt: skip
    name = StringField(_l("Your name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(REQUIRED), Length(min=MIN_PASSWORD_LENGTH,
                                                    message=PASSWORD_LENGTH_MESSAGE)],
        description=_l("At least 10 characters."),
    )  # fmt: skip
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("The passwords differ."))],
    )


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(REQUIRED), Length(min=MIN_PASSWORD_LENGTH,
                                                    message=PASSWORD_LENGTH_MESSAGE)],
    )  # fmt: skip
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("The passwords differ."))],
    )


def role_choices():
    return [(role.value, label) for role, label in ROLE_LABELS.items()]


class RolesField(CheckboxListField):
    """The roles of an account: at least one must be ticked (a user without a role can do nothing).

    The group is marked required (its legend shows *), not each box: DataRequired would pass its
    flag to every checkbox, which a browser then reads as "tick them all".
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "CheckboxListField"  # drawn as a checkbox list by the field macro
        self.flags.required = True

    def pre_validate(self, form):
        super().pre_validate(form)
        if not self.data:
            raise StopValidation(ROLES_MESSAGE)


class UserCreateForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(REQUIRED), Email(EMAIL_MESSAGE, check_deliverability=False)],
    )
    name = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(REQUIRED), Length(min=MIN_PASSWORD_LENGTH,
                                                    message=PASSWORD_LENGTH_MESSAGE)],
    )  # fmt: skip
    roles = RolesField(_l("Roles"), choices=role_choices, validate_choice=True)


class UserEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    roles = RolesField(_l("Roles"), choices=role_choices, validate_choice=True)
    enabled = BooleanField(_l("May sign in"))


class PasswordResetForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(REQUIRED), Length(min=MIN_PASSWORD_LENGTH,
                                                    message=PASSWORD_LENGTH_MESSAGE)],
    )  # fmt: skip
