"""Forms of the yearly use reports."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..formtools import REQUIRED
from .services import UNITS

LINE_ROWS = 6  # rows offered without JavaScript; more can be added after saving
MAX_LINES = 40
WHOLE_NUMBER = _l("Enter a whole number, 0 or more.")


class LineForm(Form):
    category = SelectField(_l("Product category"), choices=[], validate_choice=False)
    product = StringField(_l("Product"), validators=[Optional(), Length(max=200)])
    quantity = IntegerField(_l("Quantity"), validators=[Optional(), NumberRange(min=0)])
    unit = SelectField(_l("Unit"), choices=[], validate_choice=False)


class UseReportForm(FlaskForm):
    lines = FieldList(FormField(LineForm), min_entries=LINE_ROWS, max_entries=MAX_LINES)
    output_value_yuan = IntegerField(
        _l("Output value of the products sold under the mark (yuan)"),
        validators=[InputRequired(REQUIRED), NumberRange(min=0, message=WHOLE_NUMBER)],
        description=_l("Whole yuan, for the whole year."),
    )
    labels_used = IntegerField(
        _l("Special-mark labels used"),
        validators=[InputRequired(REQUIRED), NumberRange(min=0, message=WHOLE_NUMBER)],
        description=_l("Printed marks or labels applied to products or packaging in the year."),
    )
    production_changes = TextAreaField(
        _l("Changes in production"),
        validators=[Optional(), Length(max=4000)],
        description=_l("New workshop or address, processes, capacity; leave empty if none."),
    )
    ownership_changes = TextAreaField(
        _l("Changes in ownership or name"),
        validators=[Optional(), Length(max=4000)],
        description=_l("Owner, legal representative, name or licence; leave empty if none."),
    )
    remarks = TextAreaField(_l("Remarks"), validators=[Optional(), Length(max=4000)])

    def __init__(self, *args, category_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category_choices = [("", _l("Category…"))] + list(category_choices)
        self.set_choices()

    def set_choices(self) -> None:
        """Give every product row its choices (call again after adding rows)."""
        units = [("", _l("Unit…"))] + list(UNITS.items())
        for entry in self.lines:
            entry.form.category.choices = self.category_choices
            entry.form.unit.choices = units

    def service_data(self) -> dict:
        """The answers as the filing service takes them."""
        data = {
            f: getattr(self, f).data
            for f in (
                "output_value_yuan",
                "labels_used",
                "production_changes",
                "ownership_changes",
                "remarks",
            )
        }
        data["lines"] = [dict(entry.data) for entry in self.lines]
        return data


class FlagActionForm(FlaskForm):
    grounds = TextAreaField(_l("Grounds"), validators=[DataRequired(REQUIRED), Length(max=4000)])
    deadline = DateField(_l("Rectification deadline (for a suspension)"), validators=[Optional()])
