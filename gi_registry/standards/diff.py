"""Compare two versions of a standard clause by clause, with redlines for changed text."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from gi_registry.standards.spec import Standard, clause_to_json, to_json

# Fields every version has its own value for; reporting them as "changed" would be noise.
_IGNORED_TOP = {"format", "version", "content_hash", "clauses"}
# English splits into words and the spaces between them; Chinese has no spaces, so per character,
# except that a number or a Latin word inside Chinese text (0.8, mm, GB) stays whole.
_EN_TOKEN = re.compile(r"\s+|[\w'’]+|[^\w\s]")
_ZH_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.\-][A-Za-z0-9]+)*|\s+|.", re.DOTALL)


@dataclass(frozen=True)
class Segment:
    """A run of text that is the same in both versions, only in the new one, or only in the old."""

    op: str  # "equal" | "insert" | "delete"
    text: str


@dataclass(frozen=True)
class FieldChange:
    """One field whose value differs; `redline` is set for zh/en text fields."""

    field: str  # e.g. "text.zh", "limits.min", "mandatory", "scope.en", "production_area"
    old: Any
    new: Any
    redline: tuple[Segment, ...] | None = None


@dataclass(frozen=True)
class ClauseChange:
    """A clause present in both versions whose content differs."""

    id: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Comparison:
    """Everything that differs between two versions of a standard."""

    old_version: str
    new_version: str
    added: tuple[str, ...]  # clause ids only in the new version, in its order
    removed: tuple[str, ...]  # clause ids only in the old version, in its order
    changed: tuple[ClauseChange, ...]  # in the new version's order
    fields: tuple[FieldChange, ...]  # top-level fields (title, scope, dates, categories...)
    reordered: bool  # the clauses kept in both versions appear in a different order

    @property
    def unchanged(self) -> bool:
        """Say whether the two versions have the same content."""
        return not (self.added or self.removed or self.changed or self.fields or self.reordered)


def _tokens(text: str, lang: str) -> list[str]:
    """Split text into diff units: characters (and whole numbers) for Chinese, words for English."""
    return _ZH_TOKEN.findall(text) if lang == "zh" else _EN_TOKEN.findall(text)


def redline(old: str, new: str, lang: str) -> tuple[Segment, ...]:
    """Return the segments that turn `old` into `new`, merged into runs of one op each."""
    a, b = _tokens(old, lang), _tokens(new, lang)
    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        pieces = (
            [("equal", a[i1:i2])]
            if tag == "equal"
            else [("delete", a[i1:i2]), ("insert", b[j1:j2])]
        )
        for op, tokens in pieces:
            if not tokens:
                continue
            if segments and segments[-1].op == op:
                segments[-1] = Segment(op, segments[-1].text + "".join(tokens))
            else:
                segments.append(Segment(op, "".join(tokens)))
    return tuple(segments)


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested dicts to dotted paths; lists stay whole values."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[FieldChange, ...]:
    """Compare two flattened records field by field, redlining changed zh/en strings."""
    old_flat, new_flat = _flatten(old), _flatten(new)
    changes = []
    for path in list(dict.fromkeys([*old_flat, *new_flat])):
        before, after = old_flat.get(path), new_flat.get(path)
        if before == after:
            continue
        lang = path.rpartition(".")[2]
        texts = isinstance(before, str) and isinstance(after, str) and lang in ("zh", "en")
        changes.append(
            FieldChange(path, before, after, redline(before, after, lang) if texts else None)
        )
    return tuple(changes)


def compare(old: Standard, new: Standard) -> Comparison:
    """Compare two versions: clauses added, removed and changed (by id) and top-level fields."""
    old_ids = [c.id for c in old.clauses]
    new_ids = [c.id for c in new.clauses]
    changed = []
    for clause in new.clauses:
        before = old.clause(clause.id)
        if before is not None:
            changes = _field_changes(clause_to_json(before), clause_to_json(clause))
            if changes:
                changed.append(ClauseChange(clause.id, changes))
    top_old = {k: v for k, v in to_json(old).items() if k not in _IGNORED_TOP}
    top_new = {k: v for k, v in to_json(new).items() if k not in _IGNORED_TOP}
    kept_old = [i for i in old_ids if i in new_ids]
    kept_new = [i for i in new_ids if i in old_ids]
    return Comparison(
        old_version=old.version,
        new_version=new.version,
        added=tuple(i for i in new_ids if i not in old_ids),
        removed=tuple(i for i in old_ids if i not in new_ids),
        changed=tuple(changed),
        fields=_field_changes(top_old, top_new),
        reordered=kept_old != kept_new,
    )
