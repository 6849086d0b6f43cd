"""The home page and the language switch."""

from flask import Blueprint, redirect, render_template, request
from flask_login import current_user

from ..accounts.views import safe_next
from ..i18n import LANG_COOKIE

bp = Blueprint("main", __name__)
ONE_YEAR = 365 * 24 * 3600


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
