"""Scans per day come from running tallies: every scan is counted exactly once, however often the
dashboard is opened, and the newest scans are counted live."""

import random
import secrets
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from gi_registry.clock import SHANGHAI, local_today
from gi_registry.dashboard import queries
from gi_registry.dashboard.tally import SETTLE, refresh_tallies
from gi_registry.extensions import db
from gi_registry.models.certificates import Scan
from gi_registry.models.dashboard import ScanTally

EXPECTED: Counter = Counter()


def scan_log(count: int) -> None:
    """`count` scans over the last three days, remembered in EXPECTED by Boshan day and kind."""
    now = datetime.now(UTC)
    rows = []
    for _ in range(count):
        at = now - timedelta(minutes=random.randint(0, 3 * 24 * 60))
        kind = random.choice(("certificate", "label"))
        rows.append(dict(kind=kind, target_id=1, at=at, scanner=secrets.token_hex(16)))
        EXPECTED[(at.astimezone(SHANGHAI).date().isoformat(), kind)] += 1
    db.session.execute(insert(Scan), rows)
    db.session.commit()


def shown() -> Counter:
    counted: Counter = Counter()
    for row in queries.scans_per_day(local_today()):
        for kind in ("certificate", "label"):
            if row[kind]:
                counted[(row["day"], kind)] = row[kind]
    return counted


def test_every_scan_counted_once_however_often_the_page_is_opened(app):
    EXPECTED.clear()
    scan_log(1500)
    assert shown() == EXPECTED
    assert shown() == EXPECTED  # a second view tallies nothing twice
    tallied = db.session.scalar(db.select(db.func.sum(ScanTally.count)))
    assert tallied == 1500 - SETTLE  # the newest are still counted live
    scan_log(700)
    assert shown() == EXPECTED
    assert refresh_tallies() == db.session.scalar(db.select(db.func.max(Scan.id))) - SETTLE


def test_a_quiet_registry_is_counted_live(app):
    EXPECTED.clear()
    scan_log(SETTLE // 2)
    assert shown() == EXPECTED
    assert db.session.scalar(db.select(db.func.count()).select_from(ScanTally)) == 0
