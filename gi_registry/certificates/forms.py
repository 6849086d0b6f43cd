"""Forms of the certificates area: reissuing, and the officials' handling of fake reports."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..formtools import REQUIRED


class ReissueForm(FlaskForm):
    reason = TextAreaField(_l("Reason for reissuing"),
                           validators=[DataRequired(REQUIRED), Length(max=2000)])  # fmt: skip


class ReportActionForm(FlaskForm):
    notes = TextAreaField(_l("Official notes"), validators=[Optional(), Length(max=4000)],
                          description=_l("Required to close: what was found and done."))  # fmt: skip
