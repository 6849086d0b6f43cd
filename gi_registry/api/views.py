"""The open-data API: read-only JSON under /api/v1/, its OpenAPI document, and the terms page."""

import json
from math import ceil
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, redirect, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from ..errors import MESSAGES, render_error
from ..extensions import csrf, db
from ..reference import GI_NAME
from .catalogue import RESOURCES
from .openapi import openapi_document
from .params import DEFAULT_PER_PAGE, PAGE, PER_PAGE, ApiError, parse_query
from .spec import API_PREFIX, API_VERSION, LICENCE_NAME, Resource

bp = Blueprint("api", __name__)
csrf.exempt(bp)  # GET-only JSON: nothing to forge
EVERY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 503: "service_unavailable"}


def json_response(data: dict, status: int = 200, headers: dict | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status, headers=headers, mimetype="application/json")


def error_response(
    status: int, code: str, message: str, parameter: str | None = None, headers: dict | None = None
) -> Response:
    error = {"status": status, "code": code, "message": message}
    if parameter is not None:
        error["parameter"] = parameter
    return json_response({"error": error}, status, headers)


def is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def licence_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/open-data"


def attribution() -> str:
    return _(
        "Source: %(gi)s GI Registry, %(office)s (%(url)s)",
        gi=GI_NAME,
        office=current_app.config["OFFICE_NAME"],
        url=current_app.config["PUBLIC_BASE_URL"],
    )


@bp.after_app_request
def open_to_every_origin(response: Response) -> Response:
    """Any web page may read the data (GET only), and nothing under /api/ answers in HTML."""
    if not is_api_request():
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    if response.status_code == 200:
        response.headers.setdefault("Cache-Control", "public, max-age=60")
    if response.mimetype == "text/html":  # e.g. the router's own redirect from /api/v1 to /api/v1/
        location = response.headers.get("Location")
        body = (
            {"location": location}
            if location
            else {
                "error": {
                    "status": response.status_code,
                    "code": "bad_request",
                    "message": response.status,
                }
            }
        )
        response.set_data(json.dumps(body))
        response.mimetype = "application/json"
    return response


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return error_response(error.status, error.code, error.message, error.parameter)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    if not is_api_request():
        return render_error(error.code) if error.code in MESSAGES else error
    code = HTTP_CODES.get(error.code, "bad_request" if error.code < 500 else "server_error")
    return error_response(error.code, code, error.description or error.name)


@bp.errorhandler(OperationalError)
def database_unreachable(error):
    db.session.rollback()
    current_app.logger.error("database error: %s", error)
    if not is_api_request():
        return render_error(503)
    return error_response(
        503, "service_unavailable", _("The database cannot be reached just now. Try again shortly.")
    )


@bp.errorhandler(Exception)
def unexpected(error):
    db.session.rollback()
    current_app.logger.exception("unhandled error in the API")
    if not is_api_request():
        return render_error(500)
    return error_response(500, "server_error", _("Something went wrong on our side."))


@bp.route(f"{API_PREFIX}/")
def index():
    """What the API offers, where its description is, and the terms of reuse."""
    parse_query(request.args, ())
    return json_response(
        {
            "name": _("%(gi)s GI Registry open data", gi=GI_NAME),
            "version": API_VERSION,
            "publisher": current_app.config["OFFICE_NAME"],
            "licence": {"name": LICENCE_NAME, "url": licence_url(), "attribution": attribution()},
            "openapi": f"{API_PREFIX}/openapi.json",
            "collections": [
                {"name": r.name, "url": f"{API_PREFIX}/{r.name}", "title": r.title}
                for r in RESOURCES
            ],
        }
    )


@bp.route(f"{API_PREFIX}/openapi.json")
def openapi():
    """The OpenAPI 3.1 document, generated from the same description as the endpoints."""
    parse_query(request.args, ())
    return json_response(
        openapi_document(RESOURCES, licence_url(), current_app.config["OFFICE_NAME"])
    )


def page_link(page: int | None) -> str | None:
    if page is None:
        return None
    args = {**request.args.to_dict(), "page": page}
    return f"{request.path}?{urlencode(args)}"


def list_items(resource: Resource) -> Response:
    args = parse_query(request.args, (*resource.params, PAGE, PER_PAGE))
    page, per_page = args.pop("page", 1), args.pop("per_page", DEFAULT_PER_PAGE)
    query = resource.select(args)
    total = db.session.scalar(
        db.select(db.func.count()).select_from(query.order_by(None).subquery())
    )
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    pages = ceil(total / per_page)
    return json_response(
        {
            "data": [resource.item(row) for row in rows],
            "meta": {"page": page, "per_page": per_page, "total": total, "pages": pages},
            "links": {
                "self": page_link(page),
                "next": page_link(page + 1 if page < pages else None),
                "prev": page_link(page - 1 if 1 < page <= pages + 1 else None),
            },
        }
    )


def one_item(resource: Resource, key: str) -> Response:
    parse_query(request.args, ())
    row = resource.find(resource.key.parse(key))
    if row is None:
        raise ApiError(404, "not_found", _("No item has the identifier “%(k)s”.", k=key[:40]))
    return json_response({"data": resource.item(row)})


def register_resource(resource: Resource) -> None:
    def collection():
        return list_items(resource)

    def item(key: str):
        return one_item(resource, key)

    collection.__doc__ = f"A page of {resource.title}, filtered."
    item.__doc__ = f"One of the {resource.title}."
    bp.add_url_rule(f"{API_PREFIX}/{resource.name}", resource.name, collection)
    bp.add_url_rule(f"{API_PREFIX}/{resource.name}/<key>", f"{resource.name}_item", item)


for _resource in RESOURCES:
    register_resource(_resource)


@bp.route("/api", defaults={"rest": ""}, methods=EVERY_METHOD)
@bp.route("/api/<path:rest>", methods=EVERY_METHOD)
def not_found(rest: str):
    """Anything else under /api/ answers in JSON too: 404, or 405 for a method other than GET."""
    if rest.rstrip("/") in ("", "v1") and request.method in ("GET", "HEAD"):
        return redirect(f"{API_PREFIX}/")
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(request.path, method="GET")
    except HTTPException:
        endpoint = "api.not_found"
    if endpoint != "api.not_found":
        return error_response(
            405,
            "method_not_allowed",
            _("This API is read-only: use GET."),
            headers={"Allow": "GET, HEAD, OPTIONS"},
        )
    return error_response(
        404,
        "not_found",
        _("There is nothing at this address. The API starts at %(u)s.", u=f"{API_PREFIX}/"),
    )


@bp.route("/open-data")
def open_data():
    """People's page: what the open data are, how to get them, and the terms of reuse."""
    return render_template(
        "api/open_data.html",
        resources=RESOURCES,
        licence_name=LICENCE_NAME,
        attribution=attribution(),
        api_prefix=API_PREFIX,
    )
