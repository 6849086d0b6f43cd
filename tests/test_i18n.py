"""Every user-facing string has a Chinese translation, with the same placeholders."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from flask_babel import get_translations

ROOT = Path(__file__).resolve().parent.parent
METHOD_MAP = [("gi_registry/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def extracted_messages() -> dict[str, str]:
    """msgid → where it was found, from the Python sources and the templates."""
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, keywords=KEYWORDS,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):  # fmt: skip
        # A plural pair is looked up through ngettext with its singular (see translated()).
        msgid = message if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def test_every_message_has_a_chinese_translation(app):
    from flask_babel import force_locale

    messages = extracted_messages()
    assert len(messages) > 200
    with app.test_request_context("/"), force_locale("zh"):
        catalog = get_translations()
        missing = [
            f"{where}: {msgid!r}"
            for msgid, where in sorted(messages.items(), key=str)
            if translated(catalog, msgid) == msgid and not is_untranslatable(msgid)
        ]  # fmt: skip
        assert missing == [], "add these to your area's messages.po:\n" + "\n".join(missing)
        wrong = [
            msgid
            for msgid in messages
            if set(PLACEHOLDER.findall(translated(catalog, msgid)))
            != set(PLACEHOLDER.findall(str(msgid)))
        ]  # fmt: skip
        assert wrong == [], f"placeholders differ in the translation of: {wrong}"


def translated(catalog, msgid):
    """The Chinese for a msgid, or for a (singular, plural) pair its plural form's text."""
    if isinstance(msgid, tuple):
        singular, plural = msgid[0], msgid[1]
        text = catalog.ngettext(singular, plural, 2)
        return msgid if text == plural else text
    return catalog.gettext(msgid)


def is_untranslatable(msgid) -> bool:
    """Strings that read the same in Chinese: codes, numbers, symbols, or already Chinese."""
    has_words = re.search(r"[A-Za-z]{3,}", " ".join(msgid) if isinstance(msgid, tuple) else msgid)
    return not has_words
