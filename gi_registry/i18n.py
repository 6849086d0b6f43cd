"""Language choice (Chinese by default, English on request) and where the catalogues live."""

from pathlib import Path

from flask import Flask, current_app, has_request_context, request
from flask_babel import lazy_gettext as _l

PACKAGE = Path(__file__).resolve().parent
LANG_COOKIE = "lang"
LOGIN_REQUIRED_MESSAGE = _l("Please sign in to see this page.")


def translation_directories() -> list[str]:
    """The package's catalogue plus one per area, so that areas keep their own messages.po."""
    dirs = [PACKAGE / "translations", *sorted(PACKAGE.glob("*/translations"))]
    return [str(d) for d in dirs if d.is_dir()]


def select_locale() -> str:
    """`?lang=` for this request, then the visitor's saved choice, then Chinese."""
    if not has_request_context():  # CLI commands and background jobs speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    for choice in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if choice in languages:
            return choice
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    """Nothing to bind yet beyond Flask-Babel; kept for symmetry with the other modules."""


def compile_catalogs() -> list[Path]:
    """Compile every messages.po to messages.mo when the .po is newer (make and tests call it)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for directory in translation_directories():
        for po_path in Path(directory).glob("*/LC_MESSAGES/messages.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with open(po_path, "rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parts[-3])
            with open(mo_path, "wb") as mo_file:
                write_mo(mo_file, catalog)
            written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_catalogs():
        print(f"compiled {path}")
