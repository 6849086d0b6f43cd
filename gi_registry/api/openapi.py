"""The OpenAPI 3.1 document, generated from the resources described in spec.py."""

from .params import COMMON, PAGE, PER_PAGE
from .spec import API_PREFIX, API_VERSION, LICENCE_NAME, Resource


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
    params = (*resource.params, PAGE, PER_PAGE, *COMMON)
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
