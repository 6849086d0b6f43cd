"""The API at the scale of the benchmark (2,000 legal users): right rows, bounded queries.

`add_producers` bulk-inserts legal users with their applications, authorizations and audit
entries of submission, so that the API and dashboard tests can work at scale in seconds.
"""

import secrets
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event, insert

from gi_registry.extensions import db
from gi_registry.models import Application, AuditEntry, Authorization, Enterprise
from gi_registry.reference import TOWNS

from . import helpers

STATUSES = ("active", "active", "active", "suspended", "revoked")
_seed = {"n": 7_000_000}


def add_producers(count: int, year: int = 2025, states=("approved",)) -> list[int]:
    """`count` enterprises, each with one application cycling through `states`; approved ones get
    an authorization (statuses cycling active/suspended/revoked), all spread over the towns."""
    if count == 0:
        return []
    start = _seed["n"]
    _seed["n"] += count
    seeds = range(start, start + count)
    enterprise_ids = db.session.scalars(
        insert(Enterprise).returning(Enterprise.id, sort_by_parameter_order=True),
        [dict(name=f"规模测试琉璃{s}", credit_code=helpers.valid_code(s), legal_representative="李四",
              address=f"琉璃路 {s} 号", town=TOWNS[s % len(TOWNS)], phone="0533-4100000",
              route="certification_licensee", trademark_name="博山琉璃",
              trademark_reg_no="12345678", credit_code_exception="", announcement_no="",
              created_at=datetime(year, 1, 1, tzinfo=UTC)) for s in seeds],
    ).all()  # fmt: skip
    submitted = [datetime(year, 1 + s % 12, 1 + s % 28, 2, tzinfo=UTC) for s in seeds]
    rows = []
    for i, (seed, enterprise_id) in enumerate(zip(seeds, enterprise_ids, strict=True)):
        state = states[i % len(states)]
        decided = state in ("approved", "rejected")
        rows.append(dict(
            enterprise_id=enterprise_id, state=state, route="certification_licensee",
            categories=["carving"], production_address="琉璃路", production_town=TOWNS[seed % 10],
            description="", standard_code="", standard_version="", created_at=submitted[i],
            updated_at=submitted[i], submitted_at=None if state == "draft" else submitted[i],
            decided_at=submitted[i] + timedelta(days=1 + seed % 20) if decided else None,
        ))  # fmt: skip
    application_ids = db.session.scalars(
        insert(Application).returning(Application.id, sort_by_parameter_order=True), rows
    ).all()
    submissions = [
        dict(at=rows[i]["submitted_at"], actor_label="bulk", object_type="application",
             object_id=str(application_id), action="application.submit", grounds="",
             prev_hash="0" * 64, hash=secrets.token_hex(32))
        for i, application_id in enumerate(application_ids) if rows[i]["submitted_at"]
    ]  # fmt: skip
    if submissions:
        db.session.execute(insert(AuditEntry), submissions)
    grants = [
        dict(number=f"BSLL-{year}-{seeds[i]}", enterprise_id=rows[i]["enterprise_id"],
             application_id=application_id, route="certification_licensee", scope=["carving"],
             valid_from=date(year, 1, 1), valid_until=date(year + 3, 12, 31),
             status=STATUSES[seeds[i] % len(STATUSES)], status_grounds="",
             standard_code="", standard_version="", standard_hash="", gi_name="博山琉璃",
             created_at=rows[i]["decided_at"], updated_at=rows[i]["decided_at"])
        for i, application_id in enumerate(application_ids) if rows[i]["state"] == "approved"
    ]  # fmt: skip
    if grants:
        db.session.execute(insert(Authorization), grants)
    db.session.commit()
    return list(enterprise_ids)


def test_directory_at_benchmark_scale(client, app):
    add_producers(2000)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        page = client.get("/api/v1/producers?town=山头街道&per_page=100&page=2").get_json()
        suspended = client.get("/api/v1/authorizations?status=suspended&per_page=1").get_json()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert page["meta"]["total"] == 200  # 2,000 spread evenly over the 10 divisions
    assert len(page["data"]) == 100 and {p["town"] for p in page["data"]} == {"山头街道"}
    assert suspended["meta"]["total"] == 400  # one in five
    assert len(statements) <= 5
