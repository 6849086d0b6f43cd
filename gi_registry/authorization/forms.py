"""Forms of the application and review area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..formtools import REQUIRED, CheckboxListField
from ..reference import TOWNS


class ApplicationForm(FlaskForm):
    categories = CheckboxListField(_l("Product categories"), choices=[], validate_choice=False)
    production_town = SelectField(_l("Town or subdistrict of production"), choices=[],
                                  validators=[DataRequired(REQUIRED)])  # fmt: skip
    production_address = StringField(
        _l("Production address"), validators=[DataRequired(REQUIRED), Length(max=300)],
        description=_l("Where the glass is made; it must lie in Boshan District."),
    )  # fmt: skip
    description = TextAreaField(
        _l("Products and processes"), validators=[Optional(), Length(max=4000)],
        description=_l("What you make under the mark and how (materials, traditional processes)."),
    )  # fmt: skip

    def __init__(self, *args, category_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        from ..templating import town_label

        self.categories.choices = list(category_choices)
        self.production_town.choices = [("", _l("Choose…"))] + [(t, town_label(t)) for t in TOWNS]


class AttachmentForm(FlaskForm):
    kind = SelectField(_l("Kind of document"), choices=[], validators=[DataRequired(REQUIRED)])
    file = FileField(
        _l("File (PDF, JPEG or PNG, at most 10 MB)"),
        validators=[FileRequired(REQUIRED)],
    )


class GroundsForm(FlaskForm):
    grounds = TextAreaField(_l("Grounds / note"), validators=[Optional(), Length(max=4000)])


class ApprovalForm(GroundsForm):
    valid_from = DateField(_l("Valid from"), validators=[Optional()])
    valid_until = DateField(_l("Valid until"), validators=[Optional()],
                            description=_l("Leave empty for the standard term."))  # fmt: skip


class AuthorizationActionForm(FlaskForm):
    grounds = TextAreaField(_l("Grounds"), validators=[DataRequired(REQUIRED), Length(max=4000)])
    deadline = DateField(_l("Rectification deadline (for a suspension)"), validators=[Optional()])


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    state = SelectField(_l("State"), choices=[], validators=[Optional()])
    town = SelectField(_l("Town"), choices=[], validators=[Optional()])
    route = SelectField(_l("Route"), choices=[], validators=[Optional()])
    age = SelectField(_l("Waiting"), choices=[], validators=[Optional()])
