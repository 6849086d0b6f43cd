"""Query and path parameters: one description that both documents and checks them."""

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ..extensions import MAX_PAGE

MAX_PER_PAGE = 100
MAX_ID = 2_147_483_647  # ids are 32-bit columns: PostgreSQL refuses larger numbers with an error
DEFAULT_PER_PAGE = 20
_INTEGER = re.compile(r"[0-9]{1,12}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class ApiError(Exception):
    """A request the API refuses, answered as a JSON error with `status`."""

    def __init__(self, status: int, code: str, message: str, parameter: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.parameter = status, code, message, parameter


@dataclass(frozen=True)
class Param:
    """One parameter: its JSON-Schema (what the OpenAPI document says) is also the parser's rule."""

    name: str
    schema: dict
    description: str
    location: str = "query"
    example: object = None
    extra: dict = field(default_factory=dict)

    def openapi(self) -> dict:
        doc = {
            "name": self.name,
            "in": self.location,
            "description": self.description,
            "required": self.location == "path",
            "schema": self.schema,
        }
        if self.example is not None:
            doc["example"] = self.example
        return doc

    def parse(self, raw: str):
        """The value of `raw` under this parameter's schema; raises ApiError(400) saying why."""
        schema = self.schema
        if schema["type"] == "integer":
            if not _INTEGER.fullmatch(raw):
                raise self.bad(
                    _("must be a whole number written with digits, got “%(v)s”", v=shorten(raw))
                )
            value = int(raw)
            if "minimum" in schema and value < schema["minimum"]:
                raise self.bad(_("must be at least %(n)d", n=schema["minimum"]))
            if "maximum" in schema and value > schema["maximum"]:
                raise self.bad(_("must be at most %(n)d", n=schema["maximum"]))
            return value
        if "enum" in schema and raw not in schema["enum"]:
            raise self.bad(
                _(
                    "must be one of: %(choices)s; got “%(v)s”",
                    choices=", ".join(schema["enum"]),
                    v=shorten(raw),
                )
            )
        if len(raw) < schema.get("minLength", 0):
            raise self.bad(_("must not be empty"))
        if len(raw) > schema.get("maxLength", 10_000):
            raise self.bad(_("must be at most %(n)d characters long", n=schema["maxLength"]))
        if "pattern" in schema and not re.search(schema["pattern"], raw):
            raise self.bad(self.extra.get("pattern_message") or _("is not in the expected form"))
        if schema.get("format") == "date":
            try:
                if not _DATE.fullmatch(raw):
                    raise ValueError(raw)
                return date.fromisoformat(raw)
            except ValueError:
                raise self.bad(_("must be a date written as YYYY-MM-DD")) from None
        return raw

    def bad(self, why: str) -> ApiError:
        return ApiError(
            400,
            "invalid_parameter",
            _("Parameter “%(p)s” %(why)s.", p=self.name, why=why),
            self.name,
        )


def choice(name: str, values: list[str], description: str) -> Param:
    """A query parameter taking one of `values`."""
    return Param(name, {"type": "string", "enum": values}, description)


def identifier(name: str, description: str, path: bool = False) -> Param:
    """A row id as a query filter or, with `path`, as the key of an item's URL."""
    schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    if path:
        return Param(name, schema, description, location="path", example=1)
    return Param(name, schema, description)


def shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


PAGE = Param(
    "page",
    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    "Page number, starting at 1.",
)
PER_PAGE = Param(
    "per_page",
    {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
    f"Items per page (at most {MAX_PER_PAGE}).",
)
LANG = Param(
    "lang",
    {"type": "string", "enum": ["zh", "en"]},
    "Language of error messages: Chinese (default) or English.",
)
COMMON = (LANG,)


def parse_query(args: MultiDict, params: tuple[Param, ...]) -> dict:
    """Check every query argument against `params`: unknown, repeated or malformed ones are 400."""
    known = {p.name: p for p in (*params, *COMMON)}
    for name in args:
        if name not in known:
            raise ApiError(
                400,
                "unknown_parameter",
                _(
                    "Unknown parameter “%(p)s”. This endpoint accepts: %(names)s.",
                    p=shorten(name),
                    names=", ".join(known),
                ),
                name,
            )
        if len(args.getlist(name)) > 1:
            raise ApiError(
                400,
                "repeated_parameter",
                _("Parameter “%(p)s” was given more than once.", p=name),
                name,
            )
    values = {name: known[name].parse(args[name]) for name in args}
    values.pop(LANG.name, None)  # already applied by the locale selector
    return values
