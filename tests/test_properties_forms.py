"""Every form of the site, fed generated values (hypothesis).

For each POST route of the app (from the permission table, tests/access_rules.py), signed in as a
role that may use it, with field values drawn from unicode text, control characters, huge strings,
markup, numbers out of range, wrong types (several values, files) and missing fields, starting
either from the form as the page offers it or from nothing:

- the answer is never a server error;
- a refused request (4xx, the form shown again, or a redirect with an error message) changes no
  row of any table;
- a form shown again says what is wrong.
"""

from urllib.parse import urlsplit

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from .access_rules import LOGIN, RULES
from .fuzzing import (
    SETTINGS,
    count_rows,
    field_values,
    pending_flashes,
    post_forms,
    shows_a_message,
    sign_in_as,
)
from .test_access_matrix import build_world

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)
REFUSED = (400, 403, 404, 405, 409, 413, 422, 429)
# Actions whose URL carries a verb: each verb is a target of its own.
VERBS = {
    "authorization.act": ("submit", "resubmit", "withdraw", "return", "pass_review", "reject",
                          "approve"),
    "authorization.change_authorization": ("suspend", "reinstate", "revoke"),
    "certificates.report_act": ("investigate", "close", "reopen"),
    "registry.decide_photo": ("approve", "reject"),
}  # fmt: skip


def post_endpoints(app) -> list[str]:
    return sorted({r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods})


def targets(app, world) -> list[tuple[str, str, str]]:
    """(endpoint, url, role) for every POST route and every role allowed to use it."""
    found = []
    for endpoint in post_endpoints(app):
        rule = RULES[endpoint]
        url = rule.url.format(**vars(world)).partition("?")[0]
        roles = [r for r, expected in rule.expect.items() if expected not in (LOGIN, 403, 404)]
        roles = roles or [r for r in rule.expect if r != "anonymous"][:1]  # 404 routes: one role
        urls = [url]
        if endpoint in VERBS:
            stem = url.rsplit("/", 1)[0]
            urls = [f"{stem}/{verb}" for verb in VERBS[endpoint]]
            if endpoint == "authorization.act":  # on the draft too, as its owner and officials
                urls += [f"/applications/{world.draft_a}/{verb}" for verb in VERBS[endpoint]]
                roles = ["producer_a", "reviewer", "approver"]
        found += [(endpoint, u, role) for u in urls for role in roles]
    return found


def own_form(html: str, url: str) -> dict | None:
    """The POST form of a page that posts to the page's own address, if any."""
    forms = [f for f in post_forms(html) if urlsplit(f["action"]).path in ("", url)]
    return forms[0] if forms else None


def form_on_page(client, url: str) -> dict | None:
    """The POST form that the page at `url` offers for itself, if any."""
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.content_type:
        return None
    return own_form(response.get_data(as_text=True), url)


@pytest.fixture
def fuzz_world(app, client):
    """The shared world, label batches kept in the queue (no background thread), and the
    fields of every target's form as its page offers them."""
    app.config.update(LABELS_THREAD=False, LABELS_INLINE_LIMIT=0)
    world = build_world()
    forms, names = {}, set()
    for _endpoint, url, role in targets(app, world):
        sign_in_as(client, world.users.get(role))
        form = form_on_page(client, url)
        if form is not None:
            forms[(url, role)] = form
            names |= set(form["fields"]) | set(form["choices"])
    names.discard("csrf_token")
    return world, forms, sorted(names)


@SETTINGS
@given(data=st.data())
def test_every_form_with_generated_values(app, client, fuzz_world, data):
    world, forms, all_names = fuzz_world
    by_endpoint = {}
    for target in targets(app, world):
        by_endpoint.setdefault(target[0], []).append(target)
    endpoint = data.draw(st.sampled_from(sorted(by_endpoint)), label="endpoint")
    endpoint, url, role = data.draw(st.sampled_from(by_endpoint[endpoint]), label="target")
    form = forms.get((url, role)) or {"fields": {}, "choices": {}}
    names = sorted(set(form["fields"]) | set(form["choices"])) or all_names
    fields = dict(form["fields"]) if data.draw(st.booleans(), label="from the page") else {}
    for name in data.draw(st.lists(st.sampled_from(names), max_size=4, unique=True),
                          label="changed"):  # fmt: skip
        fields[name] = data.draw(field_values, label=name)
    for name in data.draw(st.lists(st.sampled_from(names), max_size=2, unique=True),
                          label="missing"):  # fmt: skip
        fields.pop(name, None)
    if data.draw(st.booleans(), label="a stranger field"):
        fields[data.draw(st.text(min_size=1, max_size=20), label="name")] = data.draw(field_values)

    sign_in_as(client, world.users.get(role))
    pending_flashes(client)
    before = count_rows()
    if data.draw(st.integers(0, 9), label="as JSON") == 0:  # not a form at all
        response = client.post(url, json=data.draw(json_values, label="JSON body"))
    else:
        response = client.post(url, data=fields)
    status = response.status_code
    event(f"{endpoint} -> {status}")
    assert status < 500, f"{endpoint} {url} as {role}: {status}"
    flashes = pending_flashes(client)
    body = response.get_data(as_text=True)
    refused = (status in REFUSED or (status == 200 and "html" in response.content_type)
               or any(category == "error" for category, _ in flashes))  # fmt: skip
    if refused:
        assert count_rows() == before, (
            f"{endpoint} {url} as {role}: refused ({status}), yet the database changed"
        )
    if status == 200 and "html" in response.content_type and own_form(body, url):
        assert shows_a_message(body), f"{endpoint} {url} as {role}: form shown again, no message"
