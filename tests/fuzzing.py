"""Shared pieces of the property-based tests (tests/test_properties_*.py): hostile values,
the forms found on a page, signing in without the form, and what a refusal looks like."""

import os
from html.parser import HTMLParser
from io import BytesIO

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from gi_registry.extensions import db

# Each family of generated requests runs this many examples (the issue asks for 1000 each).
EXAMPLES = int(os.environ.get("GI_PROPERTY_EXAMPLES", "1000"))

# One world (users, applications, certificates...) per test, shared by its examples: building it
# takes seconds, and the properties hold whatever state earlier examples left behind.
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
    phases=[Phase.generate, Phase.shrink],  # no replay database, no slow "explain" phase
    database=None,  # no .hypothesis folder in the work tree; failures print their example
    derandomize=os.environ.get("CI") == "true",  # CI: the same cases on every run
)  # fmt: skip

HOSTILE = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "</textarea><b>x</b>",
    "javascript:alert(1)", "'; DROP TABLE users; --", "{{ 7*7 }}", "{% raw %}", "%s%n%x",
    "../../../etc/passwd", "..\\..\\boot.ini", "\x00", "\x00\x01\x1b[31m", "\u202e\u2066evil",
    "\ufeff", "\ud7ff", "Ａ１２３－４５", "ＢＳＬＬ－Ｃ－２０２６", "\r\nSet-Cookie: a=b",
    "      ", "", "null", "None", "true", "[]", "{}", "NaN", "-1", "0", "1e309", "9" * 40,
    "2026-02-30", "0000-00-00", "9999-12-31", "1900-01-01", "ʻokina", "İı", "ß", "🏺🫙",
    "//evil.example/x", "https://evil.example/", "/\\evil.example", "\\\\evil.example",
    "/%2F%2Fevil.example", "javascript:alert(1)//", "http:evil.example",
    "博山琉璃" * 30, "a@b", "@", "x" * 256 + "@example.cn",
]  # fmt: skip

text_values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),  # any code point but surrogates: control characters included
    st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn"]),
            max_size=20),
    st.builds(lambda piece, n: piece * n, st.sampled_from(["x", "界", "<b>", "\u0301"]),
              st.integers(2_000, 120_000)),  # huge
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
)  # fmt: skip

file_values = st.builds(
    lambda data, name: (BytesIO(data), name),
    st.one_of(st.binary(max_size=300), st.just(b"%PDF-1.4\n<</JS (app.alert(1))>>\n%%EOF")),
    st.sampled_from(["a.pdf", "a.png", "../../x.pdf", "évil.jpg", "a.pdf\u202egnp.exe", ".pdf",
                     "x" * 300 + ".pdf", "con.png"]),
)  # fmt: skip

# A field's value: text, several values under one name (the wrong type), or a file.
field_values = st.one_of(
    text_values, text_values, text_values,
    st.lists(text_values, min_size=2, max_size=3),
    file_values,
)  # fmt: skip


class FormParser(HTMLParser):
    """The POST forms of a page: their action and the names and current values of their fields."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}, "choices": {}}
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            return
        fields, name = self._form["fields"], a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                self._form["choices"].setdefault(name, []).append(a.get("value") or "y")
                if "checked" in a:
                    fields[name] = a.get("value") or "y"
            elif kind != "file" and kind != "submit":
                fields[name] = a.get("value") or ""
            elif kind == "file":
                self._form["choices"].setdefault(name, [])
        elif tag == "select":
            self._select = name
            self._form["choices"][name] = []
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            self._form["choices"][self._select].append(value)
            if "selected" in a or self._select not in fields:
                fields[self._select] = value
        elif tag == "textarea":
            self._textarea = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data


def post_forms(html: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def sign_in_as(client, user) -> None:
    """Put `user` (or nobody) in the client's session, as Flask-Login does after the form."""
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True


def pending_flashes(client) -> list[tuple[str, str]]:
    """Flashed messages waiting in the session (a redirect's), removed from it."""
    with client.session_transaction() as session:
        return session.pop("_flashes", [])


def shows_a_message(body: str) -> bool:
    """Whether a page tells the user what went wrong (a field error or a flashed warning)."""
    return any(mark in body for mark in ('class="error"', "flash-error", "flash-warning",
                                         'role="alert"'))  # fmt: skip


def count_rows() -> dict:
    """Row counts of every table."""
    db.session.rollback()  # read what is committed, not a failed request's leftovers
    tables = db.metadata.sorted_tables
    counts = db.select(*(db.select(db.func.count()).select_from(t).scalar_subquery().label(t.name)
                         for t in tables))  # fmt: skip
    return dict(zip([t.name for t in tables], db.session.execute(counts).one(), strict=True))
