"""Build the benchmark's database fast, with bulk SQL rather than the services.

    python -m bench.build_db [--quick] [--rebuild] [--only sqlite|postgres]

The full scale: 2,400 producers (each with its owner, an approved application, an authorization
and a chain of certificates), 600 open applications in the review queue, 100,000 certificates,
1,000,000 labels in batches of 5,000, 300,000 certificate scans and 150,000 scanned labels
(whose counters agree with their scan rows, some flagged as copied), fake reports, and an audit
log whose hash chain verifies. The schema comes from db.create_all(); the standards and the
signing key through the app's own services. Rows go in with executemany on SQLite and COPY on
PostgreSQL (the database gi_bench on the server of DATABASE_URL), then ANALYZE.

A database is built once and reused: the marker bench/out/<name>.built.json says it is complete.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import types
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ADMIN_EMAIL, FULL, OUT, QUICK, Scale, make_app, postgres_url, sqlite_url

SEED = 20260101
TOWNS = ("城东街道", "城西街道", "山头街道", "域城镇", "白塔镇", "八陡镇", "石马镇", "源泉镇",
         "池上镇", "博山镇")  # fmt: skip
ROUTES = ("certification_licensee", "collective_member", "protected_product", "other_recorded")
WORDS = ("琉璃", "料器", "艺术", "工艺", "鸡油黄", "内画", "炉匠", "玻璃", "珠宝", "文化")
PLACES = ("博山", "淄博", "颜神", "孝妇河", "鲁中", "齐风", "山城", "陶琉")


# --- writing rows ------------------------------------------------------------------------------


class Writer:
    """Bulk inserts on one connection: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.conn = engine.raw_connection()
        if not self.postgres:
            cur = self.conn.cursor()
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

    def value(self, v):
        if self.postgres:
            return v
        if isinstance(v, datetime):
            return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, bool):
            return int(v)
        return v

    def insert(self, table: str, columns: tuple[str, ...], rows) -> int:
        cols = ", ".join(f'"{c}"' for c in columns)
        count = 0
        cur = self.conn.cursor()
        if self.postgres:
            with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            marks = ", ".join("?" for _ in columns)
            sql = f'INSERT INTO "{table}" ({cols}) VALUES ({marks})'
            chunk = []
            for row in rows:
                chunk.append(tuple(self.value(v) for v in row))
                if len(chunk) >= 20_000:
                    cur.executemany(sql, chunk)
                    count += len(chunk)
                    chunk = []
            if chunk:
                cur.executemany(sql, chunk)
                count += len(chunk)
        cur.close()
        self.conn.commit()
        return count

    def finish(self, tables: list[str]) -> None:
        cur = self.conn.cursor()
        if self.postgres:
            for table in tables:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                            f'(SELECT max(id) FROM "{table}"))')  # fmt: skip
        self.conn.commit()
        if self.postgres:
            raw = self.conn.driver_connection
            raw.autocommit = True
            cur = raw.cursor()
            cur.execute("VACUUM ANALYZE")
        else:
            cur.execute("ANALYZE")
            self.conn.commit()
        self.conn.close()


# --- the data ----------------------------------------------------------------------------------


def credit_code(rng: random.Random, index: int) -> str:
    from gi_registry import creditcode

    first17 = f"91370304MA{index:05d}{rng.choice('0123456789')}{rng.choice('ABCDEFGH')}"
    return first17 + creditcode.check_character(first17)


def random_serial(rng: random.Random, body: int) -> str:
    from gi_registry.certificates.serials import ALPHABET, check_char

    text = "".join(rng.choices(ALPHABET, k=body))
    return text + check_char(text)


def scanner(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def build(url: str, scale: Scale, log=print) -> dict:
    """Create the schema and fill it; returns counts and timings."""
    from gi_registry import categories
    from gi_registry.audit.services import GENESIS, entry_hash, jsonable
    from gi_registry.certificates.payload import PayloadFields, encode_body
    from gi_registry.certificates.services import init_keys, keystore
    from gi_registry.extensions import db
    from gi_registry.models import AuditEntry
    from gi_registry.standards.services import sync_standards

    rng = random.Random(SEED)
    started = time.perf_counter()
    app = make_app(url, scale)
    with app.app_context():
        db.drop_all()
        db.create_all()
        sync_standards()
        init_keys()
        key = keystore().active()
        slugs = sorted(categories.slugs())
        last = db.session.execute(
            sa.select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
        ).first()
        db.session.commit()
        engine = db.engine
        writer = Writer(engine)
        now = datetime.now(UTC).replace(microsecond=0)
        today = now.date()
        counts: dict[str, int] = {}

        # Officials and producers' owners: one cheap password hash for every bench account.
        from werkzeug.security import generate_password_hash

        password = generate_password_hash("bench-password-1", "pbkdf2:sha256:1000")
        users = [(1, ADMIN_EMAIL, "基准管理员", password, True, 0, now)]
        roles = [(1, "admin"), (1, "reviewer"), (1, "approver")]
        for i in range(scale.producers):
            users.append(
                (i + 2, f"producer{i}@bench.example.cn", f"联系人{i}", password, True, 0, now)
            )
            roles.append((i + 2, "producer"))
        counts["user"] = writer.insert(
            "user", ("id", "email", "name", "password_hash", "is_enabled", "failed_logins",
                     "created_at"), users)  # fmt: skip
        writer.insert("user_role", ("user_id", "role"), roles)

        # Enterprises, each owned by its producer user.
        enterprises = []
        for i in range(scale.producers):
            name = (f"{rng.choice(PLACES)}{rng.choice(WORDS)}{rng.choice(WORDS)}"
                    f"{'有限公司' if i % 3 else '工作室'}（{i:04d}）")  # fmt: skip
            route = ROUTES[i % len(ROUTES)]
            enterprises.append((i + 1, i + 2, name, credit_code(rng, i), "", f"法人{i}",
                                f"淄博市博山区{rng.choice(TOWNS)}琉璃街{i}号", rng.choice(TOWNS),
                                "0533-4100000", route, "博山琉璃", f"{10000000 + i}",
                                date(2030, 12, 31), date(2024, 1, 1), date(2030, 12, 31),
                                f"第{i % 40 + 1}号" if route != "certification_licensee" else "",
                                now - timedelta(days=rng.randint(30, 900)), 1))  # fmt: skip
        counts["enterprise"] = writer.insert(
            "enterprise", ("id", "owner_id", "name", "credit_code", "credit_code_exception",
                           "legal_representative", "address", "town", "phone", "route",
                           "trademark_name", "trademark_reg_no", "trademark_valid_until",
                           "licence_start", "licence_end", "announcement_no", "created_at",
                           "created_by_id"), enterprises)  # fmt: skip

        # Applications: one approved per enterprise (its authorization's), plus open ones.
        applications, authorizations, audit = [], [], []
        audit_prev = last.hash if last else GENESIS
        audit_id = last.id if last else 0

        def audit_entry(at, actor_id, action, object_type, object_id, after=None):
            nonlocal audit_prev, audit_id
            audit_id += 1
            entry = types.SimpleNamespace(
                at=at, actor_id=actor_id, actor_label=ADMIN_EMAIL if actor_id == 1 else "producer",
                object_type=object_type, object_id=str(object_id), action=action, before=None,
                after=jsonable(after), grounds="", prev_hash=audit_prev)  # fmt: skip
            entry.hash = entry_hash(entry)
            audit_prev = entry.hash
            audit.append((audit_id, at, actor_id, entry.actor_label, object_type, str(object_id),
                          action, None, json.dumps(entry.after) if after else None, "",
                          entry.prev_hash, entry.hash))  # fmt: skip

        statuses = ["active"] * 90 + ["suspended"] * 4 + ["revoked"] * 3 + ["expired"] * 3
        for i, ent in enumerate(enterprises):
            enterprise_id, route, town = ent[0], ent[9], ent[7]
            submitted = now - timedelta(days=rng.randint(60, 700), minutes=rng.randint(0, 1440))
            decided = submitted + timedelta(days=rng.randint(5, 50))
            scope = sorted(rng.sample(slugs, rng.randint(1, 4)))
            applications.append((i + 1, enterprise_id, "approved", route, json.dumps(scope),
                                 ent[6], town, "传统吹制工艺（基准数据）", "BSLL-WS", "2026.1",
                                 i + 2, submitted, decided, submitted, decided, 3))  # fmt: skip
            status = rng.choice(statuses)
            valid_from = decided.date()
            valid_until = (today - timedelta(days=rng.randint(1, 200)) if status == "expired"
                           else valid_from + timedelta(days=3 * 365))  # fmt: skip
            stored = "active" if status == "expired" else status
            number = f"BSLL-{decided.year}-{i + 1:04d}"
            authorizations.append((i + 1, number, enterprise_id, i + 1, "博山琉璃", route,
                                   json.dumps(scope), valid_from, valid_until, stored, "",
                                   "BSLL-WS", "2026.1", "", 1, decided, decided, 1))  # fmt: skip
            audit_entry(submitted, i + 2, "application.submit", "application", i + 1)
            audit_entry(decided, 1, "application.approve", "application", i + 1)
            audit_entry(decided, 1, "authorization.grant", "authorization", i + 1,
                        {"number": number})  # fmt: skip
        open_states = ["submitted"] * 5 + ["resubmitted", "review_passed", "returned", "draft"]
        for j in range(scale.open_applications):
            app_id = scale.producers + j + 1
            ent = enterprises[rng.randrange(len(enterprises))]
            state = rng.choice(open_states)
            submitted = (None if state == "draft"
                         else now - timedelta(days=rng.randint(0, 90), minutes=rng.randint(0, 1440)))  # fmt: skip
            applications.append((app_id, ent[0], state, ent[9], json.dumps(rng.sample(slugs, 2)),
                                 ent[6], ent[7], "变更申请（基准数据）", "BSLL-WS", "2026.1",
                                 ent[1], submitted or now, None, submitted or now, submitted, 2))  # fmt: skip
            if submitted:
                audit_entry(submitted, ent[1], "application.submit", "application", app_id)
        counts["application"] = writer.insert(
            "application", ("id", "enterprise_id", "state", "route", "categories",
                            "production_address", "production_town", "description",
                            "standard_code", "standard_version", "created_by_id", "created_at",
                            "decided_at", "updated_at", "submitted_at", "version_id"),
            applications)  # fmt: skip
        counts["authorization"] = writer.insert(
            "authorization", ("id", "number", "enterprise_id", "application_id", "gi_name",
                              "route", "scope", "valid_from", "valid_until", "status",
                              "status_grounds", "standard_code", "standard_version",
                              "standard_hash", "approved_by_id", "created_at", "updated_at",
                              "version_id"), authorizations)  # fmt: skip
        log(f"  producers, applications, authorizations: {time.perf_counter() - started:.1f} s")

        # Certificates: every authorization has a chain, the newest current, the rest superseded.
        per = [1] * len(authorizations)
        for _ in range(scale.certificates - len(authorizations)):
            per[rng.randrange(len(per))] += 1
        certificates, cert_ids = [], []
        cert_id = 0
        codes = set()
        for auth, n in zip(authorizations, per, strict=True):
            auth_id, ent = auth[0], enterprises[auth[2] - 1]
            first = cert_id + 1
            for k in range(n):
                cert_id += 1
                code = random_serial(rng, 16)
                while code in codes:
                    code = random_serial(rng, 16)
                codes.add(code)
                number = f"BSLL-C-{2020 + cert_id // 50000}-{cert_id % 50000:06d}"
                fields = PayloadFields(number, ent[3], tuple(json.loads(auth[6])), "BSLL-WS",
                                       "2026.1", auth[7], auth[8], key.kid)  # fmt: skip
                body = encode_body(fields)
                payload = f"{body}~{'A' * 86}"  # the signature's length; not checked here
                current = k == n - 1
                issued = auth[15] + timedelta(days=k)
                certificates.append((
                    cert_id, number, code, auth_id, "博山琉璃", ent[2], ent[3], auth[5],
                    f"地理标志证明商标 博山琉璃 第{ent[11]}号", auth[6], auth[7], auth[8],
                    "BSLL-WS", "2026.1", "", "淄博市博山区市场监督管理局",
                    f"https://gi.example.test/v/{code}", key.kid, payload, issued, 1, "",
                    "current" if current else "superseded", None if current else cert_id + 1,
                    None if current else issued + timedelta(days=1)))  # fmt: skip
            cert_ids.append((first, cert_id))
        counts["certificate"] = writer.insert(
            "certificate", ("id", "number", "code", "authorization_id", "gi_name", "holder_name",
                            "credit_code", "route", "route_annotation", "scope", "valid_from",
                            "valid_until", "standard_code", "standard_version", "standard_hash",
                            "issuing_office", "url", "kid", "payload", "issued_at",
                            "issued_by_id", "reissue_reason", "status", "superseded_by_id",
                            "superseded_at"), certificates)  # fmt: skip
        del certificates, codes
        log(f"  certificates: {time.perf_counter() - started:.1f} s")

        # Label batches under authorizations that are active today, and their labels.
        active = [a for a in authorizations if a[9] == "active" and a[8] >= today]
        batches, n_batches = (
            [],
            (scale.labels + scale.labels_per_batch - 1) // scale.labels_per_batch,
        )
        for b in range(n_batches):
            auth = active[rng.randrange(len(active))]
            created = now - timedelta(days=rng.randint(61, 400))
            quantity = min(scale.labels_per_batch, scale.labels - b * scale.labels_per_batch)
            batches.append((b + 1, auth[0], json.loads(auth[6])[0], quantity, "ready", quantity,
                            auth[2] + 1, created, created + timedelta(minutes=2),
                            f"bench-{b + 1:06d}.pdf", ""))  # fmt: skip
            audit_entry(created, auth[2] + 1, "label_batch.order", "label_batch", b + 1,
                        {"quantity": quantity})  # fmt: skip
        counts["label_batch"] = writer.insert(
            "label_batch", ("id", "authorization_id", "category", "quantity", "state", "progress",
                            "created_by_id", "created_at", "finished_at", "pdf_name", "error"),
            batches)  # fmt: skip

        # Scan history: which labels were scanned, when, by whom; counters agree with the rows.
        scans = []  # (at, kind, target_id, scanner)
        threshold = 5
        scanned = rng.sample(range(1, scale.labels + 1), scale.scanned_labels)
        label_state: dict[int, tuple] = {}
        for label_id in scanned:
            first_at = now - timedelta(seconds=rng.randint(600, 60 * 86400))
            copied = rng.random() < 0.002
            n = rng.randint(8, 30) if copied else rng.choice((1, 1, 1, 2, 2, 3, 4))
            people = [scanner(rng) for _ in range(n if copied else rng.randint(1, min(n, 2)))]
            at, seen, flagged = first_at, set(), None
            for s in range(n):
                who = people[s % len(people)]
                scans.append((at, "label", label_id, who))
                seen.add(who)
                if len(seen) > threshold and flagged is None:
                    flagged = at
                at += timedelta(seconds=rng.randint(60, 3 * 86400))
            label_state[label_id] = (first_at, n, len(seen), flagged)
        for _ in range(scale.certificate_scans):
            lo, hi = cert_ids[rng.randrange(len(cert_ids))]
            target = hi if rng.random() < 0.8 else rng.randint(lo, hi)
            scans.append((now - timedelta(seconds=rng.randint(60, 60 * 86400)), "certificate",
                          target, scanner(rng)))  # fmt: skip
        scans.sort(key=lambda s: s[0])

        serials: set[str] = set()

        def labels():
            for label_id in range(1, scale.labels + 1):
                serial = random_serial(rng, 12)
                while serial in serials:
                    serial = random_serial(rng, 12)
                serials.add(serial)
                first_at, n, distinct, flagged = label_state.get(label_id, (None, 0, 0, None))
                yield (label_id, (label_id - 1) // scale.labels_per_batch + 1, serial, first_at,
                       n, distinct, flagged)  # fmt: skip

        counts["label"] = writer.insert(
            "label", ("id", "batch_id", "serial", "first_scan_at", "scan_count",
                      "distinct_scanners", "copy_flagged_at"), labels())  # fmt: skip
        serials.clear()
        log(f"  labels: {time.perf_counter() - started:.1f} s")
        counts["scan"] = writer.insert(
            "scan",
            ("id", "kind", "target_id", "at", "scanner"),
            ((i + 1, kind, target, at, who) for i, (at, kind, target, who) in enumerate(scans)),
        )
        del scans
        for label_id, (_f, _n, distinct, flagged) in sorted(label_state.items()):
            if flagged:
                audit_entry(flagged, None, "label.copy_flag", "label", label_id,
                            {"distinct_scanners": distinct, "threshold": threshold})  # fmt: skip
        log(f"  scans: {time.perf_counter() - started:.1f} s")

        reports = []
        for r in range(scale.fake_reports):
            at = now - timedelta(days=rng.randint(0, 200))
            reports.append((r + 1, random_serial(rng, 12), "label", None, "淄博某商场",
                            at.date(), "标签印刷模糊", "", "", "",
                            rng.choice(("new", "new", "investigating", "closed")), "", at, at,
                            None, 1))  # fmt: skip
        writer.insert("fake_report", ("id", "code", "kind", "target_id", "where_bought",
                                      "bought_on", "what_seen", "photo_stored_name",
                                      "photo_content_type", "contact", "state", "official_notes",
                                      "created_at", "updated_at", "handled_by_id", "version_id"),
                      reports)  # fmt: skip
        audit.sort(key=lambda row: row[0])
        counts["audit_entry"] = writer.insert(
            "audit_entry", ("id", "at", "actor_id", "actor_label", "object_type", "object_id",
                            "action", "before", "after", "grounds", "prev_hash", "hash"), audit)  # fmt: skip
        writer.finish(["user", "enterprise", "application", "authorization", "certificate",
                       "label_batch", "label", "scan", "fake_report", "audit_entry"])  # fmt: skip
        # The dashboard's running tallies, as a site in use would have them.
        from gi_registry.dashboard.tally import refresh_tallies

        refresh_tallies()
        db.session.remove()
        db.engine.dispose()
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


# --- caching -----------------------------------------------------------------------------------


def marker(url: str, scale: Scale) -> Path:
    kind = "postgres" if url.startswith("postgresql") else "sqlite"
    return OUT / f"{kind}-{scale.name}.built.json"


def add_missing_indexes(url: str) -> None:
    """Indexes (and PostgreSQL's change-notice triggers) added to the models since the database
    was built."""
    import gi_registry.models  # noqa: F401  (registers every table)
    from gi_registry.extensions import db

    engine = sa.create_engine(url)
    existing = {}
    inspector = sa.inspect(engine)
    for table in db.metadata.sorted_tables:
        existing[table.name] = {i["name"] for i in inspector.get_indexes(table.name)}
    added = False
    for table in db.metadata.sorted_tables:
        for index in table.indexes:
            if index.name not in existing.get(table.name, set()):
                print(f"  adding index {index.name}")
                index.create(engine)
                added = True
    if added:  # the planner's statistics must know the new index
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    if engine.dialect.name == "postgresql":  # and the change notices (models/changes.py)
        from gi_registry.models import changes

        with engine.begin() as conn:
            for table in changes.TABLES:
                name = changes.trigger_name(table)
                if not conn.scalar(
                    sa.text("SELECT 1 FROM pg_trigger WHERE tgname = :n"), {"n": name}
                ):
                    print(f"  adding trigger {name}")
                    conn.exec_driver_sql(changes.CREATE_FUNCTION)
                    conn.exec_driver_sql(changes.create_trigger(table))
    engine.dispose()


def create_postgres_database(url: str) -> None:
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                             {"n": target.database})  # fmt: skip
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def is_built(url: str, scale: Scale) -> bool:
    path = marker(url, scale)
    if not path.exists():
        return False
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            top = conn.scalar(sa.text("SELECT max(id) FROM certificate"))
        engine.dispose()
    except Exception:
        return False
    return top == scale.certificates and json.loads(path.read_text()).get("scale") == scale.name


def ensure(url: str, scale: Scale, rebuild: bool = False, log=print) -> dict:
    """Build the database unless a complete one is there already; returns its description."""
    OUT.mkdir(parents=True, exist_ok=True)
    if url.startswith("postgresql"):
        create_postgres_database(url)
    if not rebuild and is_built(url, scale):
        add_missing_indexes(url)
        return json.loads(marker(url, scale).read_text())
    marker(url, scale).unlink(missing_ok=True)
    if url.startswith("sqlite:///"):
        base = Path(url[len("sqlite:///") :])
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(base) + suffix).unlink(missing_ok=True)
    log(f"building the {scale.name} database at {sa.engine.make_url(url).render_as_string()}")
    counts = build(url, scale, log)
    description = {"scale": scale.name, "labels": scale.labels, "built_at":
                   datetime.now(UTC).isoformat(timespec="seconds"), "counts": counts}  # fmt: skip
    marker(url, scale).write_text(json.dumps(description, indent=2))
    log(f"  built in {counts['seconds']} s: {counts}")
    return description


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="the small database of make bench-quick"
    )
    parser.add_argument("--rebuild", action="store_true", help="build again even if it exists")
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args(argv)
    scale = QUICK if args.quick else FULL
    if args.only != "postgres":
        ensure(sqlite_url(scale), scale, args.rebuild)
    if args.only != "sqlite":
        url = postgres_url(scale)
        if url is None:
            print("DATABASE_URL is not a PostgreSQL URL: skipping PostgreSQL")
        else:
            ensure(url, scale, args.rebuild)


if __name__ == "__main__":
    main()
