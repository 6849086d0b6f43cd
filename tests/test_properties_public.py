"""What anyone can type into the address bar, fed generated values (hypothesis).

Five families of a thousand cases each: query parameters of every GET page, certificate codes
(/v/<code>), label serials (/l/<serial>), the lookup box (/check?q=) and the signed QR payload
(verify_qr_text and `flask gi verify-qr`, with generated and mutated payloads). Never a server
error; a refused request changes no row; no redirect leaves the site; only the real code, serial
or payload (however it is spelled) is ever reported genuine.
"""

import unicodedata
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from gi_registry.certificates.payload import State, parse_qr_text, verify_qr_text
from gi_registry.certificates.serials import ALPHABET, normalize_code, normalize_serial
from gi_registry.certificates.services import live_keyset

from .access_rules import LOGIN, RULES
from .fuzzing import HOSTILE, SETTINGS, count_rows, sign_in_as, text_values
from .test_access_matrix import build_world

PARAMS = ["q", "page", "per_page", "lang", "next", "state", "town", "route", "age", "year", "old",
          "new", "kind", "status", "category", "code", "sent", "show", "since", "until", "v",
          "actor", "action", "object_id", "object_type", "producer_id", "authorization_number",
          "sort", "format", "cursor", "limit"]  # fmt: skip


@pytest.fixture
def world(app):
    app.config.update(LABELS_THREAD=False, LABELS_INLINE_LIMIT=0)
    return build_world()


def get_targets(world) -> list[tuple[str, str, str]]:
    """(endpoint, url, role) for every GET route, as one role that may see it."""
    found = []
    for endpoint, rule in sorted(RULES.items()):
        if rule.method != "GET":
            continue
        roles = [r for r, expected in rule.expect.items() if expected not in (LOGIN, 403, 404)]
        found.append((endpoint, rule.url.format(**vars(world)), (roles or ["anonymous"])[0]))
    return found


def assert_stays_on_site(response) -> None:
    if response.status_code in (301, 302, 303, 307, 308):
        # Browsers read a backslash as a slash: "/\\evil.example" is "//evil.example".
        location = response.headers["Location"].replace("\\", "/")
        target = urlsplit(location)
        assert target.netloc in ("", "localhost", "gi.example.test"), location
        assert target.scheme in ("", "http", "https"), location


@SETTINGS
@given(data=st.data())
def test_query_parameters_of_every_page(client, world, data):
    targets = get_targets(world)
    endpoint, url, role = data.draw(st.sampled_from(targets), label="page")
    names = st.one_of(st.sampled_from(PARAMS), st.text(min_size=1, max_size=12))
    values = st.one_of(text_values, st.lists(text_values, min_size=2, max_size=3))
    params = data.draw(st.dictionaries(names, values, max_size=4), label="query")
    sign_in_as(client, world.users.get(role))
    before = count_rows()
    path, _, fixed = url.partition("?")
    query = [*(tuple(pair.split("=", 1)) for pair in fixed.split("&") if fixed), *params.items()]
    response = client.get(path, query_string=MultiDict(query))
    assert response.status_code < 500, f"{endpoint} {url} {params}: {response.status_code}"
    assert_stays_on_site(response)
    if response.status_code >= 400:
        assert count_rows() == before, (
            f"{endpoint}: refused ({response.status_code}), yet the database changed"
        )


@pytest.mark.parametrize("page", ["0", "-3", "x", str(10**40)])
def test_every_page_takes_any_page_number(client, world, page):
    """A page number past any list (found by the test above: a 500 from the database's OFFSET),
    below 1 or not a number: every GET page answers it without a server error."""
    for endpoint, url, role in get_targets(world):
        sign_in_as(client, world.users.get(role))
        path, _, fixed = url.partition("?")
        query = [*(tuple(pair.split("=", 1)) for pair in fixed.split("&") if fixed),
                 ("page", page)]  # fmt: skip
        response = client.get(path, query_string=MultiDict(query))
        assert response.status_code < 500, f"{endpoint} {url} page={page}: {response.status_code}"


def spellings(canonical: str, group: int):
    """How people write a real code: lower case, grouped, full-width, with spaces or dashes."""
    grouped = "-".join(canonical[i : i + group] for i in range(0, len(canonical), group))
    return st.sampled_from([
        canonical, canonical.lower(), grouped, grouped.replace("-", " "), f" {grouped}\u3000",
        unicodedata.normalize("NFKC", grouped).translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}),
        grouped.replace("-", "\u2014"),
    ])  # fmt: skip


def mutated(canonical: str):
    """A real code with one typing slip: a substitution, a swap, a letter dropped or added."""
    n = len(canonical)

    def substitute(i, ch):
        return canonical[:i] + ch + canonical[i + 1 :]

    def swap(i):
        return canonical[:i] + canonical[i + 1] + canonical[i] + canonical[i + 2 :]

    return st.one_of(
        st.builds(substitute, st.integers(0, n - 1), st.sampled_from(ALPHABET)),
        st.builds(swap, st.integers(0, n - 2)),
        st.builds(lambda i: canonical[:i] + canonical[i + 1:], st.integers(0, n - 1)),
        st.builds(lambda i, ch: canonical[:i] + ch + canonical[i:], st.integers(0, n),
                  st.sampled_from(ALPHABET)),
    )  # fmt: skip


def typed(canonical: str, group: int):
    return st.one_of(spellings(canonical, group), mutated(canonical), text_values,
                     st.text(alphabet=ALPHABET + "-oIzSv ", min_size=1, max_size=40))  # fmt: skip


def check_lookup(client, prefix: str, canonical: str, normalize, text: str) -> None:
    """GET prefix/text: a 404 unless `text` spells the real one (then its page or a redirect)."""
    response = client.get(prefix + quote(text, safe=""))
    status = response.status_code
    if "\x00" in text:  # refused up front (security.py)
        assert status == 400, f"{prefix}{text!r}: {status}"
        return
    assert status in (200, 301, 308, 404), f"{prefix}{text!r}: {status}"
    assert_stays_on_site(response)
    if status == 200:
        assert normalize(text) == canonical, f"{text!r} was shown as a real record"
        assert "verdict-valid" in response.get_data(as_text=True)
    if status == 301:
        assert response.headers["Location"].endswith(prefix + normalize(text))


@SETTINGS
@given(data=st.data())
def test_certificate_codes(client, world, data):
    code = world.certificates["code"]
    text = data.draw(typed(code, 4), label="code")
    check_lookup(client, "/v/", code, normalize_code, text)


@SETTINGS
@given(data=st.data())
def test_label_serials(client, world, data):
    serial = world.certificates["serial"]
    text = data.draw(typed(serial, 4), label="serial")
    check_lookup(client, "/l/", serial, normalize_serial, text)


@SETTINGS
@given(data=st.data())
def test_the_lookup_box(client, world, data):
    certificate = world.certificates
    qr_text = live_qr_text(certificate["id"])
    text = data.draw(st.one_of(
        typed(certificate["code"], 4), typed(certificate["serial"], 4),
        typed(certificate["number"], 20), st.builds(lambda t: qr_text + t, text_values),
        st.builds(lambda t: "https://" + t, text_values), st.sampled_from(HOSTILE),
    ), label="q")  # fmt: skip
    before = count_rows()
    response = client.get("/check", query_string={"q": text})
    status = response.status_code
    assert status in ((400,) if "\x00" in text else (200, 302, 404)), f"/check?q={text!r}: {status}"
    assert_stays_on_site(response)
    if status == 302:
        assert urlsplit(response.headers["Location"]).path.startswith(("/v/", "/l/"))
    elif status != 200 or not text.strip():  # 200: the altered/foreign page or the form again
        assert count_rows() == before


def live_qr_text(certificate_id: int) -> str:
    from gi_registry.extensions import db
    from gi_registry.models.certificates import Certificate

    return db.session.get(Certificate, certificate_id).qr_text


def payload_mutations(original: str):
    """Generated and mutated QR texts: each character changed, cut, moved, parts swapped."""
    n = len(original)
    url, _, payload = original.partition("#")
    body, _, signature = payload.rpartition(".")
    return st.one_of(
        st.builds(lambda i, ch: original[:i] + ch + original[i + 1:], st.integers(0, n - 1),
                  st.characters(codec="utf-8")),
        st.builds(lambda i: original[:i], st.integers(0, n)),
        st.builds(lambda i, t: original[:i] + t + original[i:], st.integers(0, n), text_values),
        st.builds(lambda i, j: original[:i] + original[j:], st.integers(0, n), st.integers(0, n)),
        st.builds(lambda parts: "|".join(parts) + "." + signature,
                  st.permutations(body.split("|")).map(lambda p: [url + "#" + p[0], *p[1:]])),
        st.builds(lambda host: original.replace(urlsplit(url).netloc, host),
                  st.sampled_from(["gi.example.tes", "gi.examp1e.test", "GI.EXAMPLE.TEST",
                                   "gi.example.test.evil.cn", "xn--gi-example.test"])),
        st.builds(lambda t: url + "#" + t, text_values),
        text_values,
        st.just(original),
    )  # fmt: skip


@SETTINGS
@given(data=st.data())
def test_signed_payloads(runner, world, data):
    original = live_qr_text(world.certificates["id"])
    keyset = live_keyset()
    genuine = verify_qr_text(original, keyset)
    assert genuine.ok
    text = data.draw(payload_mutations(original), label="QR text")
    verdict = verify_qr_text(text, keyset)
    assert verdict.state in State
    if verdict.ok:  # only the genuine content, however it was padded or re-encoded
        assert verdict.fields == genuine.fields
        assert parse_qr_text(text).url == parse_qr_text(original).url
    if "\x00" in text or len(text) > 100_000:
        return  # not something a command-line argument can carry
    result = runner.invoke(args=["gi", "verify-qr", "--", text])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == (0 if verdict.ok else 1), result.output
