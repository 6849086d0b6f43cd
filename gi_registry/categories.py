"""Product categories of 博山琉璃, as defined by the product standard version in force.

The versions come from the database (`flask gi standards-sync` loads them from STANDARDS_DIR), so
that the categories offered match the version an application is recorded against.
"""

from flask import g, has_request_context
from flask_babel import get_locale

from .standards.spec import Category, Standard

_cache: dict[tuple, Standard] = {}


def effective_standard() -> Standard | None:
    """The version in force today, rebuilt from the database only when that row changes; looked
    up once per request (a list of labels names a category per row)."""
    if has_request_context():
        if "effective_standard" not in g:
            g.effective_standard = _effective_standard()
        return g.effective_standard
    return _effective_standard()


def _effective_standard() -> Standard | None:
    from .standards.services import as_standard, in_force, standard_code

    row = in_force(standard_code())
    if row is None:
        return None
    key = (row.id, row.content_hash, row.status, row.superseded_on)
    if key not in _cache:
        _cache.clear()
        _cache[key] = as_standard(row)
    return _cache[key]


def effective_categories() -> tuple[Category, ...]:
    """The categories of the standard version in force."""
    standard = effective_standard()
    return standard.categories if standard else ()


def choices() -> list[tuple[str, str]]:
    """(slug, label) pairs in the current language, for forms."""
    english = str(get_locale()) == "en"
    return [(c.id, c.en if english else c.zh) for c in effective_categories()]


def slugs() -> set[str]:
    """The category ids an application may name."""
    return {c.id for c in effective_categories()}


def label(slug: str) -> str:
    """A category's name in the current language; one dropped from the version in force is still
    named as an older version defined it (its id if no version does)."""
    if name := dict(choices()).get(slug):
        return name
    from .standards.services import codes, versions

    english = str(get_locale()) == "en"
    for code in codes():
        for row in versions(code):
            for category in row.data["categories"]:
                if category["id"] == slug:
                    return category["en" if english else "zh"]
    return slug
