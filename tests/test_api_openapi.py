"""The API matches its OpenAPI document: schemathesis generates requests from the document and
checks every answer (status codes, content types, response schemas, no server errors)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from gi_registry.api.catalogue import RESOURCES

from . import helpers

PATHS = ["/", "/openapi.json"] + [
    path for r in RESOURCES for path in (f"/{r.name}", f"/{r.name}/{{{r.key.name}}}")
]
# Short enough for CI; the document is small and every operation is read-only.
EXAMPLES = 50


@pytest.fixture
def schema(app):
    """The document as served, with a few real rows so that item lookups also succeed."""
    reviewer, approver = helpers.make_user("reviewer"), helpers.make_user("approver")
    for town in ("山头街道", "城西街道"):
        producer = helpers.make_producer(town=town)
        helpers.make_application(producer, "approved", reviewer, approver)
    helpers.make_producer()  # registered but never authorized: not public
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_document_lists_every_endpoint(schema):
    assert sorted(schema.raw_schema["paths"]) == sorted(PATHS)
    assert schema.raw_schema["openapi"] == "3.1.0"


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("path", PATHS)
def test_answers_match_the_document(schema, path, mode):
    operation = schema[path]["GET"]

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        case.call_and_validate()

    check()
