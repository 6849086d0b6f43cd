"""Fingerprinted static URLs (`?v=<content hash>`) so that browsers may cache them for a year."""

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, request

ONE_YEAR = 365 * 24 * 3600


@lru_cache(maxsize=512)
def fingerprint(static_folder: str, filename: str, mtime_ns: int) -> str:
    """The first 12 hex digits of the file's SHA-256 (recomputed when the file changes)."""
    return hashlib.sha256((Path(static_folder) / filename).read_bytes()).hexdigest()[:12]


def init_app(app: Flask) -> None:
    """Add `v=` to every url_for('static', ...) and long-lived caching to such requests."""

    @app.url_defaults
    def add_fingerprint(endpoint: str, values: dict) -> None:
        if endpoint != "static" or "v" in values or "filename" not in values:
            return
        path = Path(app.static_folder) / values["filename"]
        try:
            values["v"] = fingerprint(
                app.static_folder, values["filename"], path.stat().st_mtime_ns
            )
        except OSError:
            return

    @app.after_request
    def cache_static(response):
        if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
            response.cache_control.public = True
            response.cache_control.max_age = ONE_YEAR
            response.cache_control.immutable = True
        return response
