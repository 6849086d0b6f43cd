"""The application state machine: who may move an application from which state to which."""

from dataclasses import dataclass

from ..models import ApplicationState as S
from ..models import Role


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[S]
    target: S
    role: Role
    grounds_required: bool = False
    owner_only: bool = False  # the producer must own the application's enterprise


TRANSITIONS = {
    t.action: t
    for t in (
        Transition("submit", frozenset({S.DRAFT}), S.SUBMITTED, Role.PRODUCER, owner_only=True),
        Transition(
            "withdraw",
            frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.RESUBMITTED, S.REVIEW_PASSED}),
            S.WITHDRAWN,
            Role.PRODUCER,
            owner_only=True,
        ),
        Transition("return", frozenset({S.SUBMITTED, S.RESUBMITTED}), S.RETURNED, Role.REVIEWER,
                   grounds_required=True),
        Transition("resubmit", frozenset({S.RETURNED}), S.RESUBMITTED, Role.PRODUCER,
                   owner_only=True),
        Transition("pass_review", frozenset({S.SUBMITTED, S.RESUBMITTED}), S.REVIEW_PASSED,
                   Role.REVIEWER),
        Transition("approve", frozenset({S.REVIEW_PASSED}), S.APPROVED, Role.APPROVER),
        Transition("reject", frozenset({S.REVIEW_PASSED}), S.REJECTED, Role.APPROVER,
                   grounds_required=True),
    )
}  # fmt: skip


def allowed_actions(application, user) -> list[str]:
    """The actions `user` may take on `application` now (for showing buttons)."""
    return [
        t.action
        for t in TRANSITIONS.values()
        if application.state in t.sources
        and user.has_role(t.role)
        and (not t.owner_only or owns(user, application))
    ]


def owns(user, application) -> bool:
    return user.enterprise is not None and user.enterprise.id == application.enterprise_id
