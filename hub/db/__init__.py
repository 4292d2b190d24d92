"""The campus database: one SQLAlchemy engine per URL, sessions, and schema migrations.

SQLite file by default, PostgreSQL when CAMPUS_DB_URL points to one. Every state change
and its audit event are written in one transaction (`session_scope`). The schema is owned
by Alembic (hub/db/migrations); `migrate()` brings a database to the newest revision and
is run by every entry point before it touches the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from hub.settings import get_settings

MIGRATIONS = Path(__file__).parent / "migrations"


class Base(DeclarativeBase):
    """Declarative base of every campus table."""


def _sqlite_serial_writes(engine: Engine) -> None:
    # pysqlite opens transactions lazily, so two writers can both read the audit head and
    # then fail to upgrade their locks. BEGIN IMMEDIATE takes the write lock up front: the
    # second writer waits (busy timeout) instead of failing or forking the hash chain.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
        dbapi_connection.execute("PRAGMA busy_timeout=30000")

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def get_engine(url: str | None = None) -> Engine:
    """The engine for `url` (default: the campus database from settings), created once."""
    # Resolve the default before the cache: settings come from the environment, which
    # tests (and `campus` subcommands) change between calls.
    return _engine_for(url or get_settings().db_url)


@lru_cache(maxsize=32)
def _engine_for(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        _sqlite_serial_writes(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error (nothing half-written)."""
    factory = sessionmaker(bind=get_engine(url), expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def migrate(url: str | None = None) -> None:
    """Upgrade the database at `url` to the newest schema revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
