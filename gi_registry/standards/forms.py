"""Forms of the standards area: comparing versions, and the clause answers and review results."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..formtools import CheckboxListField
from .conformance import AnswerInput, field_name
from .spec import Clause


class CompareForm(FlaskForm):
    """Choose the two versions to compare (a GET form)."""

    class Meta:
        csrf = False

    old = SelectField(_l("Older version"), choices=[], validators=[Optional()])
    new = SelectField(_l("Newer version"), choices=[], validators=[Optional()])


APPLIES = [("yes", _l("Yes, this applies to us")), ("no", _l("No, this does not apply to us"))]
# Words only: an <option> cannot hold the icons, and the symbols need an emoji font.
RESULT_CHOICES = [("", _l("No result now")), ("pass", _l("Pass")), ("fail", _l("Fail")),
                  ("comment", _l("Comment only"))]  # fmt: skip


def answer_form(clauses: list[Clause], attachments: list, formdata=None, answers=None):
    """One form with the fields of every applicable clause, pre-filled from the saved answers."""

    class ClauseAnswerForm(FlaskForm):
        pass

    documents = [(a.id, a.original_name) for a in attachments]
    for clause in clauses:
        name = lambda part, c=clause: field_name(c.id, part)  # noqa: E731
        if clause.condition is not None:
            setattr(ClauseAnswerForm, name("applies"), RadioField(
                _l("Does this apply to you?"), choices=APPLIES, validators=[Optional()]))  # fmt: skip
        if clause.kind == "declaration":
            setattr(ClauseAnswerForm, name("declare"),
                    BooleanField(_l("We declare that this requirement is met.")))  # fmt: skip
        elif clause.kind == "document":
            setattr(ClauseAnswerForm, name("attachments"), CheckboxListField(
                _l("Supporting documents"), choices=documents, coerce=int, validate_choice=False,
                description=_l("Attach the document under “Materials” on the application page "
                               "first, then tick it here.")))  # fmt: skip
        elif clause.kind == "measured":
            setattr(ClauseAnswerForm, name("value"), StringField(
                _l("Measured value (%(unit)s)", unit=clause.unit), validators=[Length(max=30)],
                render_kw={"inputmode": "decimal", "autocomplete": "off"}))  # fmt: skip
        note_label = (_l("Where and when can the inspector check this?")
                      if clause.kind == "inspection" else _l("Note (optional)"))  # fmt: skip
        setattr(ClauseAnswerForm, name("note"), TextAreaField(
            note_label, validators=[Length(max=2000)], render_kw={"rows": 2}))  # fmt: skip
    form = ClauseAnswerForm(formdata=formdata)
    if formdata is None and answers:
        fill_answers(form, answers)
    return form


def fill_answers(form, answers: dict) -> None:
    """Show the saved answers in the form."""
    for clause_id, answer in answers.items():
        fields = {part: form._fields.get(field_name(clause_id, part))
                  for part in ("applies", "declare", "attachments", "value", "note")}  # fmt: skip
        if fields["applies"] is not None:
            fields["applies"].data = "no" if answer.kind == "not_applicable" else "yes"
        if fields["declare"] is not None:
            fields["declare"].data = answer.kind == "declaration"
        if fields["attachments"] is not None:
            fields["attachments"].data = list(answer.attachment_ids or [])
        if fields["value"] is not None:
            fields["value"].data = answer.value
        if fields["note"] is not None:
            fields["note"].data = answer.note


def read_answers(form, clauses: list[Clause]) -> dict[str, AnswerInput]:
    """The answers entered in the form, by clause id."""
    given = {}
    for clause in clauses:
        get = lambda part, c=clause: getattr(form._fields.get(field_name(c.id, part)), "data", None)  # noqa: E731
        given[clause.id] = AnswerInput(
            applies=get("applies") != "no", declared=bool(get("declare")),
            attachment_ids=tuple(get("attachments") or ()), value=get("value") or "",
            note=(get("note") or "").strip(),
        )  # fmt: skip
    return given


def review_form(clauses: list[Clause], formdata=None):
    """One form with a result and a note for every applicable clause."""

    class ClauseReviewForm(FlaskForm):
        pass

    for clause in clauses:
        setattr(ClauseReviewForm, field_name(clause.id, "result"),
                SelectField(_l("Result"), choices=RESULT_CHOICES, validators=[Optional()]))  # fmt: skip
        setattr(ClauseReviewForm, field_name(clause.id, "note"), TextAreaField(
            _l("Note (needed for a failure or a comment)"), validators=[Length(max=2000)],
            render_kw={"rows": 2}))  # fmt: skip
    return ClauseReviewForm(formdata=formdata)


def read_results(form, clauses: list[Clause]) -> dict[str, tuple[str, str]]:
    """The results entered in the form, by clause id."""
    return {
        c.id: (
            form[field_name(c.id, "result")].data or "",
            form[field_name(c.id, "note")].data or "",
        )
        for c in clauses
    }
