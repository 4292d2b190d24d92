"""Alembic environment: runs migrations on the connection handed over by hub.db.migrate()."""

from alembic import context

import hub.models  # noqa: F401  (registers every table on Base.metadata)
from hub.db import Base, get_engine

connection = context.config.attributes.get("connection")


def _run(conn) -> None:
    context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:  # `alembic` command line: use the campus database from settings
    with get_engine().begin() as conn:
        _run(conn)
