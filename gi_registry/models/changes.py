"""PostgreSQL tells every app server when a certificate or an authorization changes.

A statement-level trigger on each of the two tables calls pg_notify(CHANNEL, table) in the
transaction that changes it: PostgreSQL delivers the notice to every listening connection when
that transaction commits, and never when it rolls back. The verification pages' row cache
(gi_registry/verify/rowcache.py) listens and empties itself. On SQLite nothing is created (one
machine, and nothing caches there).

The same SQL is in the migration that adds it (e3b1c9a0d7f2); db.create_all() (tests, the bench)
gets it from the tables' after_create events below.
"""

from sqlalchemy import DDL, event

from .authorization import Authorization
from .certificates import Certificate

CHANNEL = "gi_registry_changes"
FUNCTION = "gi_registry_notify_change"
TABLES = ("certificate", "authorization")


def trigger_name(table: str) -> str:
    return f"{table}_notify_change"


CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
    RETURN NULL;
END
$$
"""


def create_trigger(table: str) -> str:
    return (f'CREATE TRIGGER {trigger_name(table)} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
            f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()')  # fmt: skip


for model in (Certificate, Authorization):
    table = model.__table__
    event.listen(table, "after_create", DDL(CREATE_FUNCTION).execute_if(dialect="postgresql"))
    event.listen(table, "after_create",
                 DDL(create_trigger(table.name)).execute_if(dialect="postgresql"))  # fmt: skip
