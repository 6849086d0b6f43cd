"""Forms of the public registry, announcements and product photos."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .. import categories
from ..formtools import REQUIRED, CheckboxListField
from ..reference import ROUTE_LABELS, TOWNS
from .services import STATUSES

ANY = ("", _l("Any"))


class DirectoryForm(FlaskForm):
    """The directory's search box and filters (a GET form: no CSRF token, bad values ignored)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or credit code"), validators=[Optional(), Length(max=100)])
    town = SelectField(_l("Town or subdistrict"), choices=[], validators=[Optional()])
    route = SelectField(_l("Legal-user route"), choices=[], validators=[Optional()])
    category = SelectField(_l("Product category"), choices=[], validators=[Optional()])
    status = SelectField(_l("Status"), choices=[], validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from ..templating import state_label, town_label

        self.town.choices = [ANY] + [(t, town_label(t)) for t in TOWNS]
        self.route.choices = [ANY] + [(k.value, v) for k, v in ROUTE_LABELS.items()]
        self.category.choices = [ANY] + categories.choices()
        self.status.choices = [ANY] + [(s, state_label(s)) for s in STATUSES]

    def value(self, name: str) -> str:
        """The field's value if it is a valid choice, else "" (a stale link shows everything)."""
        field = self[name]
        return "" if field.errors else (field.data or "")


class AnnouncementForm(FlaskForm):
    authorizations = CheckboxListField(_l("Enterprises to list"), choices=[],
                                       validate_choice=False)  # fmt: skip
    note = TextAreaField(
        _l("Statement (optional)"), validators=[Optional(), Length(max=2000)],
        description=_l("Printed above the list, in Chinese, e.g. the legal basis."),
    )  # fmt: skip


class CorrectionForm(FlaskForm):
    entries = CheckboxListField(_l("Lines to re-list as they are now"), choices=[],
                                validate_choice=False)  # fmt: skip
    reason = TextAreaField(_l("What is corrected"),
                           validators=[DataRequired(REQUIRED), Length(max=2000)])  # fmt: skip


class PhotoForm(FlaskForm):
    category = SelectField(_l("Product category"), choices=[], validators=[DataRequired(REQUIRED)])
    caption = StringField(_l("Caption"), validators=[Optional(), Length(max=200)],
                          description=_l("What the item is, e.g. its name and technique."))  # fmt: skip
    photo = FileField(_l("Photo (JPEG or PNG, at most 10 MB)"), validators=[FileRequired(REQUIRED)])


class PhotoDecisionForm(FlaskForm):
    note = TextAreaField(_l("Grounds (required to reject)"),
                         validators=[Optional(), Length(max=2000)])  # fmt: skip
