"""Small helpers shared by forms and views."""

from flask import flash, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import FileField, SelectMultipleField, widgets

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

    def process_data(self, value):
        # Nothing ticked is an empty list, also when a request carries no form data at all.
        super().process_data(value)
        if self.data is None:
            self.data = []


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change state."""


_flask_wtf_formdata = FlaskForm.Meta.wrap_formdata


def form_fields_only(meta, form, formdata):
    """Flask-WTF's form data, except that an uploaded file reaches only a file field and a JSON
    body is no form: a file or a JSON number under a text field's name would otherwise reach the
    validators as an object they cannot measure (a 500 instead of "this field is required")."""
    if formdata is _Auto and has_request_context() and request.is_json and not request.form:
        return None
    wrapped = _flask_wtf_formdata(meta, form, formdata)
    if formdata is _Auto and isinstance(wrapped, CombinedMultiDict):
        files = {name for name, field in form._fields.items() if isinstance(field, FileField)}
        data = MultiDict(request.form.items(multi=True))
        for name, upload in request.files.items(multi=True):
            if name in files:
                data.add(name, upload)
        return data
    return wrapped


# Every form of the site derives from FlaskForm directly; this is the one place they all share.
FlaskForm.Meta.wrap_formdata = form_fields_only
