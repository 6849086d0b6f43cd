"""The label order form."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import DataRequired, InputRequired, ValidationError
from wtforms.widgets import TextInput

from ..formtools import REQUIRED
from ..models.labels import MAX_BATCH_QUANTITY

QUANTITY_RANGE = _l("Order between 1 and 50,000 labels.")


class QuantityField(IntegerField):
    """A whole number as people type it: 10000, 10,000, 10 000 or full-width １００００."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = unicodedata.normalize("NFKC", valuelist[0])
        text = re.sub(r"[\s,，_']", "", text)
        if not text.isascii() or not text.isdigit():
            self.data = None
            raise ValueError(_l("Enter a whole number of labels, for example 1000."))
        self.data = int(text)


class LabelOrderForm(FlaskForm):
    category = SelectField(_l("Product category"), choices=[], validate_choice=False,
                           validators=[DataRequired(REQUIRED)])  # fmt: skip
    quantity = QuantityField(
        _l("Number of labels"),
        validators=[InputRequired(REQUIRED)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
        description=_l("1 to 50,000. Up to 2,000 labels are ready at once; larger batches are "
                       "prepared in the background and this page shows their progress."),
    )  # fmt: skip

    def validate_quantity(self, field):
        if field.data is not None and not 1 <= field.data <= MAX_BATCH_QUANTITY:
            raise ValidationError(QUANTITY_RANGE)

    def __init__(self, *args, category_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [("", _l("Choose…")), *category_choices]
