"""The catalog re-sync: a restarted OPA gets the database's catalog back, never an older one.

Real OPA servers (one per test, restarted on the same port) and real databases (SQLite and
PostgreSQL through `db_url`); the catalog is written through the catalog service, as the
CLI does.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub import audit
from hub.audit import AuditEvent
from hub.catalog.service import open_catalog, policy_data
from hub.db import session_scope
from hub.policy.client import PolicyClient
from hub.policy.resync import ACTOR, EVENT, CatalogResync, resync_once, run
from hub.policy.server import OpaServer, free_port
from hub.policy.sync import fetch_catalog, push_catalog
from hub.settings import CampusSettings

from .conftest import eventually


class Campus:
    """A campus database and its own OPA server, which a test may restart."""

    def __init__(self, settings: CampusSettings, port: int):
        self.settings = settings
        self.port = port
        self.opa = OpaServer(settings=settings, port=port).start()

    def restart_opa(self) -> None:
        """Stop OPA and start a new one on the same port: it holds no catalog."""
        self.opa.stop()
        self.opa = OpaServer(settings=self.settings, port=self.port).start()

    def held(self):
        return fetch_catalog(self.settings.opa_url, token=self.opa.tokens.catalog)

    def database_catalog(self) -> dict:
        with session_scope(self.settings.db_url) as session:
            return policy_data(session)

    def projects_of(self, user: str) -> list[str]:
        client = PolicyClient(self.settings.opa_url)
        try:
            return client.access(user).projects
        finally:
            client.close()

    def restorations(self) -> list[dict]:
        with session_scope(self.settings.db_url) as session:
            events = session.execute(select(AuditEvent).where(AuditEvent.event == EVENT).order_by(AuditEvent.seq)).scalars()
            return [{"actor": e.actor, **e.details} for e in events]

    def event_count(self) -> int:
        with session_scope(self.settings.db_url) as session:
            return session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


@pytest.fixture
def campus(tmp_path: Path, db_url: str):
    port = free_port()
    settings = CampusSettings.from_env({"CAMPUS_HOME": str(tmp_path / "home"), "CAMPUS_DB_URL": db_url, "CAMPUS_OPA_URL": f"http://127.0.0.1:{port}"})
    running = Campus(settings, port)
    try:
        with open_catalog(settings=settings) as catalog:
            catalog.create_user("sam", ["steward"], actor="operator:test")
            catalog.create_user("alice", ["researcher"], actor="operator:test")
            catalog.create_user("bob", ["researcher"], actor="operator:test")
        with open_catalog(settings=settings) as catalog:
            catalog.create_project("mobility", actor="sam", max_tier="internal")
            catalog.add_member("mobility", "alice", actor="sam")
        yield running
    finally:
        running.opa.stop()


def test_a_restarted_opa_denies_until_one_pass_restores_the_catalog(campus):
    assert campus.projects_of("alice") == ["mobility"]
    campus.restart_opa()
    assert campus.held() is None
    assert campus.projects_of("alice") == []  # no catalog: nobody is a member of anything

    outcome = resync_once(campus.settings)

    assert outcome.action == "pushed" and "held no catalog" in outcome.detail
    assert campus.held() == campus.database_catalog()
    assert campus.projects_of("alice") == ["mobility"]
    assert campus.restorations() == [{"actor": ACTOR, "reason": "absent", "opa_url": campus.settings.opa_url, "audit_seq": 5}]
    with session_scope(campus.settings.db_url) as session:
        assert audit.verify(session).ok


def test_an_opa_holding_the_current_catalog_is_left_alone(campus):
    before = campus.event_count()
    outcome = resync_once(campus.settings)
    assert outcome.action == "in_sync"
    assert campus.event_count() == before  # nothing pushed, nothing audited
    assert campus.held() == campus.database_catalog()


def test_an_opa_holding_another_catalog_gets_the_databases(campus):
    # e.g. a write that pushed and then failed to commit
    stale = campus.database_catalog()
    stale["projects"]["mobility"]["members"] = ["alice", "mallory"]
    push_catalog(campus.settings.opa_url, stale)

    outcome = resync_once(campus.settings)

    assert outcome.action == "pushed" and "differs" in outcome.detail
    assert campus.held()["projects"]["mobility"]["members"] == ["alice"]
    assert [e["reason"] for e in campus.restorations()] == ["differed"]


def test_a_resync_waits_for_a_writer_and_never_pushes_the_older_catalog(campus):
    """The writer pushes its new catalog before committing; a re-sync that read the
    database meanwhile would see the old one and push it back over the new one."""
    outcomes = []
    with open_catalog(settings=campus.settings) as catalog:
        catalog.add_member("mobility", "bob", actor="sam")  # audited, pushed, not committed
        assert campus.held()["projects"]["mobility"]["members"] == ["alice", "bob"]
        resync = threading.Thread(target=lambda: outcomes.append(resync_once(campus.settings)))
        resync.start()
        resync.join(1.5)
        assert resync.is_alive(), "the re-sync must wait for the writer's lock"
    resync.join(30)
    assert not resync.is_alive()
    assert [o.action for o in outcomes] == ["in_sync"]
    assert campus.held()["projects"]["mobility"]["members"] == ["alice", "bob"]
    assert campus.projects_of("bob") == ["mobility"]


def test_a_resync_does_nothing_while_another_transaction_holds_the_audit_head(campus):
    """Whoever holds the lock (a writer, or another re-sync) keeps the re-sync out."""
    campus.restart_opa()
    done = []
    with session_scope(campus.settings.db_url) as session:
        audit.lock_head(session)
        resync = threading.Thread(target=lambda: done.append(resync_once(campus.settings)))
        resync.start()
        resync.join(1.5)
        assert resync.is_alive() and campus.held() is None
    resync.join(30)
    assert [o.action for o in done] == ["pushed"]


def test_opa_down_is_logged_and_retried_without_raising(campus, caplog):
    campus.opa.stop()
    before = campus.event_count()
    resync = CatalogResync(campus.settings, timeout=1.0)
    with caplog.at_level(logging.DEBUG, logger="hub.policy.resync"):
        first, second = resync.once(), resync.once()
    assert first.action == second.action == "failed"
    assert "cannot connect to " + campus.settings.opa_url in first.detail
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, "a repeated failure is logged once at WARNING"
    assert campus.event_count() == before  # the audit event of a failed push is rolled back

    campus.opa = OpaServer(settings=campus.settings, port=campus.port).start()
    with caplog.at_level(logging.INFO, logger="hub.policy.resync"):
        assert resync.once().action == "pushed"
    assert "works again" in caplog.text


def test_a_refused_token_says_so_and_never_logs_it(campus, caplog, monkeypatch, opa_tokens):
    campus.restart_opa()
    # The decision token may ask questions but not read or write the catalog.
    monkeypatch.setenv("CAMPUS_OPA_CATALOG_TOKEN", opa_tokens.decision)
    with caplog.at_level(logging.DEBUG, logger="hub.policy.resync"):
        outcome = resync_once(campus.settings)
    assert outcome.action == "failed"
    assert "refused the campus's credentials (HTTP 401: the token sent was not accepted)" in outcome.detail
    assert opa_tokens.decision not in caplog.text and opa_tokens.catalog not in caplog.text
    assert campus.held() is None


def test_an_unreachable_database_is_logged_and_retried(tmp_path, opa_server, caplog):
    settings = CampusSettings.from_env(
        {"CAMPUS_HOME": str(tmp_path), "CAMPUS_DB_URL": f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none", "CAMPUS_OPA_URL": opa_server.url}
    )
    with caplog.at_level(logging.WARNING, logger="hub.policy.resync"):
        outcome = resync_once(settings)
    assert outcome.action == "failed" and "campus database unavailable: OperationalError" in outcome.detail
    assert "campus database unavailable" in caplog.text


def test_an_empty_database_pushes_nothing(tmp_path, db_url):
    port = free_port()
    settings = CampusSettings.from_env({"CAMPUS_HOME": str(tmp_path / "home"), "CAMPUS_DB_URL": db_url, "CAMPUS_OPA_URL": f"http://127.0.0.1:{port}"})
    with OpaServer(settings=settings, port=port):
        assert resync_once(settings).action == "nothing_to_push"
        assert fetch_catalog(settings.opa_url) is None


def test_the_loop_restores_a_restarted_opa_within_a_tick(campus):
    stop = threading.Event()
    loop = threading.Thread(target=run, args=(campus.settings, 0.2), kwargs={"stop": stop})
    loop.start()
    try:
        campus.restart_opa()
        assert eventually(lambda: campus.projects_of("alice") == ["mobility"], timeout=5.0)
        campus.opa.stop()
        time.sleep(0.5)  # ticks against a stopped OPA: logged, the loop goes on
        campus.opa = OpaServer(settings=campus.settings, port=campus.port).start()
        assert eventually(lambda: campus.projects_of("alice") == ["mobility"], timeout=5.0)
        assert loop.is_alive()
    finally:
        stop.set()
        loop.join(5)
    assert [e["reason"] for e in campus.restorations()] == ["absent", "absent"]


def test_the_command_line_runs_one_pass(campus):
    campus.restart_opa()
    env = {**os.environ, "CAMPUS_HOME": str(campus.settings.home), "CAMPUS_DB_URL": campus.settings.db_url, "CAMPUS_OPA_URL": campus.settings.opa_url}
    proc = subprocess.run([sys.executable, "-m", "hub.policy.resync", "--once"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("pushed: OPA at ")
    assert campus.projects_of("alice") == ["mobility"]

    campus.opa.stop()
    proc = subprocess.run([sys.executable, "-m", "hub.policy.resync", "--once"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "cannot connect" in proc.stdout


def test_the_hub_service_gets_the_campus_and_the_catalog_token_only():
    from traitlets.config import Config

    from hub.policy.hubconfig import configure_resync

    environ = {
        "CAMPUS_HOME": "/srv/campus", "CAMPUS_DB_URL": "sqlite:////srv/campus/campus.db", "CAMPUS_OPA_URL": "http://127.0.0.1:8181",
        "CAMPUS_OPA_CATALOG_TOKEN": "k" * 43, "CAMPUS_OPA_TOKEN": "d" * 43, "CONFIGPROXY_AUTH_TOKEN": "p" * 43, "PATH": "/usr/bin",
    }  # fmt: skip
    c = Config()
    c.JupyterHub.services = [{"name": "campus", "url": "http://127.0.0.1:10101"}]
    configure_resync(c, environ, every=3)
    configure_resync(c, environ, every=3)  # idempotent: one entry
    assert [s["name"] for s in c.JupyterHub.services] == ["campus", "catalog-resync"]
    service = c.JupyterHub.services[1]
    assert service["command"] == [sys.executable, "-m", "hub.policy.resync", "--every", "3"]
    assert set(service["environment"]) == {"CAMPUS_HOME", "CAMPUS_DB_URL", "CAMPUS_OPA_URL", "CAMPUS_OPA_CATALOG_TOKEN", "PATH"}
