"""change notices for the verification cache (PostgreSQL only)

Statement-level triggers on certificate and authorization NOTIFY the channel
gi_registry_changes (see gi_registry/models/changes.py); SQLite gets nothing.

Revision ID: e3b1c9a0d7f2
Revises: 37f6f5d03352
Create Date: 2026-11-26 03:55:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "e3b1c9a0d7f2"
down_revision = "37f6f5d03352"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION gi_registry_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gi_registry_changes', TG_TABLE_NAME);
    RETURN NULL;
END
$$
"""
TABLES = ("certificate", "authorization")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION gi_registry_notify_change()'
        )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f'DROP TRIGGER IF EXISTS {table}_notify_change ON "{table}"')
    op.execute("DROP FUNCTION IF EXISTS gi_registry_notify_change()")
