"""A grant revoked, or a membership removed, while a workspace runs stops it; others run on.

A campus of its own (revoking in the shared test campus would change other tests' grants),
whose hub re-checks grants every 2 s (CAMPUS_GRANT_CHECK_INTERVAL). alice works on the
card_spending grant of project mobility, bob on retail's store_sales; the steward revokes
alice's grant through the catalog service, as `campus project revoke` does.
"""

from __future__ import annotations

import time

import pytest

from hub.catalog.service import open_catalog

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def quick_hub(tmp_path_factory):
    from tests.fixtures.hub import require_sandbox_host, running_campus

    require_sandbox_host()
    with running_campus(tmp_path_factory.mktemp("revocation-campus"), extra_env={"CAMPUS_GRANT_CHECK_INTERVAL": "2"}) as hub:
        yield hub


def withdrawn_events(hub) -> list[dict]:
    return hub.audit_events("workspace.access_withdrawn")


def test_revoked_grant_stops_the_running_workspace_and_only_that_one(quick_hub):
    alice, bob = quick_hub.session("alice"), quick_hub.session("bob")
    assert alice.spawn().status_code < 400 and bob.spawn().status_code < 400
    try:
        time.sleep(6)  # several checks pass while the grants stand
        assert alice.server_state().get("ready") and bob.server_state().get("ready")
        assert withdrawn_events(quick_hub) == []

        with open_catalog(settings=quick_hub.settings) as catalog:
            catalog.revoke("mobility", "card_spending", actor="sam")
        assert alice.wait_until_stopped(), "alice's workspace still runs with a revoked grant"
        assert bob.server_state().get("ready"), "bob's workspace was not touched"
        (event,) = withdrawn_events(quick_hub)
        assert event["actor"] == "alice" and event["project"] == "mobility"
        assert list(event["withdrawn"]) == ["card_spending"]

        # Started again, the workspace has no card_spending any more.
        assert alice.spawn().status_code < 400
        out, error = alice.run("import os; print(sorted(os.listdir('/data')))")
        assert error is None and out.strip() == "[]"

        # Removed from the project, her workspace stops too, though it mounts nothing.
        with open_catalog(settings=quick_hub.settings) as catalog:
            catalog.remove_member("mobility", "alice", actor="sam")
        assert alice.wait_until_stopped(), "alice's workspace still runs for a project she has left"
        last = withdrawn_events(quick_hub)[-1]
        assert last["actor"] == "alice" and last["reason"] == "no longer a member of project mobility"
        assert bob.server_state().get("ready")
    finally:
        alice.stop()
        bob.stop()
