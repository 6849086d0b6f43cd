"""Words for batch states, audit actions and failure reasons, in the visitor's language."""

from flask_babel import lazy_gettext as _l

from .. import categories
from ..certificates.serials import format_serial  # noqa: F401  (templates use it)

STATES = {
    "queued": (_l("Waiting to start"), "⧗"),
    "issuing": (_l("Being prepared"), "⚙"),
    "ready": (_l("Ready"), "✔"),
    "failed": (_l("Failed — nothing issued"), "✖"),
}

ACTIONS = {
    "label_batch.order": _l("Ordered"),
    "label_batch.start": _l("Preparation started"),
    "label_batch.requeue": _l("Interrupted; back in the queue"),
    "label_batch.ready": _l("Ready"),
    "label_batch.fail": _l("Failed"),
}

# The first word of LabelBatch.error names the reason; what follows is for officials.
FAILURES = {
    "authorization_inactive": _l("The authorization is no longer valid (suspended, revoked or "
                                 "expired), so no labels were issued."),
    "out_of_scope": _l("The product category is no longer in the authorization's scope, so no "
                       "labels were issued."),
    "interrupted": _l("Preparing the labels was interrupted several times, so no labels were "
                      "issued. Please order again."),
}  # fmt: skip
TECHNICAL_FAILURE = _l("A technical problem stopped the preparation, so no labels were issued. "
                       "Please order again; the registry has logged the problem.")  # fmt: skip


ACTORS = {
    "label issuing job": _l("label issuing job"),
    "command line": _l("command line"),
}


def actor_label(label: str) -> str:
    """Who did it: a person's e-mail, or the job or command line in words."""
    return str(ACTORS.get(label, label))


def state_label(state: str) -> str:
    return str(STATES[state][0]) if state in STATES else state


def state_icon(state: str) -> str:
    return STATES[state][1] if state in STATES else ""


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def failure(error: str) -> str:
    """The reason a batch failed, in words a producer understands."""
    code = error.partition(":")[0].strip()
    return str(FAILURES.get(code, TECHNICAL_FAILURE))


def category_choices(scope: list[str]) -> list[tuple[str, str]]:
    return [(slug, categories.label(slug)) for slug in scope]
