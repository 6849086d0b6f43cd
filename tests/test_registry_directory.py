"""The public directory on thousands of producers: right rows, right pages, bounded queries."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from gi_registry.clock import local_today
from gi_registry.extensions import db
from gi_registry.models import Application, Authorization, Enterprise, Route
from gi_registry.reference import TOWNS
from gi_registry.standards.services import load_standards_if_missing

from . import helpers

CATEGORIES = ["carving", "flower-ball", "bead", "screen", "jiyouhuang", "bracelet",
              "inside-painted", "vessel"]  # fmt: skip
ROUTES = [r.value for r in Route]
PRODUCERS = 3000
UNAUTHORIZED = 150  # registered but never authorized: never in the public directory
BASE = 100_000  # explicit ids, far from anything a sequence hands out


def planned_status(i: int) -> tuple[str, int]:
    """(stored status, days from today to valid_until) for producer i."""
    return {0: ("revoked", 200), 1: ("suspended", 90), 2: ("active", -3), 3: ("suspended", -40),
            4: ("revoked", -10)}.get(i % 7, ("active", 300))  # fmt: skip


def public_status(stored: str, days: int) -> str:
    """What Authorization.status_on says, written independently of it."""
    if stored == "revoked":
        return "revoked"
    return "expired" if days < 0 else stored


@pytest.fixture
def population(app):
    """Thousands of producers inserted in bulk; returns what each one should look like."""
    load_standards_if_missing()
    today = local_today()
    enterprises, applications, authorizations, expected = [], [], [], {}
    for i in range(PRODUCERS + UNAUTHORIZED):
        name = f"琉璃企业{i:05d}" if i != 77 else "百分之百%琉璃坊"
        code = helpers.valid_code(500_000 + i)
        town, route = TOWNS[i % len(TOWNS)], ROUTES[i % len(ROUTES)]
        enterprises.append(dict(id=BASE + i, name=name, credit_code=code, legal_representative="王五",
                                address=f"{town}琉璃路 {i} 号", town=town, phone="0533-0000000",
                                route=route))  # fmt: skip
        if i >= PRODUCERS:
            continue
        # Every 40th producer holds a newer authorization after an older, revoked one.
        grants = [("revoked", 100, ["vessel"])] if i % 40 == 0 else []
        scope = sorted({CATEGORIES[i % 8], *([CATEGORIES[(i + 3) % 8]] if i % 5 == 0 else [])})
        grants.append((*planned_status(i), scope))
        for n, (status, days, grant_scope) in enumerate(grants):
            row_id = BASE + i * 2 + n
            applications.append(dict(id=row_id, enterprise_id=BASE + i, state="approved",
                                     route=route, categories=grant_scope,
                                     production_address="琉璃路", production_town=town))  # fmt: skip
            authorizations.append(dict(
                id=row_id, number=f"BSLL-T-{row_id}", enterprise_id=BASE + i,
                application_id=row_id, route=route, scope=grant_scope,
                valid_from=today - timedelta(days=400), valid_until=today + timedelta(days=days),
                status=status,
            ))  # fmt: skip
        status, days, _ = grants[-1]
        expected[code] = dict(name=name, town=town, route=route, scope=scope,
                              status=public_status(status, days))  # fmt: skip
    db.session.execute(db.insert(Enterprise), enterprises)
    db.session.execute(db.insert(Application), applications)
    db.session.execute(db.insert(Authorization), authorizations)
    db.session.commit()
    return expected


@contextmanager
def counting_queries():
    """Count the SQL statements the engine runs inside the block."""
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


CODE = re.compile(r"<dt>[^<]+</dt><dd><code>([0-9A-Z]{18})</code></dd>")


def listed_codes(html: str) -> list[str]:
    return CODE.findall(html)


def walk(client, **params) -> tuple[list[str], int]:
    """Every credit code the directory lists for a search, page by page; and the pages seen."""
    codes, page = [], 1
    while True:
        response = client.get("/registry/", query_string={**params, "page": page})
        assert response.status_code == 200
        found = listed_codes(response.get_data(as_text=True))
        codes += found
        if 'rel="next"' not in response.get_data(as_text=True):
            return codes, page
        assert len(found) == 20
        page += 1


def matching(expected: dict, *, town="", route="", category="", status="", q="") -> list[str]:
    rows = [
        (e["name"], code) for code, e in expected.items()
        if (not town or e["town"] == town) and (not route or e["route"] == route)
        and (not category or category in e["scope"]) and (not status or e["status"] == status)
        and (not q or q in e["name"] or q.upper() in code)
    ]  # fmt: skip
    return [code for _name, code in sorted(rows)]


@pytest.mark.parametrize("search", [
    dict(town="山头街道", status="active", category="bead"),
    dict(status="expired"),
    dict(status="suspended", route="protected_product"),
    dict(status="revoked", town="池上镇"),
    dict(category="vessel", status="active"),
    dict(q="琉璃企业0012"),
    dict(q="%"),
], ids=lambda s: "-".join(f"{k}={v}" for k, v in s.items()))  # fmt: skip
def test_filters_return_exactly_the_right_rows_in_name_order(client, population, search):
    codes, _pages = walk(client, **search)
    assert codes == matching(population, **search)
    assert codes, "the search should find something in this population"


def test_search_by_credit_code_finds_that_producer(client, population):
    code = sorted(population)[1234]
    response = client.get("/registry/", query_string={"q": code.lower()})
    assert listed_codes(response.get_data(as_text=True)) == [code]
    assert population[code]["name"] in response.get_data(as_text=True)


def test_unauthorized_enterprises_are_not_listed(client, population):
    response = client.get("/registry/", query_string={"q": f"琉璃企业{PRODUCERS + 5:05d}"})
    assert listed_codes(response.get_data(as_text=True)) == []
    english = client.get("/registry/", query_string={"q": f"琉璃企业{PRODUCERS + 5:05d}",
                                                     "lang": "en"})  # fmt: skip
    assert "0 enterprises found" in english.get_data(as_text=True)


def test_the_latest_authorization_decides_the_listing(client, population):
    # Producer 40 had a revoked authorization for vessels, then a new one: it is listed once,
    # with the new one's status and scope.
    code = helpers.valid_code(500_040)
    response = client.get("/registry/", query_string={"q": code})
    html = response.get_data(as_text=True)
    assert listed_codes(html) == [code]
    assert population[code]["status"] == "active"
    assert "status-active" in html and "status-revoked" not in html


def test_total_count_shown(client, population):
    response = client.get("/registry/", query_string={"status": "expired", "lang": "en"})
    total = len(matching(population, status="expired"))
    assert f"{total} enterprises found." in response.get_data(as_text=True)


def test_queries_per_page_are_bounded_whatever_the_rows(client, population):
    client.get("/registry/")  # warm caches (the standard file, templates)
    counts = {}
    for label, params in {
        "full page": {},
        "last page": {"page": 150},
        "one row": {"q": sorted(population)[7]},
        "filtered": {"town": "博山镇", "category": "carving", "status": "active"},
        "nothing": {"q": "没有这家企业"},
    }.items():
        with counting_queries() as statements:
            response = client.get("/registry/", query_string=params)
        assert response.status_code == 200
        counts[label] = len(statements)
    with counting_queries() as statements:
        client.get("/registry/", query_string={"page": 10**6})
    assert len(statements) == counts["last page"] + 1  # past the end: the last page's rows again
    # The count and the rows, plus the few reads of the standard behind the category names and
    # filter choices; the same whether a page lists 20 rows or none: nothing runs per row.
    assert len(set(counts.values())) == 1, counts
    assert max(counts.values()) <= 6, counts
    assert len(listed_codes(client.get("/registry/").get_data(as_text=True))) == 20


def test_a_page_past_the_end_shows_the_last_page(client, population):
    """An old link to page 200 of a list that now has 150 pages: the last page, not an empty
    list under a count that says there are rows."""
    codes, last = walk(client)
    past = client.get("/registry/", query_string={"page": last + 50, "lang": "en"})
    html = past.get_data(as_text=True)
    assert past.status_code == 200
    assert listed_codes(html) == codes[(last - 1) * 20 :]
    assert f"Page {last} of {last}" in html and 'rel="prev"' in html
    assert "No enterprise matches" not in html
    assert f"{len(codes)} enterprises found." in html


def test_bad_filter_values_are_ignored_not_errors(client, population):
    response = client.get("/registry/", query_string={"status": "nonsense", "town": "<b>",
                                                      "page": "x", "category": "%"})  # fmt: skip
    assert response.status_code == 200
    assert len(listed_codes(response.get_data(as_text=True))) == 20
