"""Security headers on every response, and input that no page can take refused up front."""

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    """Add the headers and, behind https, strict transport security and secure cookies."""
    if app.config["PUBLIC_BASE_URL"].startswith("https://"):
        app.config.setdefault("SESSION_COOKIE_SECURE", True)
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True

    @app.before_request
    def refuse_nul_characters():
        """A NUL character (U+0000) in the address, the query or a form is a bad request: no
        one types one, no field takes one, and PostgreSQL cannot hold one in text (it would
        fail the query as a server error instead)."""
        if holds_nul():
            raise BadRequest(_("The request holds a NUL character (U+0000), which no field takes."))

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure or app.config["PUBLIC_BASE_URL"].startswith("https://"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def holds_nul() -> bool:
    if "\x00" in request.path:
        return True
    sources = [request.args]
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sources.append(request.form)
    return any(isinstance(text, str) and "\x00" in text  # a malformed part's name is None
               for source in sources for pair in source.items(multi=True) for text in pair)  # fmt: skip
