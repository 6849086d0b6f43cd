"""The enterprise form, shared by producers and officials."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..formtools import REQUIRED
from ..reference import ROUTE_LABELS, TOWNS

PHONE_MESSAGE = _l("Enter a phone number: digits, spaces, + and - only.")


def town_choices():
    from ..templating import town_label

    return [("", _l("Choose…"))] + [(t, town_label(t)) for t in TOWNS]


class EnterpriseForm(FlaskForm):
    name = StringField(_l("Enterprise name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    credit_code = StringField(
        _l("Unified social credit code (统一社会信用代码)"),
        validators=[DataRequired(REQUIRED), Length(max=30)],
        description=_l("18 characters, as on the business licence."),
    )
    legal_representative = StringField(
        _l("Legal representative"), validators=[DataRequired(REQUIRED), Length(max=100)]
    )
    address = StringField(
        _l("Registered address"), validators=[DataRequired(REQUIRED), Length(max=300)]
    )
    town = SelectField(_l("Town or subdistrict"), choices=town_choices,
                       validators=[DataRequired(REQUIRED)])  # fmt: skip
    phone = StringField(
        _l("Contact phone"),
        validators=[DataRequired(REQUIRED), Length(max=30), Regexp(r"^[0-9 +\-]{5,30}$",
                                                                   message=PHONE_MESSAGE)],
    )  # fmt: skip
    route = RadioField(
        _l("Legal-user route"),
        choices=[(k.value, v) for k, v in ROUTE_LABELS.items()],
        validators=[DataRequired(REQUIRED)],
    )
    trademark_name = StringField(
        _l("GI trademark"), validators=[Optional(), Length(max=100)],
        description=_l("For the trademark routes, e.g. 博山琉璃."),
    )  # fmt: skip
    trademark_reg_no = StringField(
        _l("Trademark registration number"), validators=[Optional(), Length(max=50)]
    )
    trademark_valid_until = DateField(_l("Trademark valid until"), validators=[Optional()])
    licence_start = DateField(_l("Licence contract starts"), validators=[Optional()])
    licence_end = DateField(_l("Licence contract ends"), validators=[Optional()])
    announcement_no = StringField(
        _l("Announcement or record number"), validators=[Optional(), Length(max=100)],
        description=_l("For protected-product and other recorded users."),
    )  # fmt: skip


class OfficialEnterpriseForm(EnterpriseForm):
    owner_email = StringField(
        _l("Producer account (email), if any"), validators=[Optional(), Length(max=254)]
    )
    credit_code_exception = TextAreaField(
        _l("Reason for accepting a code that fails the check"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Only for genuine early codes that fail the GB 32100 check."),
    )
