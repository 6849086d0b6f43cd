"""Clause-by-clause conformance of an application: the producer's answers and the reviewer's results.

An application is made against one version of the standard. The clauses that apply to it are those
of that version for any of its product categories. The producer answers them while the application
is a draft or returned; the reviewer records pass / fail / comment per clause while it is under
review. A verdict counts only for the answer it was given on (answers carry a revision number).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import get_locale
from flask_babel import gettext as _

from ..audit.services import record
from ..exceptions import Invalid, InvalidTransition, NotPermitted
from ..extensions import db
from ..models import Application, ApplicationState, Role, User
from ..models.base import utcnow
from ..models.standards import ClauseAnswer, ClauseReview
from .services import as_standard, get_version, in_force, standard_code
from .spec import Clause, Standard, check_measured

NOT_APPLICABLE = "not_applicable"
RESULTS = ("pass", "fail", "comment")
REVIEW_STATES = (ApplicationState.SUBMITTED, ApplicationState.RESUBMITTED)


class AnswerErrors(Invalid):
    """Several answers were refused; `errors` maps form field names to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(_("Some answers were not accepted; see the messages next to them."))
        self.errors = errors


@dataclass(frozen=True)
class AnswerInput:
    """What the producer entered for one clause (from the form)."""

    applies: bool = True  # False: the clause's condition does not hold for this producer
    declared: bool = False
    attachment_ids: tuple[int, ...] = ()
    value: str = ""
    note: str = ""


@dataclass
class ClauseRow:
    """One applicable clause of an application with its answer and review results."""

    clause: Clause
    answer: ClauseAnswer | None
    reviews: list[ClauseReview]

    @property
    def verdict(self) -> str | None:
        """The latest pass/fail given on the current answer, or None (not reviewed)."""
        revision = self.answer.revision if self.answer else 0
        for review in reversed(self.reviews):
            if review.result in ("pass", "fail") and review.answer_revision == revision:
                return review.result
        return None

    @property
    def answered(self) -> bool:
        return self.answer is not None


def lang() -> str:
    return "en" if str(get_locale()) == "en" else "zh"


# ---- Which standard and clauses --------------------------------------------------------------


def effective_fields() -> dict[str, str]:
    """standard_code and standard_version of the version in force, for a new application."""
    row = in_force(standard_code())
    if row is None:
        raise Invalid(_("No product standard is in effect, so no application can be made yet. "
                        "The registry's administrator must load the standards first."))  # fmt: skip
    return {"standard_code": row.code, "standard_version": row.version}


def standard_hash(application: Application) -> str:
    """The content hash of the version an application was made under (for its authorization)."""
    row = get_version(application.standard_code, application.standard_version)
    return row.content_hash if row else ""


def standard_of(application: Application) -> Standard | None:
    row = get_version(application.standard_code, application.standard_version)
    return as_standard(row) if row else None


def applicable_clauses(application: Application, standard: Standard | None = None) -> list[Clause]:
    """The clauses of the application's version that apply to any of its categories."""
    standard = standard or standard_of(application)
    if standard is None:
        return []
    chosen = set(application.categories or [])
    return [c for c in standard.clauses if not c.categories or chosen & set(c.categories)]


def clause_rows(application: Application) -> list[ClauseRow]:
    """Every applicable clause with its answer and its review history."""
    answers = {a.clause_id: a for a in db.session.scalars(
        db.select(ClauseAnswer).where(ClauseAnswer.application_id == application.id))}  # fmt: skip
    reviews: dict[str, list[ClauseReview]] = {}
    for review in db.session.scalars(
        db.select(ClauseReview).where(ClauseReview.application_id == application.id)
        .order_by(ClauseReview.id)
    ):  # fmt: skip
        reviews.setdefault(review.clause_id, []).append(review)
    return [ClauseRow(c, answers.get(c.id), reviews.get(c.id, []))
            for c in applicable_clauses(application)]  # fmt: skip


def _names(rows: list[ClauseRow]) -> str:
    return "；".join(f"{r.clause.id} {r.clause.heading.get(lang())}" for r in rows)


def ensure_answered(application: Application) -> None:
    """Before submitting: every mandatory clause answered, and its evidence still attached."""
    present = {a.id for a in application.attachments}
    missing = [r for r in clause_rows(application) if r.clause.mandatory and (
        r.answer is None or (r.answer.kind == "document" and not set(r.answer.attachment_ids) & present)
    )]  # fmt: skip
    if missing:
        raise Invalid(_("Answer every mandatory clause of the standard first: %(names)s",
                        names=_names(missing)))  # fmt: skip


def ensure_all_passed(application: Application) -> None:
    """Before the review passes: every mandatory clause has passed on its current answer."""
    rows = [r for r in clause_rows(application) if r.clause.mandatory]
    failed = [r for r in rows if r.verdict == "fail"]
    unreviewed = [r for r in rows if r.verdict is None]
    if failed or unreviewed:
        parts = []
        if failed:
            parts.append(_("failed: %(names)s", names=_names(failed)))
        if unreviewed:
            parts.append(_("not yet reviewed: %(names)s", names=_names(unreviewed)))
        raise Invalid(_("The review cannot pass while a mandatory clause has not passed (%(list)s).",
                        list=" / ".join(parts)))  # fmt: skip


# ---- The producer's answers ------------------------------------------------------------------


def field_name(clause_id: str, part: str) -> str:
    """The form field of one part of a clause's answer, e.g. c_bead_hole_diameter_value."""
    return f"c_{clause_id.replace('-', '_')}_{part}"


def _check_answer(
    clause: Clause, given: AnswerInput, attachments: set[int]
) -> tuple[dict | None, dict]:
    """The answer to store for a clause (None: no answer) and any errors by field."""
    if clause.condition is not None and not given.applies:
        return {"kind": NOT_APPLICABLE, "note": given.note}, {}
    if clause.kind == "declaration":
        return ({"kind": "declaration", "note": given.note} if given.declared else None), {}
    if clause.kind == "document":
        unknown = set(given.attachment_ids) - attachments
        if unknown:
            return None, {field_name(clause.id, "attachments"):
                          _("Choose documents attached to this application.")}  # fmt: skip
        chosen = sorted(set(given.attachment_ids))
        return ({"kind": "document", "attachment_ids": chosen, "note": given.note}
                if chosen else None), {}  # fmt: skip
    if clause.kind == "measured":
        value = given.value.strip()
        if not value:
            return None, {}
        if issue := check_measured(clause, value):
            return None, {field_name(clause.id, "value"): issue.message(lang())}
        value = format(Decimal(value).normalize(), "f")
        return {
            "kind": "measured",
            "value": value,
            "unit": clause.unit or "",
            "note": given.note,
        }, {}
    note = given.note.strip()  # inspection: where and when the inspector can check
    return ({"kind": "inspection", "note": note} if note else None), {}


ANSWER_FIELDS = ("kind", "attachment_ids", "value", "unit", "note")


def _as_dict(answer: ClauseAnswer | None) -> dict | None:
    if answer is None:
        return None
    return {f: getattr(answer, f) for f in ANSWER_FIELDS}


def save_answers(application: Application, actor: User, given: dict[str, AnswerInput]) -> int:
    """The producer's answers to the applicable clauses, all checked before any is saved; commits.

    Returns the number of clauses whose answer changed. Raises AnswerErrors naming each field
    whose value was refused (a measured value outside its limits, a foreign attachment).
    """
    from ..authorization.services import ensure_editable

    ensure_editable(application, actor)
    attachments = {a.id for a in application.attachments}
    rows = clause_rows(application)
    wanted, errors = {}, {}
    for row in rows:
        answer, problems = _check_answer(row.clause, given.get(row.clause.id, AnswerInput()),
                                         attachments)  # fmt: skip
        errors.update(problems)
        wanted[row.clause.id] = answer
    if errors:
        raise AnswerErrors(errors)
    before, after = {}, {}
    for row in rows:
        new = wanted[row.clause.id]
        old = _as_dict(row.answer)
        if old is not None and new is not None:
            new = {f: new.get(f, [] if f == "attachment_ids" else "") for f in ANSWER_FIELDS}
        if old == new:
            continue
        before[row.clause.id], after[row.clause.id] = old, new
        if new is None:
            db.session.delete(row.answer)
            continue
        answer = row.answer or ClauseAnswer(application_id=application.id, clause_id=row.clause.id,
                                            revision=0)  # fmt: skip
        for f in ANSWER_FIELDS:
            setattr(answer, f, new.get(f, [] if f == "attachment_ids" else ""))
        answer.revision += 1
        answer.answered_by_id, answer.answered_at = actor.id, utcnow()
        db.session.add(answer)
    if after:
        record("application.answer_clauses", "application", application.id, actor,
               before=before, after=after)  # fmt: skip
    db.session.commit()
    return len(after)


# ---- The reviewer's results ------------------------------------------------------------------


def require_reviewable(application: Application, actor: User) -> None:
    """Raise NotPermitted or InvalidTransition unless `actor` may review `application`'s
    clauses now (a reviewer, the application under review)."""
    if not actor.has_role(Role.REVIEWER):
        raise NotPermitted(_("Only reviewers can record the review of clauses."))
    if application.state not in REVIEW_STATES:
        raise InvalidTransition(_("Clauses can only be reviewed while the application is under "
                                  "review."))  # fmt: skip


def review_clauses(
    application: Application, actor: User, results: dict[str, tuple[str, str]]
) -> int:
    """A reviewer records pass / fail / comment on clauses of an application under review; commits.

    `results` maps clause id to (result, note); a clause with an empty result is left alone.
    Failing or commenting needs a note. Returns the number of results recorded.
    """
    require_reviewable(application, actor)
    rows = {r.clause.id: r for r in clause_rows(application)}
    errors, chosen = {}, []
    for clause_id, (result, note) in results.items():
        note = (note or "").strip()
        if not result or clause_id not in rows:
            continue
        if result not in RESULTS:
            errors[field_name(clause_id, "result")] = _("Choose pass, fail or comment.")
        elif result in ("fail", "comment") and not note:
            errors[field_name(clause_id, "note")] = _("Say why in a note.")
        else:
            chosen.append((rows[clause_id], result, note))
    if errors:
        raise AnswerErrors(errors)
    if not chosen:
        raise Invalid(_("Choose a result for at least one clause."))
    now = utcnow()
    for row, result, note in chosen:
        db.session.add(ClauseReview(
            application_id=application.id, clause_id=row.clause.id, result=result, note=note,
            answer_revision=row.answer.revision if row.answer else 0, reviewer_id=actor.id, at=now,
        ))  # fmt: skip
    record("application.review_clauses", "application", application.id, actor,
           after={row.clause.id: {"result": result, "note": note} for row, result, note in chosen})  # fmt: skip
    db.session.commit()
    return len(chosen)


# ---- Demo data and tests ---------------------------------------------------------------------


def sample_answers(application: Application) -> dict[str, AnswerInput]:
    """Answers that satisfy every applicable clause, citing the first attachment as evidence.

    For the demo data and the tests' data makers only: real producers answer on the page.
    """
    evidence = tuple(a.id for a in application.attachments[:1])
    given = {}
    for clause in applicable_clauses(application):
        value = ""
        if clause.kind == "measured":
            low, high = clause.limits.min, clause.limits.max
            value = str(low if low is not None else high)
        given[clause.id] = AnswerInput(
            declared=True, attachment_ids=evidence, value=value,
            note="样品和记录在生产场所备查（演示数据）" if clause.kind == "inspection" else "",
        )  # fmt: skip
    return given


def pass_every_clause(application: Application, reviewer: User) -> None:
    """Record a pass on every applicable clause (demo data and tests only); commits."""
    results = {c.id: ("pass", "") for c in applicable_clauses(application)}
    if results:
        review_clauses(application, reviewer, results)
