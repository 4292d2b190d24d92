"""Shared pieces of the policy tests: a known catalog, and throw-away OPA servers.

The session OPA server (tests/fixtures/opa.py) is shared with other tests, so each test
here pushes CATALOG before asking. Tests that stop, break or edit a server get their own
(`scratch_opa`), serving a temporary copy of policies/.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.policy.client import PolicyClient
from hub.policy.server import POLICIES_DIR, OpaServer, free_port
from hub.policy.sync import push_catalog
from hub.settings import CampusSettings

NOW = datetime(2026, 6, 1, tzinfo=UTC)

CATALOG = {
    "datasets": {
        "card_spending": {
            "tier": "restricted",
            "two_person_review": True,
            "disclosure": {"min_cell_count": 10, "dominance_n": 2, "dominance_k": 0.9, "p_ratio": 0.1, "zeros_disclosive": False, "max_row_fraction": 0.5},
            "columns": {"holder_id": "direct_identifier"},
            "row_count": 5000,
        },
        "bike_trips": {
            "tier": "internal",
            "two_person_review": False,
            "disclosure": {"min_cell_count": 25, "dominance_n": 3, "dominance_k": 0.8, "p_ratio": 0.05, "zeros_disclosive": True, "max_row_fraction": 0.2},
            "columns": {},
            "row_count": 100,
        },
        "air_quality": {"tier": "public", "two_person_review": False, "disclosure": {}, "columns": {}, "row_count": 10},
    },
    "projects": {
        "mobility": {
            "max_tier": "internal",
            "members": ["alice", "bob"],
            "grants": {
                "bike_trips": {"expires_at": "2027-01-01T00:00:00.000000Z"},
                "air_quality": {"expires_at": "2026-01-01T00:00:00Z"},
                "card_spending": {"expires_at": "2027-01-01T00:00:00Z"},
            },
        },
        "spending": {
            "max_tier": "restricted",
            "members": ["carol"],
            "grants": {"card_spending": {"expires_at": None}, "air_quality": {"expires_at": "2027-01-01T00:00:00Z"}},
        },
    },
    "users": {
        "alice": {"roles": ["researcher"]},
        "bob": {"roles": ["researcher"]},
        "carol": {"roles": ["researcher"]},
        "sam": {"roles": ["steward"]},
        "rita": {"roles": ["reviewer"]},
        "ray": {"roles": ["reviewer"]},
        "rex": {"roles": ["reviewer", "researcher"]},
    },
}


@pytest.fixture
def client(opa_server: OpaServer, policy_client: PolicyClient) -> PolicyClient:
    """A client of the session OPA server, which holds CATALOG."""
    push_catalog(opa_server.url, CATALOG)
    return policy_client


@pytest.fixture
def scratch_opa(tmp_path: Path) -> Iterator[Callable[..., OpaServer]]:
    """Start an OPA server of one's own on a copy of policies/ (tmp_path/policies)."""
    started: list[OpaServer] = []

    def start(**kwargs) -> OpaServer:
        policies = tmp_path / "policies"
        if not policies.exists():
            shutil.copytree(POLICIES_DIR, policies)
        settings = CampusSettings.from_env({"CAMPUS_HOME": str(tmp_path / "home")})
        server = OpaServer(settings=settings, port=free_port(), policies=policies, **kwargs)
        started.append(server)
        server.start()
        push_catalog(server.url, CATALOG)
        return server

    yield start
    for server in started:
        server.stop()


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll `check` until it holds (OPA's file watch reloads asynchronously)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()
