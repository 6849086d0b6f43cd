"""The one description of the API: resources, their fields and filters, and the OpenAPI document.

Views serialise rows with `Resource.item`, check parameters with the same `Param`s, and the
OpenAPI document is generated from the same objects, so the document cannot drift from the code.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from .params import COMMON, PAGE, PER_PAGE, Param

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


def integer(name, description, get=None) -> Field:
    return Field(name, {"type": "integer"}, description, get or attr(name))


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


@dataclass(frozen=True)
class Resource:
    """A collection at /api/v1/<name> and its items at /api/v1/<name>/{key}."""

    name: str
    schema_name: str
    title: str
    fields: tuple[Field, ...]
    filters: tuple[Param, ...]
    key: Param
    select: Callable[[dict], Any]  # filters -> a SELECT of rows, in a stable order
    find: Callable[[Any], Any]  # key value -> the row, or None

    def item(self, row) -> dict:
        return {f.name: f.get(row) for f in self.fields}

    def item_schema(self) -> dict:
        return {
            "type": "object",
            "additionalProperties": False,
            "required": [f.name for f in self.fields],
            "properties": {f.name: {**f.schema, "description": f.description} for f in self.fields},
        }


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


CORS_HEADER = {
    "Access-Control-Allow-Origin": {
        "description": "Always `*`: any web page may read the data.",
        "schema": {"type": "string", "const": "*"},
    }
}


def response(description: str, schema: dict) -> dict:
    return {"description": description, "headers": CORS_HEADER, "content": json_content(schema)}


ERRORS = {
    "400": response(
        "A parameter is unknown, repeated or malformed; `parameter` names it.", ref("Error")
    ),
    "503": response("The database cannot be reached just now; try again shortly.", ref("Error")),
}
NOT_FOUND = {"404": response("No item has this identifier.", ref("Error"))}

SHARED_SCHEMAS = {
    "Error": {
        "type": "object",
        "additionalProperties": False,
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "additionalProperties": False,
                "required": ["status", "code", "message"],
                "properties": {
                    "status": {"type": "integer", "description": "The HTTP status code."},
                    "code": {
                        "type": "string",
                        "description": "A stable machine-readable reason.",
                        "enum": [
                            "invalid_parameter",
                            "unknown_parameter",
                            "repeated_parameter",
                            "not_found",
                            "method_not_allowed",
                            "bad_request",
                            "service_unavailable",
                            "server_error",
                        ],
                    },
                    "message": {"type": "string", "description": "What is wrong, for people."},
                    "parameter": {"type": "string", "description": "The parameter at fault."},
                },
            }
        },
    },
    "Meta": {
        "type": "object",
        "additionalProperties": False,
        "required": ["page", "per_page", "total", "pages"],
        "properties": {
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0, "description": "Items matching in all."},
            "pages": {"type": "integer", "minimum": 0},
        },
    },
    "Links": {
        "type": "object",
        "additionalProperties": False,
        "required": ["self", "next", "prev"],
        "properties": {
            "self": {"type": "string", "format": "uri-reference"},
            "next": {"type": ["string", "null"], "format": "uri-reference"},
            "prev": {"type": ["string", "null"], "format": "uri-reference"},
        },
    },
    "Index": {
        "type": "object",
        "required": ["name", "version", "publisher", "licence", "openapi", "collections"],
        "properties": {
            "name": {"type": "string"},
            "version": {"type": "string"},
            "publisher": {"type": "string"},
            "licence": {
                "type": "object",
                "required": ["name", "url", "attribution"],
                "properties": {
                    "name": {"type": "string"},
                    "url": {"type": "string", "format": "uri"},
                    "attribution": {"type": "string"},
                },
            },
            "openapi": {"type": "string", "format": "uri-reference"},
            "collections": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "url", "title"],
                    "properties": {
                        "name": {"type": "string"},
                        "url": {"type": "string", "format": "uri-reference"},
                        "title": {"type": "string"},
                    },
                },
            },
        },
    },
}


def list_operation(resource: Resource) -> dict:
    params = (*resource.filters, PAGE, PER_PAGE, *COMMON)
    return {
        "get": {
            "operationId": f"list_{resource.name}",
            "summary": f"List {resource.title}",
            "tags": [resource.name],
            "parameters": [p.openapi() for p in params],
            "responses": {
                "200": response(f"A page of {resource.title}.", ref(f"{resource.schema_name}Page")),
                **ERRORS,
            },
        }
    }


def item_operation(resource: Resource) -> dict:
    return {
        "get": {
            "operationId": f"get_{resource.name}_item",
            "summary": f"One of the {resource.title}",
            "tags": [resource.name],
            "parameters": [resource.key.openapi(), *(p.openapi() for p in COMMON)],
            "responses": {
                "200": response("The item.", ref(f"{resource.schema_name}Item")),
                **ERRORS,
                **NOT_FOUND,
            },
        }
    }


def page_schema(resource: Resource) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["data", "meta", "links"],
        "properties": {
            "data": {"type": "array", "items": ref(resource.schema_name)},
            "meta": ref("Meta"),
            "links": ref("Links"),
        },
    }


def item_wrapper(resource: Resource) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["data"],
        "properties": {"data": ref(resource.schema_name)},
    }


def openapi_document(resources: tuple[Resource, ...], licence_url: str, publisher: str) -> dict:
    """The OpenAPI 3.1 description of every endpoint, generated from the resources."""
    paths = {
        "/": {
            "get": {
                "operationId": "get_index",
                "summary": "What this API offers, and its reuse terms",
                "parameters": [p.openapi() for p in COMMON],
                "responses": {"200": response("The index.", ref("Index")), **ERRORS},
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "get_openapi",
                "summary": "This document",
                "parameters": [p.openapi() for p in COMMON],
                "responses": {
                    "200": response("The OpenAPI document.", {"type": "object"}),
                    **ERRORS,
                },
            }
        },
    }
    schemas = dict(SHARED_SCHEMAS)
    for resource in resources:
        paths[f"/{resource.name}"] = list_operation(resource)
        paths[f"/{resource.name}/{{{resource.key.name}}}"] = item_operation(resource)
        schemas[resource.schema_name] = resource.item_schema()
        schemas[f"{resource.schema_name}Page"] = page_schema(resource)
        schemas[f"{resource.schema_name}Item"] = item_wrapper(resource)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Boshan Glass (博山琉璃) GI Registry open data",
            "version": API_VERSION,
            "summary": "Read-only public data on the legal users of the 博山琉璃 GI special mark.",
            "description": (
                f"Published by {publisher} for free reuse with attribution; see the terms at "
                f"{licence_url}. All dates are ISO 8601 (times in UTC). Lists are paginated with "
                "`page` and `per_page`; unknown or malformed parameters are answered with 400 and "
                "a JSON error naming the parameter. Field names are stable within version 1."
            ),
            "license": {"name": LICENCE_NAME, "url": licence_url},
        },
        "servers": [{"url": API_PREFIX}],
        "tags": [{"name": r.name, "description": r.title} for r in resources],
        "paths": paths,
        "components": {"schemas": schemas},
    }
