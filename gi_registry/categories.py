"""Product categories of 博山琉璃, as defined by the effective product standard."""

from pathlib import Path

from flask import current_app
from flask_babel import get_locale

from .standards.spec import Standard, load_directory

_cache: dict[tuple, Standard | None] = {}


def effective_standard() -> Standard | None:
    """The version now in effect, re-read only when a file in STANDARDS_DIR changes."""
    directory = Path(current_app.config["STANDARDS_DIR"])
    key = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in directory.glob("*.toml")))
    if key not in _cache:
        effective = [s for s in load_directory(directory) if s.status == "effective"]
        _cache.clear()
        _cache[key] = effective[-1] if effective else None
    return _cache[key]


def effective_categories():
    """The categories of the standard version now in effect."""
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
    """A category's name in the current language (its id if it is no longer defined)."""
    return dict(choices()).get(slug, slug)
