"""The one description of the API: resources, their fields, filters and keys.

Views select and serialise rows with a `Resource`, check parameters with the same `Param`s, and
the OpenAPI document (openapi.py) is generated from the same objects, so it cannot drift from the
code.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select

from ..extensions import db
from .params import Param

API_PREFIX = "/api/v1"
API_VERSION = "1.0.0"
LICENCE_NAME = "Boshan Glass GI Registry open-data terms: free reuse with attribution"


@dataclass(frozen=True)
class Field:
    """One property of an item: its JSON-Schema and how to read it from a row."""

    name: str
    schema: dict
    description: str
    get: Callable[[Any], Any]


def iso(value: date | datetime | None) -> str | None:
    """ISO 8601: dates as YYYY-MM-DD, times in UTC with a Z."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


def text(name, description, get=None, null=False, **schema) -> Field:
    s = {"type": "string", **schema}
    return Field(name, nullable(s) if null else s, description, get or attr(name))


def integer(name, description, get=None, null=False) -> Field:
    s = {"type": "integer"}
    return Field(name, nullable(s) if null else s, description, get or attr(name))


def day(name, description, get=None, null=False) -> Field:
    s = {"type": "string", "format": "date"}
    getter = get or attr(name)
    return Field(name, nullable(s) if null else s, description, lambda o: iso(getter(o)))


def moment(name, description, get=None, null=False) -> Field:
    s = {"type": "string", "format": "date-time"}
    getter = get or attr(name)
    return Field(name, nullable(s) if null else s, description, lambda o: iso(getter(o)))


def strings(name, description, get=None) -> Field:
    getter = get or attr(name)
    return Field(
        name,
        {"type": "array", "items": {"type": "string"}},
        description,
        lambda o: list(getter(o) or []),
    )


def attr(name: str) -> Callable[[Any], Any]:
    return lambda obj: getattr(obj, name)


def objects(name, description, fields: tuple[Field, ...], get=None) -> Field:
    """A list of nested objects, each described by `fields`."""
    getter = get or attr(name)
    return Field(
        name,
        {"type": "array", "items": object_schema(fields)},
        description,
        lambda o: [serialise(fields, row) for row in getter(o)],
    )


def serialise(fields: tuple[Field, ...], row) -> dict:
    return {f.name: f.get(row) for f in fields}


def object_schema(fields: tuple[Field, ...]) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in fields],
        "properties": {f.name: {**f.schema, "description": f.description} for f in fields},
    }


@dataclass(frozen=True)
class Filter:
    """A query parameter of a collection and the SQL condition its value puts on the rows."""

    param: Param
    where: Callable[[Any], Any]  # parsed value -> SQL condition


def equals(param: Param, column) -> Filter:
    """The most common filter: the column equals the parameter's value."""
    return Filter(param, lambda value: column == value)


@dataclass(frozen=True)
class Resource:
    """A collection at /api/v1/<name> and its items at /api/v1/<name>/{key}."""

    name: str
    schema_name: str
    title: str
    fields: tuple[Field, ...]
    filters: tuple[Filter, ...]
    key: Param
    rows: Callable[[], Select]  # every published row in a stable order, what the fields read loaded
    lookup: Callable[[Any], Any]  # key value -> SQL condition picking one row

    @property
    def params(self) -> tuple[Param, ...]:
        return tuple(f.param for f in self.filters)

    def select(self, args: dict) -> Select:
        """The rows matching the parsed filters `args`."""
        query = self.rows()
        for f in self.filters:
            if f.param.name in args:
                query = query.where(f.where(args[f.param.name]))
        return query

    def find(self, key):
        """The row whose key is `key` (already parsed), or None."""
        return db.session.scalar(self.rows().where(self.lookup(key)))

    def item(self, row) -> dict:
        return serialise(self.fields, row)

    def item_schema(self) -> dict:
        return object_schema(self.fields)
