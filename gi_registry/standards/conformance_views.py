"""Clause-by-clause conformance on an application: the producer's answers, the reviewer's results."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..access import get_application_or_404, officials_only, roles_required
from ..authorization.workflow import owns
from ..exceptions import Invalid
from ..extensions import db
from ..models import Role
from . import conformance
from .conformance import REVIEW_STATES
from .forms import answer_form, read_answers, read_results, review_form

bp = Blueprint("conformance", __name__)


def show_errors(form, error: Invalid) -> None:
    """Each refused answer's message next to its field (what was typed stays in the form)."""
    for name, message in getattr(error, "errors", {}).items():
        form[name].errors = [*form[name].errors, message]
    flash(error.message, "error")


# Words and the name of their icon in templates/_icons.html.
RESULT_WORDS = {"pass": (_l("Passed"), "check"), "fail": (_l("Did not pass"), "cross"),
                "comment": (_l("Comment"), "pen")}  # fmt: skip


@bp.app_template_filter()
def review_result(result: str) -> tuple[str, str]:
    """A reviewer's result in words, and the name of its icon."""
    words, icon = RESULT_WORDS.get(result, (result, ""))
    return str(words), icon


@bp.app_template_global()
def conformance_sheet(application) -> dict:
    """What the application page shows about the clauses: each one, its answer and its verdict."""
    rows = conformance.clause_rows(application)
    mandatory = [r for r in rows if r.clause.mandatory]
    return {
        "rows": rows,
        "lang": conformance.lang(),
        "attachments": {a.id: a for a in application.attachments},
        "unanswered": sum(1 for r in mandatory if not r.answered),
        "passed": sum(1 for r in mandatory if r.verdict == "pass"),
        "mandatory": len(mandatory),
        "under_review": application.state in REVIEW_STATES,
        "can_answer": application.is_editable and owns(current_user, application),
    }


@bp.route("/applications/<int:application_id>/clauses", methods=["GET", "POST"])
@roles_required(Role.PRODUCER)
def answers(application_id: int):
    """The producer answers the clauses of the standard that apply to its application."""
    application = get_application_or_404(application_id, current_user)
    if not application.is_editable:
        flash(_("The answers can only be changed as a draft or after the application was "
                "returned for correction."), "warning")  # fmt: skip
        return redirect(url_for("authorization.application", application_id=application.id))
    rows = conformance.clause_rows(application)
    clauses = [r.clause for r in rows]
    saved = {r.clause.id: r.answer for r in rows if r.answer}
    form = answer_form(clauses, application.attachments,
                       formdata=request.form if request.method == "POST" else None, answers=saved)  # fmt: skip
    if request.method == "POST" and form.validate():
        try:
            changed = conformance.save_answers(
                application, current_user, read_answers(form, clauses)
            )
        except Invalid as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            flash(_("Answers saved (%(n)d changed).", n=changed), "success")
            return redirect(url_for("authorization.application", application_id=application.id,
                                    _anchor="clauses"))  # fmt: skip
    return render_template("standards/answers.html", application=application, rows=rows,
                           form=form, lang=conformance.lang())  # fmt: skip


@bp.route("/applications/<int:application_id>/clauses/review", methods=["GET", "POST"])
@officials_only
def review(application_id: int):
    """Officials see each clause's answer and review history; reviewers record their results."""
    application = get_application_or_404(application_id, current_user)
    rows = conformance.clause_rows(application)
    clauses = [r.clause for r in rows]
    form = review_form(clauses, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST":  # refused (403, 409) before the form is read: its fields
        conformance.require_reviewable(application, current_user)  # show only to who may review
    if request.method == "POST" and form.validate():
        try:
            n = conformance.review_clauses(application, current_user, read_results(form, clauses))
        except Invalid as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            flash(_("Review results recorded for %(n)d clause(s).", n=n), "success")
            return redirect(url_for("conformance.review", application_id=application.id))
    can_review = current_user.has_role(Role.REVIEWER) and application.state in REVIEW_STATES
    return render_template("standards/review.html", application=application, rows=rows,
                           form=form, can_review=can_review, lang=conformance.lang())  # fmt: skip
