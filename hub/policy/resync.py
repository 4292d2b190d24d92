"""Put the catalog back into OPA when OPA lost it (a restart) or holds another one.

OPA keeps the pushed catalog (data.campus.catalog) in memory only: a restarted OPA has
none, and every decision denies until the catalog is pushed again. `CatalogResync.once()`
compares what OPA holds with the catalog in the database and, if they differ, pushes the
database's and records a `policy.catalog_restored` audit event. `run()` does that every
few seconds; the hub runs it as a managed service (hub/policy/hubconfig.py), on one
machine and on Kubernetes alike:

    python -m hub.policy.resync [--every SECONDS] [--once]

Never a stale catalog over a newer one: the comparison and the push happen while holding
the lock that every catalog writer holds from its audit event to its commit, and so
across its own push (the audit head row: SELECT ... FOR UPDATE on PostgreSQL, the
database's write lock from BEGIN IMMEDIATE on SQLite; `hub.audit.chain.lock_head`).
While the re-sync holds it, no writer is between its push and its commit, so the
committed catalog it reads is the newest there is; a writer waiting for the lock pushes
its newer catalog after the re-sync is done. The lock is held for one GET (and at most one
PUT) to OPA, so `timeout` bounds how long a writer can wait for it.

The whole document is compared, not a revision number: the audit head's seq moves with
every audit event (exports, workspaces, this module's own event), so it cannot tell
whether OPA's catalog is current; the document can. A catalog pushed by a write that then
failed to commit is replaced too.

Failures (database or OPA unreachable, a token OPA refuses) are logged and retried on the
next tick; nothing here raises out of the loop. Tokens are never logged.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.exc import SQLAlchemyError

from hub import audit
from hub.errors import PolicyUnavailable
from hub.settings import CampusSettings, get_settings

log = logging.getLogger(__name__)

ACTOR = "catalog-resync"
EVENT = "policy.catalog_restored"
# How often the hub's service checks OPA: the longest a restarted OPA denies everything.
DEFAULT_EVERY = 10.0

Action = Literal["in_sync", "pushed", "nothing_to_push", "failed"]


@dataclass(frozen=True)
class Outcome:
    """What one pass did; `detail` says why, in words (never a token)."""

    action: Action
    detail: str = ""


class CatalogResync:
    """Compares OPA's catalog with the database's and pushes the latter when they differ.

    Keeps the last failure so that a failure repeated every tick is logged once at
    WARNING (then at DEBUG), and the recovery at INFO.
    """

    def __init__(self, settings: CampusSettings, *, timeout: float = 5.0):
        self.settings = settings
        self.timeout = timeout
        self._last_failure: str | None = None

    def once(self) -> Outcome:
        """One pass; never raises for a database or OPA failure (the outcome says `failed`)."""
        try:
            outcome = self._compare_and_push()
        except PolicyUnavailable as exc:
            return self._failed(str(exc))
        except SQLAlchemyError as exc:
            # The first line only: SQLAlchemy appends the statement and a link.
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            return self._failed(f"campus database unavailable: {type(exc).__name__}: {first}")
        if self._last_failure is not None:
            log.info("catalog re-sync works again (%s)", outcome.action)
            self._last_failure = None
        return outcome

    def _compare_and_push(self) -> Outcome:
        from hub.catalog.service import policy_data
        from hub.db import session_scope
        from hub.policy.sync import fetch_catalog, push_catalog
        from hub.policy.tokens import read_token

        url = self.settings.opa_url
        # Read at each pass: on one machine the token file appears when OPA first starts.
        token = read_token(self.settings, "catalog") or ""
        with session_scope(self.settings.db_url) as session:
            head = audit.lock_head(session)
            if head is None:
                # No audit event yet, so no catalog write ever: there is nothing to restore,
                # and (PostgreSQL) no row to lock, so a push here could race the first write.
                return Outcome("nothing_to_push", "the database holds no catalog change yet")
            wanted = policy_data(session)
            held = fetch_catalog(url, self.timeout, token=token)
            if held == wanted:
                return Outcome("in_sync")
            reason = "absent" if held is None else "differed"
            # Audit first, in the same transaction: if the push fails, the event is rolled back.
            audit.record(session, EVENT, ACTOR, details={"reason": reason, "opa_url": url, "audit_seq": head.last_seq})
            push_catalog(url, wanted, self.timeout, token=token)
            summary = f"{len(wanted['datasets'])} datasets, {len(wanted['projects'])} projects, {len(wanted['users'])} users"
            if held is None:
                detail = f"OPA at {url} held no catalog (restarted?); pushed the database's ({summary})"
            else:
                detail = f"OPA at {url} held a catalog that differs from the database's; pushed the database's ({summary})"
            log.warning("%s", detail)
        return Outcome("pushed", detail)

    def _failed(self, why: str) -> Outcome:
        detail = f"catalog re-sync failed, will retry: {why}"
        log.log(logging.DEBUG if why == self._last_failure else logging.WARNING, "%s", detail)
        self._last_failure = why
        return Outcome("failed", detail)


def resync_once(settings: CampusSettings | None = None, *, timeout: float = 5.0) -> Outcome:
    """One re-sync pass for `settings`' campus (default: this process's)."""
    return CatalogResync(settings or get_settings(), timeout=timeout).once()


def run(settings: CampusSettings, every: float = DEFAULT_EVERY, *, stop: threading.Event | None = None) -> None:
    """Re-sync every `every` seconds until `stop` is set (forever by default)."""
    stop = stop or threading.Event()
    resync = CatalogResync(settings, timeout=min(5.0, every))
    log.info("catalog re-sync of OPA at %s every %g s", settings.opa_url, every)
    while True:
        try:
            resync.once()
        except Exception:  # a bug must not end the loop: the next tick may still restore OPA
            log.exception("catalog re-sync pass failed unexpectedly")
        if stop.wait(every):
            return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub.policy.resync", description="Restore the catalog in OPA after OPA lost it.")
    parser.add_argument("--every", type=float, default=DEFAULT_EVERY, help=f"seconds between checks (default {DEFAULT_EVERY:g})")
    parser.add_argument("--once", action="store_true", help="one pass; exit code 1 if it failed")
    args = parser.parse_args(argv)
    if args.every <= 0:
        parser.error("--every must be positive")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    if args.once:
        outcome = resync_once(settings)
        print(f"{outcome.action}{': ' + outcome.detail if outcome.detail else ''}")
        return 1 if outcome.action == "failed" else 0
    try:
        run(settings, args.every)
    except KeyboardInterrupt:  # the hub stops its managed services with SIGINT first
        log.info("catalog re-sync stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
