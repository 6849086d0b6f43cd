"""Load, validate and hash the registry's product standards (TOML files in STANDARDS_DIR)."""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

DIVISIONS = (
    "城东街道", "城西街道", "山头街道",
    "域城镇", "白塔镇", "八陡镇", "石马镇", "源泉镇", "池上镇", "博山镇",
)  # fmt: skip
STATUSES = ("draft", "effective", "superseded")
KINDS = ("declaration", "document", "measured", "inspection")
FORMAT = "gi-registry-standard/1"
# Lifecycle fields may change after publication (effective -> superseded); nothing else may.
LIFECYCLE_FIELDS = frozenset({"status", "superseded_on"})

_TOP_FIELDS = {
    "code", "version", "title", "status", "issued", "effective_from", "superseded_on",
    "notice", "scope", "production_area", "categories", "clauses", "references",
}  # fmt: skip
_CLAUSE_FIELDS = {
    "id", "heading", "text", "kind", "mandatory", "categories", "unit", "limits",
    "evidence", "method", "condition", "references",
}  # fmt: skip
_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")
_VERSION_RE = re.compile(r"^(\d{4})\.([1-9]\d*)$")
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a standard file; `reason` is a stable key, `message` is for people."""

    file: str
    line: int | None
    field: str
    reason: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line or '?'}: {self.field or '(file)'}: {self.message}"


class SpecError(Exception):
    """Raised when a standard file does not pass validation."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Text:
    """A text given in Chinese and English."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        """Return the text for a locale such as "zh", "zh_Hans_CN" or "en"."""
        return self.zh if lang.lower().startswith("zh") else self.en


@dataclass(frozen=True)
class Category:
    """A product category with a stable ASCII id."""

    id: str
    zh: str
    en: str


@dataclass(frozen=True)
class Limits:
    """Inclusive bounds of a measured clause; either may be absent."""

    min: int | float | None
    max: int | float | None


@dataclass(frozen=True)
class Clause:
    """One requirement of a standard."""

    id: str
    heading: Text
    text: Text
    kind: str
    mandatory: bool
    categories: tuple[str, ...] = ()  # empty means every category
    unit: str | None = None
    limits: Limits | None = None
    evidence: Text | None = None
    method: Text | None = None
    condition: Text | None = None
    references: tuple[str, ...] = ()

    def applies_to(self, category_id: str) -> bool:
        """Say whether the clause applies to products of this category."""
        return not self.categories or category_id in self.categories


@dataclass(frozen=True)
class Reference:
    """An external document the standard refers to."""

    code: str
    title: Text
    note: Text


@dataclass(frozen=True)
class Standard:
    """One version of a product standard, as read from its file."""

    code: str
    version: str
    title: Text
    status: str
    issued: date
    effective_from: date
    superseded_on: date | None
    notice: Text
    scope: Text
    production_area: tuple[str, ...]
    categories: tuple[Category, ...]
    clauses: tuple[Clause, ...]
    references: tuple[Reference, ...]
    content_hash: str
    source: str

    @property
    def version_key(self) -> tuple[int, int]:
        """Sortable form of the version: "2026.10" sorts after "2026.9"."""
        year, number = self.version.split(".")
        return int(year), int(number)

    @property
    def published(self) -> bool:
        """A published version (effective or superseded) must never change its content."""
        return self.status != "draft"

    def clause(self, clause_id: str) -> Clause | None:
        """Return the clause with this id, if any."""
        return next((c for c in self.clauses if c.id == clause_id), None)

    def clauses_for(self, category_id: str) -> tuple[Clause, ...]:
        """Return the clauses that apply to a product category, in document order."""
        return tuple(c for c in self.clauses if c.applies_to(category_id))


# ---- Reading and hashing ---------------------------------------------------------------------


def _parse(
    source: str | Path | bytes, file: str
) -> tuple[dict[str, Any] | None, str, list[Problem]]:
    """Parse TOML bytes or a file, returning data, raw text and any syntax problem."""
    try:
        raw_bytes = source if isinstance(source, bytes) else Path(source).read_bytes()
        raw = raw_bytes.decode("utf-8")
    except OSError as exc:
        return None, "", [Problem(file, None, "", "unreadable", f"cannot read file: {exc}")]
    except UnicodeDecodeError as exc:
        return None, "", [Problem(file, None, "", "toml-syntax", f"not UTF-8: {exc}")]
    try:
        return tomllib.loads(raw), raw, []
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's TOMLDecodeError has no lineno attribute; the message carries it.
        found = re.search(r"at line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        return None, raw, [Problem(file, line, "", "toml-syntax", f"invalid TOML: {exc}")]


def _json_default(value: Any) -> str:
    """Encode TOML dates and times as ISO 8601 text."""
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


def _hash_data(data: Mapping[str, Any]) -> str:
    """Hash the parsed data without its lifecycle fields, as canonical JSON."""
    content = {k: v for k, v in data.items() if k not in LIFECYCLE_FIELDS}
    blob = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def content_hash(source: str | Path | bytes) -> str:
    """Return the SHA-256 hex of a standard's content (a path, or the file's bytes)."""
    data, _, problems = _parse(source, "<bytes>" if isinstance(source, bytes) else str(source))
    if data is None:
        raise SpecError(problems)
    return _hash_data(data)


# ---- Locating a field in the raw text --------------------------------------------------------

_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"]+?)\s*\]\]?\s*(?:#.*)?$")
_PART_RE = re.compile(r"([^.\[\]]+)(?:\[(\d+)\])?")


def _key_re(name: str) -> re.Pattern[str]:
    """Match `name =` or `name.` as a key at line start or inside an inline table."""
    return re.compile(rf"(?:^\s*|[{{,.]\s*){re.escape(name)}\s*[=.]")


def line_for(raw: str, path: str, hint: str | None = None) -> int | None:
    """Best-effort 1-based line of a field path such as `clauses[3].limits.min` in TOML text.

    tomllib reports no positions, so this walks `[[table]]` headers and key lines in the raw
    text; `hint` is a value (an unknown id, say) to look for from the located key onwards.
    """
    lines = raw.splitlines()
    headers = {i: m.group(2) for i, ln in enumerate(lines) if (m := _HEADER_RE.match(ln))}
    lo, hi = 0, min(headers, default=len(lines))  # top-level keys sit above the first header
    table, found = "", None
    for name, index in _PART_RE.findall(path):
        full = f"{table}.{name}" if table else name
        blocks = [
            i for i in sorted(headers) if headers[i] == full and lines[i].lstrip()[:2] == "[["
        ]
        if index and int(index) < len(blocks):
            lo = found = blocks[int(index)]
            later = [i for i in headers if i > lo and not headers[i].startswith(full + ".")]
            hi, table = min(later, default=len(lines)), full
            continue
        key = _key_re(name)
        at = next((i for i in range(lo, hi) if key.search(lines[i])), None)
        if at is None:
            break
        lo = found = at
    if hint is not None and found is not None:
        quoted = json.dumps(hint, ensure_ascii=False)
        found = next((i for i in range(found, len(lines)) if quoted in lines[i]), found)
    return None if found is None else found + 1


# ---- Validation ------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    """Say whether a TOML value is a finite int or float (TOML booleans are not numbers)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class _Reader:
    """Collects problems while reading one file's parsed data."""

    def __init__(self, file: str, raw: str) -> None:
        self.file, self.raw, self.problems = file, raw, []

    def problem(
        self, field: str, reason: str, message: str, hint: str | None = None, at: str | None = None
    ) -> None:
        """Record a problem at the line of `at` (default: the field; a missing one: its parent)."""
        where = at or (field.rpartition(".")[0] if reason == "missing" else field)
        line = line_for(self.raw, where, hint) if where else None
        self.problems.append(Problem(self.file, line, field, reason, message))

    def known(self, table: Mapping[str, Any], allowed: set[str], path: str) -> None:
        """Report keys the schema does not define, which are usually typos."""
        for key in sorted(set(table) - allowed):
            self.problem(
                f"{path}.{key}" if path else key, "unknown-field", f"unknown field {key!r}"
            )

    def get(
        self, table: Mapping[str, Any], key: str, path: str, kind: type, required: bool = True
    ) -> Any:
        """Return a field of the right type, recording a missing or wrong-typed one."""
        if key not in table:
            if required:
                self.problem(path, "missing", f"missing required field {key!r}")
            return None
        value = table[key]
        if isinstance(value, bool) != (kind is bool) or not isinstance(value, kind):
            self.problem(path, "wrong-type", f"{key!r} must be {kind.__name__}, got {value!r}")
            return None
        if kind is str and not value.strip():
            self.problem(path, "empty", f"{key!r} must not be empty")
            return None
        return value

    def text(
        self, table: Mapping[str, Any], key: str, path: str, required: bool = True
    ) -> Text | None:
        """Return a {zh, en} text with both languages present and non-empty."""
        value = self.get(table, key, path, dict, required)
        if value is None:
            return None
        self.known(value, {"zh", "en"}, path)
        zh, en = self.get(value, "zh", f"{path}.zh", str), self.get(value, "en", f"{path}.en", str)
        return Text(zh.strip(), en.strip()) if zh and en else None

    def date(self, table: Mapping[str, Any], key: str, required: bool = True) -> date | None:
        """Return a TOML local date (unquoted, without a time)."""
        if key not in table:
            if required:
                self.problem(key, "missing", f"missing required field {key!r}")
            return None
        value = table[key]
        if isinstance(value, datetime) or not isinstance(value, date):
            self.problem(
                key, "bad-date", f"{key!r} must be a TOML date like 2026-01-31, got {value!r}"
            )
            return None
        return value

    def names(self, values: list[Any], path: str, known: set[str], reason: str) -> tuple[str, ...]:
        """Return the listed names, recording each unknown one and any repeat."""
        for i, value in enumerate(values):
            if not isinstance(value, str) or value not in known:
                hint = value if isinstance(value, str) else None
                noun = reason.removeprefix("unknown-")
                self.problem(f"{path}[{i}]", reason, f"unknown {noun} {value!r}", hint)
        if len(set(map(str, values))) != len(values):
            self.problem(path, "duplicate-id", f"{path.rpartition('.')[2]} lists a value twice")
        return tuple(v for v in values if isinstance(v, str) and v in known)


def _read_header(r: _Reader, data: Mapping[str, Any]) -> dict[str, Any]:
    """Read and check code, version, status and dates."""
    r.known(data, _TOP_FIELDS, "")
    code = r.get(data, "code", "code", str)
    if code and not _CODE_RE.match(code):
        r.problem("code", "bad-code", f"code {code!r} must be upper-case letters, digits and '-'")
    version = r.get(data, "version", "version", str)
    if version and not _VERSION_RE.match(version):
        r.problem("version", "bad-version", f"version {version!r} must look like 2026.1")
    status = r.get(data, "status", "status", str)
    if status and status not in STATUSES:
        r.problem("status", "bad-status", f"status {status!r} must be one of {', '.join(STATUSES)}")
    issued, effective = r.date(data, "issued"), r.date(data, "effective_from")
    superseded = r.date(data, "superseded_on", required=False)
    if issued and effective and effective < issued:
        r.problem("effective_from", "bad-date", "effective_from is earlier than issued")
    if status == "superseded" and superseded is None and "superseded_on" not in data:
        msg = "a superseded version needs superseded_on"
        r.problem("superseded_on", "bad-date", msg, at="status")
    if status in ("draft", "effective") and "superseded_on" in data:
        r.problem(
            "superseded_on", "bad-date", f"superseded_on is not allowed when status is {status}"
        )
    if superseded and effective and superseded < effective:
        r.problem("superseded_on", "bad-date", "superseded_on is earlier than effective_from")
    return {
        "code": code, "version": version, "status": status, "issued": issued,
        "effective_from": effective, "superseded_on": superseded,
        "title": r.text(data, "title", "title"), "notice": r.text(data, "notice", "notice"),
        "scope": r.text(data, "scope", "scope"),
    }  # fmt: skip


def _tables(r: _Reader, data: Mapping[str, Any], key: str, required: bool) -> list[dict[str, Any]]:
    """Return an array of tables, recording a missing, empty or malformed one."""
    items = r.get(data, key, key, list, required)
    if items is None:
        return []
    if required and not items:
        r.problem(key, "empty", f"{key!r} must not be empty")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            r.problem(f"{key}[{i}]", "wrong-type", f"{key}[{i}] must be a table")
    return [item if isinstance(item, dict) else {} for item in items]


def _unique(r: _Reader, path: str, value: str | None, seen: set[str]) -> None:
    """Record a repeated id or code within one list."""
    if value is not None and value in seen:
        r.problem(path, "duplicate-id", f"duplicate id {value!r}")
    if value is not None:
        seen.add(value)


def _read_categories(r: _Reader, data: Mapping[str, Any]) -> tuple[Category, ...]:
    """Read the product categories."""
    result, seen = [], set()
    for i, item in enumerate(_tables(r, data, "categories", required=True)):
        path = f"categories[{i}]"
        r.known(item, {"id", "zh", "en"}, path)
        cid = r.get(item, "id", f"{path}.id", str)
        if cid and not _ID_RE.match(cid):
            r.problem(
                f"{path}.id", "bad-id", f"id {cid!r} must be lower-case ASCII words joined by '-'"
            )
        _unique(r, f"{path}.id", cid, seen)
        zh, en = r.get(item, "zh", f"{path}.zh", str), r.get(item, "en", f"{path}.en", str)
        if cid and zh and en:
            result.append(Category(cid, zh, en))
    return tuple(result)


def _read_references(r: _Reader, data: Mapping[str, Any]) -> tuple[Reference, ...]:
    """Read the list of referenced documents."""
    result, seen = [], set()
    for i, item in enumerate(_tables(r, data, "references", required=False)):
        path = f"references[{i}]"
        r.known(item, {"code", "title", "note"}, path)
        code = r.get(item, "code", f"{path}.code", str)
        _unique(r, f"{path}.code", code, seen)
        title, note = r.text(item, "title", f"{path}.title"), r.text(item, "note", f"{path}.note")
        if code and title and note:
            result.append(Reference(code, title, note))
    return tuple(result)


def _read_limits(r: _Reader, item: Mapping[str, Any], path: str) -> Limits | None:
    """Read the inclusive bounds of a measured clause; min must not exceed max."""
    table = r.get(item, "limits", f"{path}.limits", dict)
    if table is None:
        return None
    r.known(table, {"min", "max"}, f"{path}.limits")
    if not {"min", "max"} & set(table):
        r.problem(f"{path}.limits", "bad-limit", "limits needs min, max or both")
    bounds = {}
    for key in ("min", "max"):
        if key in table and not _is_number(table[key]):
            r.problem(
                f"{path}.limits.{key}", "bad-limit", f"{key} must be a number, got {table[key]!r}"
            )
        elif key in table:
            bounds[key] = table[key]
    low, high = bounds.get("min"), bounds.get("max")
    if low is not None and high is not None and low > high:
        r.problem(f"{path}.limits.min", "bad-limit", f"min {low} is greater than max {high}")
    return Limits(low, high)


# Fields that only make sense for some kinds of clause, and which kinds require them.
_KIND_FIELDS = {
    "unit": ({"measured"}, {"measured"}),
    "limits": ({"measured"}, {"measured"}),
    "evidence": ({"document"}, {"document"}),
    "method": ({"measured", "inspection"}, {"inspection"}),
}


def _read_clause(
    r: _Reader, i: int, item: Mapping[str, Any], cats: set[str], refs: set[str]
) -> Clause | None:
    """Read one clause, checking the fields its kind allows and requires."""
    path = f"clauses[{i}]"
    r.known(item, _CLAUSE_FIELDS, path)
    cid = r.get(item, "id", f"{path}.id", str)
    if cid and not _ID_RE.match(cid):
        r.problem(
            f"{path}.id", "bad-id", f"id {cid!r} must be lower-case ASCII words joined by '-'"
        )
    kind = r.get(item, "kind", f"{path}.kind", str)
    if kind and kind not in KINDS:
        r.problem(f"{path}.kind", "bad-kind", f"kind {kind!r} must be one of {', '.join(KINDS)}")
    for key, (allowed, required) in _KIND_FIELDS.items():
        if kind in KINDS and key in item and kind not in allowed:
            r.problem(f"{path}.{key}", "not-allowed", f"{key!r} is not allowed on a {kind} clause")
        elif kind in required and key not in item:
            r.problem(f"{path}.{key}", "missing", f"a {kind} clause needs {key!r}")
    values = {
        "id": cid, "kind": kind,
        "heading": r.text(item, "heading", f"{path}.heading"),
        "text": r.text(item, "text", f"{path}.text"),
        "mandatory": r.get(item, "mandatory", f"{path}.mandatory", bool),
        "categories": _list(r, item, "categories", path, cats, "unknown-category"),
        "references": _list(r, item, "references", path, refs, "unknown-reference"),
        "unit": r.get(item, "unit", f"{path}.unit", str, required=False),
        "limits": _read_limits(r, item, path) if "limits" in item else None,
        "evidence": r.text(item, "evidence", f"{path}.evidence", required=False),
        "method": r.text(item, "method", f"{path}.method", required=False),
        "condition": r.text(item, "condition", f"{path}.condition", required=False),
    }  # fmt: skip
    if any(values[k] is None for k in ("id", "kind", "heading", "text", "mandatory")):
        return None
    return Clause(**values)


def _list(
    r: _Reader, item: Mapping[str, Any], key: str, path: str, known: set[str], reason: str
) -> tuple[str, ...]:
    """Return an optional list of known names; an empty one is an error as absence means "all"."""
    values = r.get(item, key, f"{path}.{key}", list, required=False)
    if values == []:
        r.problem(f"{path}.{key}", "empty", f"{key!r} must not be empty; leave it out instead")
    return r.names(values or [], f"{path}.{key}", known, reason)


def _read_clauses(
    r: _Reader, data: Mapping[str, Any], cats: set[str], refs: set[str]
) -> tuple[Clause, ...]:
    """Read the clauses; ids must be unique within the version."""
    result, seen = [], set()
    for i, item in enumerate(_tables(r, data, "clauses", required=True)):
        clause = _read_clause(r, i, item, cats, refs)
        _unique(
            r, f"clauses[{i}].id", item.get("id") if isinstance(item.get("id"), str) else None, seen
        )
        if clause:
            result.append(clause)
    return tuple(result)


def _load(path: Path) -> tuple[Standard | None, list[Problem]]:
    """Read and validate one file, returning the standard or the problems found."""
    data, raw, problems = _parse(path, str(path))
    if data is None:
        return None, problems
    r = _Reader(str(path), raw)
    header = _read_header(r, data)
    area = r.get(data, "production_area", "production_area", list) or []
    if data.get("production_area") == []:
        r.problem("production_area", "empty", "production_area must list at least one division")
    area = r.names(area, "production_area", set(DIVISIONS), "unknown-division")
    categories = _read_categories(r, data)
    references = _read_references(r, data)
    clauses = _read_clauses(r, data, {c.id for c in categories}, {x.code for x in references})
    if r.problems:
        return None, r.problems
    return Standard(
        **header, production_area=area, categories=categories, clauses=clauses,
        references=references, content_hash=_hash_data(data), source=str(path),
    ), []  # fmt: skip


def load_standard(path: str | Path) -> Standard:
    """Read and validate one standard file, raising SpecError with every problem found."""
    standard, problems = _load(Path(path))
    if standard is None:
        raise SpecError(problems)
    return standard


# ---- A directory of versions -----------------------------------------------------------------


def _problem_at(standard: Standard, field: str, reason: str, message: str) -> Problem:
    """Build a problem about an already-loaded standard, locating the field in its file."""
    raw = Path(standard.source).read_text(encoding="utf-8")
    return Problem(standard.source, line_for(raw, field), field, reason, message)


def _check_across(
    standards: list[Standard], published: Mapping[tuple[str, str], str]
) -> list[Problem]:
    """Check rules that span files: unique versions, one effective version, frozen content."""
    problems, seen, effective = [], {}, {}
    for s in standards:
        key = (s.code, s.version)
        if key in seen:
            msg = f"{s.code} {s.version} is also defined in {seen[key]}"
            problems.append(_problem_at(s, "version", "duplicate-version", msg))
        seen.setdefault(key, s.source)
        if s.status == "effective" and s.code in effective:
            msg = f"{s.code} already has an effective version in {effective[s.code]}"
            problems.append(_problem_at(s, "status", "multiple-effective", msg))
        if s.status == "effective":
            effective.setdefault(s.code, s.source)
        recorded = published.get(key)
        if recorded and recorded != s.content_hash:
            msg = f"published {s.code} {s.version} was edited; publish a new version instead"
            problems.append(_problem_at(s, "version", "published-changed", msg))
        if recorded and not s.published:
            msg = f"published {s.code} {s.version} cannot go back to draft"
            problems.append(_problem_at(s, "status", "bad-status", msg))
    return problems


def check_directory(
    directory: str | Path, published: Mapping[tuple[str, str], str] | None = None
) -> list[Problem]:
    """Check every *.toml file in a directory, alone and together.

    `published` maps (code, version) to the content hash recorded when that version was
    published (the database holds these); a file whose hash differs has been edited.
    """
    directory = Path(directory)
    files = sorted(directory.glob("*.toml"))
    if not files:
        return [Problem(str(directory), None, "", "empty", "no standard files (*.toml) found")]
    problems, loaded = [], []
    for file in files:
        standard, found = _load(file)
        problems += found
        if standard is None:
            continue
        loaded.append(standard)
        expected = f"{standard.code}-{standard.version}.toml"
        if file.name != expected:
            msg = f"file name must be {expected} to match its code and version"
            problems.append(_problem_at(standard, "version", "file-name", msg))
    return problems + _check_across(loaded, published or {})


def load_directory(
    directory: str | Path, published: Mapping[tuple[str, str], str] | None = None
) -> list[Standard]:
    """Load every version in a directory, oldest first, raising SpecError if any check fails."""
    problems = check_directory(directory, published)
    if problems:
        raise SpecError(problems)
    standards = [load_standard(f) for f in Path(directory).glob("*.toml")]
    return sorted(standards, key=lambda s: (s.code, s.version_key))


def in_force(standards: list[Standard], code: str, on: date) -> Standard | None:
    """Return the published version of `code` in force on a day, going by its dates."""
    current = [
        s
        for s in standards
        if s.code == code
        and s.published
        and s.effective_from <= on
        and (s.superseded_on is None or on < s.superseded_on)
    ]
    return max(current, key=lambda s: s.version_key, default=None)


# ---- Output and measured values --------------------------------------------------------------


def _text(value: Text | None) -> dict[str, str] | None:
    """Return a text as {"zh", "en"}, or None."""
    return None if value is None else {"zh": value.zh, "en": value.en}


def clause_to_json(clause: Clause) -> dict[str, Any]:
    """Return a clause as JSON-ready data, with every key present."""
    limits = clause.limits
    return {
        "id": clause.id, "kind": clause.kind, "mandatory": clause.mandatory,
        "heading": _text(clause.heading), "text": _text(clause.text),
        "categories": list(clause.categories), "references": list(clause.references),
        "unit": clause.unit,
        "limits": None if limits is None else {"min": limits.min, "max": limits.max},
        "evidence": _text(clause.evidence), "method": _text(clause.method),
        "condition": _text(clause.condition),
    }  # fmt: skip


def to_json(standard: Standard) -> dict[str, Any]:
    """Return a standard as JSON-ready data in a stable shape for download and the API."""
    s = standard
    return {
        "format": FORMAT, "code": s.code, "version": s.version, "status": s.status,
        "issued": s.issued.isoformat(), "effective_from": s.effective_from.isoformat(),
        "superseded_on": s.superseded_on.isoformat() if s.superseded_on else None,
        "content_hash": s.content_hash,
        "title": _text(s.title), "notice": _text(s.notice), "scope": _text(s.scope),
        "production_area": list(s.production_area),
        "categories": [{"id": c.id, "zh": c.zh, "en": c.en} for c in s.categories],
        "clauses": [clause_to_json(c) for c in s.clauses],
        "references": [
            {"code": x.code, "title": _text(x.title), "note": _text(x.note)} for x in s.references
        ],
    }  # fmt: skip


_MEASURE_MESSAGES = {
    "not-a-number": Text("“{value}”不是有效的数值。", "“{value}” is not a valid number."),
    "below-min": Text(
        "{heading_zh}：测量值 {value} {unit} 小于下限 {min} {unit}。",
        "{heading_en}: the measured value {value} {unit} is below the minimum of {min} {unit}.",
    ),
    "above-max": Text(
        "{heading_zh}：测量值 {value} {unit} 大于上限 {max} {unit}。",
        "{heading_en}: the measured value {value} {unit} is above the maximum of {max} {unit}.",
    ),
}


@dataclass(frozen=True)
class MeasureIssue:
    """Why a measured value fails its clause: a stable `code` plus the values for the message."""

    code: str
    params: Mapping[str, str]

    def message(self, lang: str = "en") -> str:
        """Return the message in Chinese or English."""
        return _MEASURE_MESSAGES[self.code].get(lang).format(**self.params)


def _fmt(number: Decimal | float | None) -> str:
    """Format a number without a trailing ".0"."""
    return "" if number is None else format(Decimal(str(number)).normalize(), "f")


def check_measured(clause: Clause, value: str | float | Decimal) -> MeasureIssue | None:
    """Return why a measured value fails the clause's inclusive limits, or None if it passes."""
    if clause.kind != "measured" or clause.limits is None:
        raise ValueError(f"clause {clause.id!r} is not a measured clause")
    params = {
        "clause": clause.id, "unit": clause.unit or "", "value": str(value).strip()[:30],
        "heading_zh": clause.heading.zh, "heading_en": clause.heading.en,
        "min": _fmt(clause.limits.min), "max": _fmt(clause.limits.max),
    }  # fmt: skip
    try:
        # Decimal, not float, so that 0.8 entered by a user equals the limit 0.8 exactly.
        number = Decimal(str(value).strip()) if not isinstance(value, bool) else None
    except InvalidOperation:
        number = None
    # Exponent bound: formatting a value like 1e999999999 in full would exhaust memory.
    if number is None or not number.is_finite() or abs(number.adjusted()) > 15:
        return MeasureIssue("not-a-number", params)
    params["value"] = _fmt(number)
    low, high = clause.limits.min, clause.limits.max
    if low is not None and number < Decimal(str(low)):
        return MeasureIssue("below-min", params)
    if high is not None and number > Decimal(str(high)):
        return MeasureIssue("above-max", params)
    return None
