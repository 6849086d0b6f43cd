"""Public pages of the product standards: list, versions, history, comparison, downloads, search."""

import json

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..access import officials_only
from . import pdf, services
from .conformance import lang
from .diff import compare
from .forms import CompareForm
from .search import search

bp = Blueprint("standards", __name__, url_prefix="/standards")

# Lifecycle and dates differ between any two versions; the page header shows them instead.
HIDDEN_FIELDS = {"status", "superseded_on", "issued", "effective_from"}
FIELD_LABELS = {
    "title": _l("Title"), "notice": _l("Notice"), "scope": _l("Scope of the standard"),
    "production_area": _l("Production area"), "categories": _l("Product categories"),
    "references": _l("Referenced documents"), "heading": _l("Heading"),
    "text": _l("Requirement"), "condition": _l("Applies when"), "evidence": _l("Evidence"),
    "method": _l("Method"), "unit": _l("Unit"), "limits": _l("Limits"),
    "limits.min": _l("Minimum"), "limits.max": _l("Maximum"), "kind": _l("Kind"),
    "mandatory": _l("Mandatory"),
}  # fmt: skip
# Words and the name of their icon in templates/_icons.html (inline SVG: emoji and dingbats show
# as empty boxes where only a CJK font is installed).
KIND_LABELS = {
    "declaration": (_l("Declaration"), "pen"), "document": (_l("Document evidence"), "document"),
    "measured": (_l("Measured value"), "ruler"), "inspection": (_l("On-site inspection"), "search"),
}  # fmt: skip

STATUS_WORDS = {"draft": (_l("Draft version"), "pen"), "effective": (_l("Effective"), "check"),
                "superseded": (_l("Superseded"), "arrow")}  # fmt: skip


def visible_version(code: str, version: str):
    """A version the visitor may see (drafts only for officials), or 404."""
    row = services.get_version(code, version)
    if row is None or (not row.published and not is_official()):
        abort(404)
    return row


def is_official() -> bool:
    return current_user.is_authenticated and current_user.is_official


@bp.app_template_filter("field_label")
def field_label(path: str) -> str:
    """A changed field's name in words: "text.zh" → "Requirement (中文)"."""
    base, _, last = path.rpartition(".")
    if last in ("zh", "en"):
        return f"{FIELD_LABELS.get(base, base)} ({'中文' if last == 'zh' else 'English'})"
    return str(FIELD_LABELS.get(path, path))


@bp.app_template_filter("clause_kind")
def clause_kind(kind: str) -> tuple[str, str]:
    """A clause kind in words, and the name of its icon."""
    label, icon = KIND_LABELS.get(kind, (kind, ""))
    return str(label), icon


@bp.app_template_filter("standard_status")
def standard_status(status: str) -> tuple[str, str]:
    """A version's status in words, and the name of its icon."""
    words, icon = STATUS_WORDS.get(status, (status, ""))
    return str(words), icon


@bp.route("/")
def index():
    """Every standard with its versions, the one in force first."""
    standards = [(code, services.versions(code, is_official()), services.in_force(code))
                 for code in services.codes()]  # fmt: skip
    return render_template("standards/index.html", standards=standards)


@bp.route("/<code>/")
def history(code: str):
    """The versions of one standard: status, dates, content hash; and the comparison form."""
    versions = services.versions(code, is_official())
    if not versions:
        abort(404)
    return render_template("standards/history.html", code=code, versions=versions,
                           current=services.in_force(code), form=compare_form(versions))  # fmt: skip


@bp.route("/<code>/<version>")
def version(code: str, version: str):
    """One version with a table of contents; `?q=` searches its clauses."""
    row = visible_version(code, version)
    standard = services.as_standard(row)
    q = request.args.get("q", "").strip()[:100]
    hits = search(standard, q) if q else []
    is_current, current = services.version_status(code, version)
    return render_template("standards/version.html", row=row, s=standard, lang=lang(), q=q,
                           hits=hits, is_current=is_current, current=current)  # fmt: skip


@bp.route("/<code>/<version>.json")
def download_json(code: str, version: str):
    """The version as JSON, as it was published."""
    row = visible_version(code, version)
    body = json.dumps(row.data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{code}-{version}.json"'})  # fmt: skip


@bp.route("/<code>/<version>.pdf")
def download_pdf(code: str, version: str):
    """The version as a PDF in the visitor's language."""
    row = visible_version(code, version)
    body = pdf.render(services.as_standard(row), lang())
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{code}-{version}-{lang()}.pdf"'})  # fmt: skip


def compare_form(versions) -> CompareForm:
    form = CompareForm(request.args)
    form.old.choices = form.new.choices = [(v.version, v.version) for v in versions]
    if not form.new.data or form.new.data not in {v.version for v in versions}:
        form.new.data = versions[0].version
    if not form.old.data or form.old.data not in {v.version for v in versions}:
        form.old.data = versions[1].version if len(versions) > 1 else versions[0].version
    return form


@bp.route("/<code>/compare")
def comparison(code: str):
    """A redline of any two versions: clauses added, removed and changed, text inserted/deleted."""
    versions = services.versions(code, is_official())
    if not versions:
        abort(404)
    form = compare_form(versions)
    old, new = (services.as_standard(visible_version(code, v))
                for v in (form.old.data, form.new.data))  # fmt: skip
    result = compare(old, new)
    fields = [f for f in result.fields if f.field not in HIDDEN_FIELDS]
    other = "." + ("zh" if lang() == "en" else "en")

    def split(changes):  # this language's changes first, the other language's folded away
        return ([c for c in changes if not c.field.endswith(other)],
                [c for c in changes if c.field.endswith(other)])  # fmt: skip

    return render_template("standards/compare.html", code=code, form=form, old=old, new=new,
                           result=result, fields=fields, lang=lang(), split=split)  # fmt: skip


@bp.route("/outdated-authorizations")
@officials_only
def outdated():
    """Officials: active authorizations granted under a version that is no longer in force."""
    return render_template("standards/outdated.html", rows=services.outdated_authorizations())
