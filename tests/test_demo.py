"""The demo data that `make run` loads."""

from gi_registry.extensions import db
from gi_registry.models import Application, ApplicationState, Authorization


def test_seed_demo_creates_one_application_in_each_state_once(runner):
    result = runner.invoke(args=["gi", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "reviewer@demo.boshan.gov.cn" in result.output
    states = sorted(db.session.scalars(db.select(Application.state)))
    assert states == sorted(s.value for s in ApplicationState)
    assert db.session.scalar(db.select(db.func.count(Authorization.id))) == 1

    again = runner.invoke(args=["gi", "seed-demo"])
    assert "already present" in again.output
    assert db.session.scalar(db.select(db.func.count(Application.id))) == len(ApplicationState)


def test_demo_audit_chain_is_intact(runner):
    runner.invoke(args=["gi", "seed-demo"])
    result = runner.invoke(args=["gi", "audit-verify"])
    assert result.exit_code == 0
    assert "intact" in result.output
