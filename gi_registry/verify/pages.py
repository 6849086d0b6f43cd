"""Rendering the verification pages fast, byte for byte what render_template would send.

Rendering was most of a verification page's cost: the layout (base.html: header, navigation,
footer) and some forty translated strings, filters and links, for a page whose shape depends
only on the language and a few choices (the verdict, whether there is a newer certificate...).
So each page is rendered by Jinja once per language and choice with markers (`@@name@@`) in
place of its values, and kept as a list of text pieces; a request then only joins the pieces
with its own values, HTML-escaped exactly as Jinja's autoescape would. The templates stay the one
source of the page: they receive the values already formatted in `v` and the choices in `f`.

The layout is built the same way from base.html, once per language, for visitors who are not
signed in: only its language-switch link (back to the current address) changes from page to
page, and it is one of the values. Signed-in visitors, pages with flashed messages and debug
mode get the ordinary rendering (the same template, the real values, no markers).
tests/test_verify_fast_pages.py checks that both renderings are identical.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from flask import Flask, current_app, render_template, request, session, url_for
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup, escape

from ..templating import local_date
from .words import Words

MARKER = re.compile(r"@@([a-z_]+)@@")
TITLE, HEAD, CONTENT = "@@title@@", "@@head@@", "@@content@@"
PROBE_PATH = "/layout-probe"


class Markers:
    """Stands for a page's values while its pieces are made: `v.name` is "@@name@@"."""

    def __getattr__(self, name: str) -> str:
        return f"@@{name}@@"

    __getitem__ = __getattr__


_layouts: dict[tuple[int, str], dict] = {}
_pieces: dict[tuple, list[str]] = {}
_words: dict[tuple[str, int], Words] = {}
_dates: dict[date, str] = {}


def fast_enabled(app: Flask) -> bool:
    return not app.debug and app.config.get("VERIFY_FAST_PAGES", True)


def render(template: str, words: Words, values: dict, flags: dict | None = None,
           extra: Callable[[], dict] | None = None) -> str:  # fmt: skip
    """render_template(template, words=words, v=values, f=flags, **extra()), fast when it can."""
    flags = flags or {}
    app = current_app._get_current_object()
    if not fast_enabled(app) or "_flashes" in session or current_user.is_authenticated:
        return render_template(
            template, words=words, v=values, f=flags, **(extra() if extra else {})
        )
    locale = str(get_locale())
    key = (id(app), locale, template, id(words), tuple(sorted(flags.items())))
    pieces = _pieces.get(key)
    if pieces is None:
        pieces = _pieces[key] = _make_pieces(app, locale, template, words, flags, extra)
    values["lang_href"] = language_link(locale)
    out = pieces[:]
    for i in range(1, len(out), 2):
        out[i] = escape(values[out[i]])
    return "".join(out)


def _make_pieces(app, locale, template, words, flags, extra) -> list[str]:
    layout = _layouts.get((id(app), locale))
    if layout is None:
        layout = _layouts[(id(app), locale)] = _probe_layout(app, locale)
    html = render_template(template, layout_template="verify/_layout.html", layout=layout,
                           gettext=layout["gettext"], words=resolved(words, locale),
                           v=Markers(), f=flags, **(extra() if extra else {}))  # fmt: skip
    return MARKER.split(html)


def language_link(locale: str) -> str:
    """The header's link to the other language, back to this address (as base.html builds it)."""
    other = "en" if locale == "zh" else "zh"
    return url_for("main.set_language", lang=other, next=request.full_path)


def resolved(words: Words, locale: str) -> Words:
    """The verdict's words with its lazy strings translated, once per language."""
    key = (locale, id(words))  # the verdicts are module constants (words.py)
    found = _words.get(key)
    if found is None:
        found = _words[key] = replace(words, headline=str(words.headline),
                                      explanation=str(words.explanation))  # fmt: skip
    return found


def day(value: date | None) -> str:
    """The local_date filter, remembered (dates repeat: validity periods, issue days)."""
    if value is None:
        return ""
    found = _dates.get(value)
    if found is None:
        if len(_dates) > 10_000:
            _dates.clear()
        found = _dates[value] = local_date(value)
    return found


def _probe_layout(app: Flask, locale: str) -> dict:
    """Render base.html once for this language with markers in its blocks, and split it."""
    with app.test_request_context(PROBE_PATH, query_string={"lang": locale}):
        html = render_template("verify/_layout_probe.html", title=TITLE, head=HEAD,
                               content=CONTENT)  # fmt: skip
        link = str(escape(language_link(locale)))
        translations = get_translations()
    if html.count(link) != 1 or any(html.count(m) != 1 for m in (TITLE, HEAD, CONTENT)):
        raise RuntimeError("verify/_layout_probe.html no longer matches base.html")
    if MARKER.search(html.replace(TITLE, "").replace(HEAD, "").replace(CONTENT, "")):
        raise RuntimeError("the layout itself contains a marker")
    before_title, rest = html.split(TITLE)
    after_title, rest = rest.split(HEAD)
    before_link, rest = rest.split(link)
    after_link, after_content = rest.split(CONTENT)
    parts = {name: Markup(value) for name, value in (
        ("before_title", before_title), ("after_title", after_title),
        ("before_link", before_link), ("after_link", after_link),
        ("after_content", after_content))}  # fmt: skip
    return {**parts, "gettext": _newstyle_gettext(translations)}


def _newstyle_gettext(translations):
    """Jinja's new-style gettext (autoescaped, always %-formatted) over one catalogue."""
    lookup = translations.ugettext

    @pass_context
    def gettext(__context, __string, **variables):
        value = lookup(__string)
        if __context.eval_ctx.autoescape:
            value = Markup(value)
        return value % variables

    return gettext


# --- what each page shows, formatted -------------------------------------------------------------


def certificate_page(check, words: Words, producer_url: Callable[[int], str | None]) -> str:
    """The certificate verification page (verify/certificate.html)."""
    from ..certificates.serials import format_code
    from ..templating import route_label
    from .services import category_names

    c = check.certificate
    standard = check.standard
    note = bool(standard and not standard[0] and standard[1])
    record_url = producer_url(c.authorization.enterprise_id)
    values = {
        "number": c.number, "payload": c.payload, "code": c.code,
        "current_code": check.current_code, "current_number": check.current_number,
        "gi_name": c.gi_name, "holder_name": c.holder_name, "credit_code": c.credit_code,
        "route_annotation": c.route_annotation, "route": route_label(c.route),
        "categories": "、".join(category_names(c.scope)), "valid_from": day(c.valid_from),
        "valid_until": day(c.valid_until), "standard_code": c.standard_code,
        "standard_version": c.standard_version,
        "standard_in_force": standard[1] if note else "", "issue_date": day(c.issue_date),
        "issuing_office": c.issuing_office, "code_display": format_code(c.code),
        "record_url": record_url,
    }  # fmt: skip
    flags = {"current": bool(check.current_code), "standard": bool(c.standard_code),
             "standard_note": note, "record": bool(record_url)}  # fmt: skip
    return render("verify/certificate.html", words, values, flags)


def label_page(check, words: Words, producer_url: Callable[[int], str | None]) -> str:
    """The label verification page (verify/label.html)."""
    from ..certificates.serials import format_serial
    from ..templating import local_datetime
    from .services import category_names

    record_url = producer_url(check.enterprise.id)
    serial = check.label.serial
    values = {
        "serial": serial, "serial_display": format_serial(serial),
        "first_scan": local_datetime(check.first_scan_at), "count": check.scan_count,
        "producer": check.enterprise.name, "credit_code": check.enterprise.credit_code,
        "gi_name": check.authorization.gi_name,
        "category": "".join(category_names([check.batch.category])),
        "authorization": check.authorization.number,
        "valid_until": day(check.authorization.valid_until), "record_url": record_url,
    }  # fmt: skip
    flags = {"first_time": check.first_time, "copy_warning": check.copy_warning,
             "record": bool(record_url)}  # fmt: skip
    return render("verify/label.html", words, values, flags)


def not_found_page(typed: str, words: Words) -> str:
    """The plain warning for a code the registry does not know (verify/not_found.html)."""
    from .forms import LookupForm

    values = {"typed": typed, "report_url": url_for("verify.report", code=typed)}
    return render("verify/not_found.html", words, values,
                  extra=lambda: {"form": LookupForm(formdata=None)})  # fmt: skip
