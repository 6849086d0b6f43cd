"""Gap-tolerant, never-reused counters, safe under concurrent writers on SQLite and PostgreSQL."""

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db
from .models import Counter


def next_value(name: str) -> int:
    """Increment the named counter inside the caller's transaction and return the new value."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(Counter).values(name=name, value=0).on_conflict_do_nothing())
    # A single UPDATE ... RETURNING takes the row lock (PostgreSQL) or the write lock (SQLite),
    # so two transactions can never read the same value.
    return db.session.execute(
        update(Counter)
        .where(Counter.name == name)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    ).scalar_one()
