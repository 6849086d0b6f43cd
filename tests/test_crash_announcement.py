"""A process killed in the middle of publishing an announcement leaves nothing half-made.

(Label batches have the same test in test_labels_crash.py.)
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from gi_registry.audit.services import verify_chain
from gi_registry.extensions import db
from gi_registry.models import AuditEntry, Role, User
from gi_registry.models.registry import Announcement, AnnouncementEntry
from gi_registry.registry.announcements import publish_announcement

from . import helpers

ROOT = Path(__file__).resolve().parent.parent
# Publishes, and stops for good once the announcement, its rows and its audit entries are
# written but not committed: the parent kills it there.
CHILD = """
import sys
from pathlib import Path
from gi_registry import create_app
from gi_registry.extensions import db
from gi_registry.models import User
from gi_registry.registry import announcements
from tests import helpers

app = create_app(helpers.test_config(sys.argv[3], Path(sys.argv[4])))
audit = announcements.audit_publication

def audit_then_stall(announcement, actor):
    audit(announcement, actor)
    db.session.flush()
    print("MIDWAY", announcement.number, flush=True)
    sys.stdin.readline()

announcements.audit_publication = audit_then_stall
with app.app_context():
    actor = db.session.get(User, int(sys.argv[2]))
    announcements.publish_announcement("approval", [int(sys.argv[1])], actor)
"""


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_publisher_killed_midway_leaves_no_announcement_and_no_gap(app, database_url, tmp_path):
    reviewer, approver = helpers.make_user(Role.REVIEWER), helpers.make_user(Role.APPROVER)
    producer = helpers.make_producer()
    authorization = helpers.make_application(producer, "approved", reviewer, approver).authorization
    authorization_id, approver_id, entries = authorization.id, approver.id, count(AuditEntry)
    db.session.remove()

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(authorization_id), str(approver_id), database_url,
         str(tmp_path / "child")],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    seen = []
    for line in child.stdout:
        seen.append(line)
        if line.startswith("MIDWAY"):
            break
    assert seen and seen[-1].startswith("MIDWAY"), "".join(seen)
    number = seen[-1].split()[1]
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=60)
    child.stdout.close()
    child.stdin.close()

    assert count(Announcement) == 0 and count(AnnouncementEntry) == 0
    assert count(AuditEntry) == entries
    assert verify_chain()[1] is None
    # The number was never published, so the next announcement takes it: no gap in the series.
    approver = db.session.get(User, approver_id)
    announcement = publish_announcement("approval", [authorization_id], approver)
    assert announcement.number == number
    assert [e.authorization_id for e in announcement.entries] == [authorization_id]
    assert verify_chain()[1] is None
