"""Forms of the stations area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..formtools import REQUIRED
from ..reference import TOWNS
from .labels import (
    ATTACHMENT_LABELS,
    HOST_TYPE_LABELS,
    KIND_LABELS,
    LANGUAGE_LABELS,
    STATUS_LABELS,
)

DATE_MESSAGE = _l("Enter a date as YYYY-MM-DD.")


def town_choices():
    from ..templating import town_label

    return [("", _l("Choose…"))] + [(t, town_label(t)) for t in TOWNS]


class StationForm(FlaskForm):
    name = StringField(_l("Station name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    host_organisation = StringField(_l("Host organisation (依托单位)"),
                                    validators=[DataRequired(REQUIRED), Length(max=200)])  # fmt: skip
    host_type = RadioField(_l("Kind of host organisation"),
                           choices=[(k.value, v) for k, v in HOST_TYPE_LABELS.items()],
                           validators=[DataRequired(REQUIRED)])  # fmt: skip
    address = StringField(_l("Address"), validators=[DataRequired(REQUIRED), Length(max=300)])
    town = SelectField(_l("Town or subdistrict"), choices=town_choices,
                       validators=[DataRequired(REQUIRED)])  # fmt: skip
    service_scope = TextAreaField(
        _l("Service scope"), validators=[Optional(), Length(max=4000)],
        description=_l("What the station offers, e.g. registration and renewal guidance, GI "
                       "special-mark applications, rights protection."),
    )  # fmt: skip
    contact_person = StringField(_l("Contact person"),
                                 validators=[DataRequired(REQUIRED), Length(max=100)])  # fmt: skip
    contact_phone = StringField(_l("Contact phone"),
                                validators=[DataRequired(REQUIRED), Length(max=30)])  # fmt: skip
    established_on = DateField(_l("Date set up"), validators=[DataRequired(DATE_MESSAGE)])
    status = RadioField(_l("Status"), default="active",
                        choices=[(k.value, v[0]) for k, v in STATUS_LABELS.items()],
                        validators=[DataRequired(REQUIRED)])  # fmt: skip


class OperatorForm(FlaskForm):
    email = EmailField(_l("Operator's account (email)"),
                       validators=[DataRequired(REQUIRED), Length(max=254)],
                       description=_l("The account must hold the station operator role."))  # fmt: skip


class EntryForm(FlaskForm):
    entry_date = DateField(_l("Date of the service"), validators=[DataRequired(DATE_MESSAGE)])
    kind = SelectField(_l("Kind of service"),
                       choices=[("", _l("Choose…"))] + [(k.value, v) for k, v in KIND_LABELS.items()],
                       validators=[DataRequired(REQUIRED)])  # fmt: skip
    people_count = IntegerField(
        _l("Number of people"), default=1,
        validators=[DataRequired(_l("Give a whole number of at least 1.")),
                    NumberRange(min=1, max=100_000, message=_l("Give a whole number of at least 1."))],
        description=_l("People consulted, trained or reached."),
    )  # fmt: skip
    registered_codes = TextAreaField(
        _l("Registered enterprises served (credit codes)"), validators=[Optional(), Length(max=4000)],
        description=_l("One 统一社会信用代码 per line, for enterprises registered in this registry."),
    )  # fmt: skip
    other_enterprises = TextAreaField(
        _l("Other enterprises served (names)"), validators=[Optional(), Length(max=4000)],
        description=_l("One name per line. A name that matches a registered enterprise exactly "
                       "is linked to it."),
    )  # fmt: skip
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(REQUIRED), Length(max=4000)],
                            description=_l("What was done, for whom, and the result."))  # fmt: skip


class NewEntryForm(EntryForm):
    publish = BooleanField(_l("Publish on the station's public page now"))


class CorrectionForm(EntryForm):
    reason = TextAreaField(_l("Why is this corrected?"),
                           validators=[DataRequired(REQUIRED), Length(max=2000)],
                           description=_l("Kept with the previous content for inspectors."))  # fmt: skip


class LedgerAttachmentForm(FlaskForm):
    kind = SelectField(_l("Kind of file"), choices=[(k.value, v) for k, v in ATTACHMENT_LABELS.items()],
                       validators=[DataRequired(REQUIRED)])  # fmt: skip
    file = FileField(_l("File (photo: JPEG or PNG; sign-in sheet: also PDF; at most 10 MB)"),
                     validators=[FileRequired(REQUIRED)])  # fmt: skip


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=2000)])


class ArticleForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=200)])
    language = RadioField(_l("Language"), default="zh",
                          choices=[(k, v) for k, v in LANGUAGE_LABELS.items()],
                          validators=[DataRequired(REQUIRED)])  # fmt: skip
    body = TextAreaField(
        _l("Text (Markdown)"), validators=[DataRequired(REQUIRED), Length(max=50_000)],
        description=_l("Markdown: # heading, **bold**, - list, [link](https://…). HTML is shown "
                       "as text; only http, https and mailto links are kept."),
    )  # fmt: skip


class ConsentForm(FlaskForm):
    station = SelectField(_l("Station that helped you"), coerce=int, choices=[],
                          validators=[DataRequired(REQUIRED)])  # fmt: skip


class YearForm(FlaskForm):
    class Meta:
        csrf = False  # a GET choice

    year = SelectField(_l("Year"), coerce=int, choices=[], validate_choice=False)
