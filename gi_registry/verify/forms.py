"""The consumer's lookup box and the report of a suspected fake."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..formtools import REQUIRED


class LookupForm(FlaskForm):
    """Type what is printed under the QR (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Certificate number, verification code or label serial"),
        validators=[DataRequired(REQUIRED), Length(max=2000)],
        description=_l("For example BSLL-C-2026-000123, or the code printed under the QR code."),
    )


class ReportForm(FlaskForm):
    code = StringField(_l("Code, serial or certificate number on the item (if any)"),
                       validators=[Optional(), Length(max=60)])  # fmt: skip
    where_bought = StringField(_l("Where did you buy it?"),
                               validators=[DataRequired(REQUIRED), Length(max=300)],
                               description=_l("Shop name and address, or the online shop's link."))  # fmt: skip
    bought_on = DateField(_l("When did you buy it?"), validators=[Optional()])
    what_seen = TextAreaField(_l("What makes you suspect it is not genuine?"),
                              validators=[DataRequired(REQUIRED), Length(max=4000)])  # fmt: skip
    photo = FileField(_l("Photo of the item or label (optional, JPEG or PNG, at most 10 MB)"),
                      validators=[Optional(), FileAllowed(["jpg", "jpeg", "png"],
                                                          _l("Only JPEG or PNG photos."))])  # fmt: skip
    contact = StringField(_l("Your phone or e-mail (optional)"),
                          validators=[Optional(), Length(max=200)],
                          description=_l("Only the district office sees it, to ask you more."))  # fmt: skip
