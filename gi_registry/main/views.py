"""The home page, the language switch and the icon browsers ask for by its old fixed address."""

from flask import Blueprint, current_app, redirect, render_template, request, send_from_directory
from flask_login import current_user

from ..accounts.views import safe_next
from ..i18n import LANG_COOKIE

bp = Blueprint("main", __name__)
ONE_YEAR = 365 * 24 * 3600
ONE_DAY = 24 * 3600


@bp.route("/")
def home():
    """What the registry is, and the way in for each kind of visitor."""
    return render_template("main/home.html", user=current_user)


@bp.route("/lang/<any(zh,en):lang>")
def set_language(lang: str):
    """Remember the visitor's language and go back to the page they were on."""
    response = redirect(safe_next(request.args.get("next")))
    response.set_cookie(LANG_COOKIE, lang, max_age=ONE_YEAR, samesite="Lax", httponly=True)
    return response


@bp.route("/favicon.ico")
def favicon():
    """The site's icon where browsers look without reading the page (/favicon.ico): the same
    design as static/img/favicon.svg, at 16, 32 and 48 pixels. Its address cannot carry a
    fingerprint, so it is cached for a day, not a year."""
    return send_from_directory(current_app.static_folder, "img/favicon.ico", max_age=ONE_DAY)
