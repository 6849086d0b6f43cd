"""Small helpers shared by forms and views."""

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, widgets

from .exceptions import Invalid

REQUIRED = _l("This field is required.")


def show_error(form, error: Invalid) -> None:
    """Put a service's message next to its field, keeping what the user typed; else flash it."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message] if field.errors else [error.message]
    else:
        flash(error.message, "error")


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as checkboxes, easier than a multi-select on a phone."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change state."""
