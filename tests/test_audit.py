"""The hash-chained audit log: entries for every change, tamper detection, browsing."""

from sqlalchemy import update

from gi_registry.audit.services import verify_chain
from gi_registry.extensions import db
from gi_registry.models import AuditEntry, Role

from . import helpers


def make_history():
    reviewer = helpers.make_user(Role.REVIEWER)
    helpers.make_application(helpers.make_producer(), "returned", reviewer=reviewer)
    return db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()


def test_entries_record_actor_time_object_action_before_after_and_grounds(app):
    entries = make_history()
    returned = next(e for e in entries if e.action == "application.return")
    assert returned.actor.has_role(Role.REVIEWER)
    assert returned.at.tzinfo is not None
    assert returned.object_type == "application"
    assert returned.before == {"state": "submitted"} and returned.after == {"state": "returned"}
    assert returned.grounds
    assert all(e.prev_hash == p.hash for p, e in zip(entries, entries[1:], strict=False))


def test_the_chain_verifies_and_an_edited_entry_is_found(app, runner):
    entries = make_history()
    assert verify_chain() == (len(entries), None)
    target = entries[len(entries) // 2]
    db.session.execute(update(AuditEntry).where(AuditEntry.id == target.id)
                       .values(grounds="nothing to see here"))  # fmt: skip
    db.session.commit()
    db.session.expire_all()
    result = runner.invoke(args=["gi", "audit-verify"])
    assert result.exit_code == 1
    assert f"entry {target.id}" in result.output


def test_a_deleted_entry_breaks_the_next_link(app):
    entries = make_history()
    db.session.execute(db.delete(AuditEntry).where(AuditEntry.id == entries[2].id))
    db.session.commit()
    checked, broken = verify_chain()
    assert broken.entry_id == entries[3].id and checked == 2


def test_officials_browse_and_filter_the_log(client, login):
    make_history()
    login(helpers.make_user(Role.ADMIN))
    page = client.get("/audit/?action=application.return").get_data(as_text=True)
    assert "application.return" in page and "application.submit" not in page
    assert client.get("/audit/?since=2000-01-01&until=bad-date").status_code == 200
