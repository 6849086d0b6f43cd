"""Find clauses of a standard by words in their id, heading and texts, in Chinese or English."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gi_registry.standards.spec import Clause, Standard, Text

_SNIPPET = 40  # characters of context on each side of a match


@dataclass(frozen=True)
class Match:
    """Where a query occurs in one field; a template highlights `match` between the two others."""

    field: str  # "id", "heading.zh", "text.en", "evidence.zh", ...
    before: str
    match: str
    after: str


@dataclass(frozen=True)
class Hit:
    """A clause that contains every term of the query."""

    clause_id: str
    heading: Text
    matches: tuple[Match, ...]


def _fields(clause: Clause, lang: str | None) -> list[tuple[str, str]]:
    """Return the clause's searchable (field, text) pairs, optionally in one language only."""
    pairs = [("id", clause.id)]
    for name in ("heading", "text", "condition", "evidence", "method"):
        text: Text | None = getattr(clause, name)
        for code in ("zh", "en"):
            if text is not None and lang in (None, code):
                pairs.append((f"{name}.{code}", getattr(text, code)))
    return pairs


def _snippet(field: str, text: str, found: re.Match[str]) -> Match:
    """Cut a snippet around a match, on one line, with ellipses where text was cut."""
    start, end = found.span()
    before = text[max(0, start - _SNIPPET) : start]
    after = text[end : end + _SNIPPET]
    before = ("…" if start > _SNIPPET else "") + before
    after = after + ("…" if end + _SNIPPET < len(text) else "")
    flat = " ".join
    return Match(field, flat(before.split("\n")), found.group(0), flat(after.split("\n")))


def search(standard: Standard, query: str, lang: str | None = None) -> list[Hit]:
    """Return clauses containing every whitespace-separated term of the query, ignoring case.

    Clauses matching in their id or heading come first; otherwise document order is kept.
    """
    terms = query.split()
    if not terms:
        return []
    patterns = [re.compile(re.escape(term), re.IGNORECASE) for term in terms]
    any_term = re.compile("|".join(p.pattern for p in patterns), re.IGNORECASE)
    hits: list[Hit] = []
    for clause in standard.clauses:
        fields = _fields(clause, lang)
        if not all(any(p.search(text) for _, text in fields) for p in patterns):
            continue
        matches = tuple(
            _snippet(name, text, found) for name, text in fields if (found := any_term.search(text))
        )
        hits.append(Hit(clause.id, clause.heading, matches))
    # sorted() is stable, so clauses keep document order within each group.
    return sorted(
        hits, key=lambda h: not any(m.field.split(".")[0] in ("id", "heading") for m in h.matches)
    )
