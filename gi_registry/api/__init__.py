"""Open data: the read-only JSON API under /api/v1/, its OpenAPI document and its reuse terms."""
