"""The floor: a minimal Flask app that returns a 200-byte page.

Run under the same gunicorn.conf.py as the registry (same workers, threads and settings), it
measures what no Flask page can beat on this machine; the bench reports every page as a ratio
to it, measured in the same run.
"""

from flask import Flask

PAGE = ("<!doctype html><html lang=en><head><meta charset=utf-8><title>floor</title></head>"
        "<body><p>The floor: the smallest Flask page, for comparison.</p></body></html>")  # fmt: skip
PAGE = (PAGE + " " * 200)[:200].encode()

app = Flask(__name__)


@app.route("/v/<code>")
@app.route("/l/<code>")
def page(code: str):
    """200 bytes, whatever the code."""
    return PAGE, 200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
