"""Fail closed: when OPA is down, slow, or answers nothing usable, every answer is a deny.

Each case attacks the client the way an outage would and asserts the refusal and its
reason ("policy service unavailable: <why>").
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from hub.errors import PermissionDenied, PolicyUnavailable
from hub.policy.client import PolicyClient
from hub.policy.sync import push_catalog

from .conftest import CATALOG, NOW, eventually
from .test_client import EXPORT, REQUEST

UNAVAILABLE = "policy service unavailable: "


def assert_all_denied(client: PolicyClient, why: str) -> None:
    """Every question answered with a deny whose reason starts with UNAVAILABLE and names `why`."""
    access = client.access("carol", now=NOW)
    assert access.allowed == [] and access.refused == {}
    assert access.error.startswith(UNAVAILABLE) and why in access.error

    egress = client.egress(REQUEST, [], now=NOW)
    assert egress.decision == "deny"
    assert egress.reasons[0].startswith(UNAVAILABLE) and why in egress.reasons[0]

    admin = client.admin("policy.view", "sam")
    assert not admin.allow and admin.reasons[0].startswith(UNAVAILABLE)

    release = client.release_ready({**EXPORT, "reviews": [{"reviewer": "rita", "verdict": "approve"}]})
    assert not release and release.reasons[0].startswith(UNAVAILABLE)

    with pytest.raises(PolicyUnavailable, match=UNAVAILABLE):
        client.egress_thresholds(["card_spending"])
    with pytest.raises(PolicyUnavailable, match=UNAVAILABLE):
        client.require_admin("policy.view", "sam")


def test_opa_stopped_mid_test_denies_everything(scratch_opa):
    server = scratch_opa()
    client = PolicyClient(server.url, timeout=1.0)
    # Before: carol may mount two datasets and sam may view the policy.
    assert client.access("carol", now=NOW).allowed == ["air_quality", "card_spending"]
    assert client.admin("policy.view", "sam").allow

    server.stop()

    assert_all_denied(client, "cannot connect to")
    with pytest.raises(PolicyUnavailable, match="catalog push: cannot connect"):
        push_catalog(server.url, CATALOG)


@pytest.fixture
def silent_socket() -> Iterator[str]:
    """A server that accepts connections and never answers (a hung OPA)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def test_slow_opa_times_out_into_deny(silent_socket: str):
    client = PolicyClient(silent_socket, timeout=0.2)
    started = time.monotonic()
    assert_all_denied(client, "no answer from")
    # Six questions, each bounded by the timeout (no retries that multiply the wait).
    assert time.monotonic() - started < 6 * 0.2 + 1.0
    with pytest.raises(PolicyUnavailable, match="no answer from"):
        push_catalog(silent_socket, CATALOG, timeout=0.2)


def test_nothing_listening_denies(unused_url: str = "http://127.0.0.1:9"):
    assert_all_denied(PolicyClient(unused_url, timeout=0.5), "cannot connect to")


def test_undefined_result_denies(scratch_opa, tmp_path):
    """Policies missing from the server: OPA answers 200 without a result."""
    server = scratch_opa()
    for rego in (tmp_path / "policies" / "campus").rglob("*.rego"):
        rego.unlink()
    client = PolicyClient(server.url)
    assert eventually(lambda: client.access("carol", now=NOW).error is not None)
    assert_all_denied(client, "is undefined")


@pytest.mark.parametrize(
    ("rule", "replacement", "why"),
    [
        # a result of the wrong shape
        ("decision := {\n\t\"allowed\": sort(allowed),", 'decision := "everything"\n\nunused := {\n\t"allowed": sort(allowed),', "malformed result"),
        # a result with an extra key
        ('"refused": refused,', '"refused": refused,\n\t"extra": true,', "malformed result"),
    ],
)
def test_malformed_result_denies(scratch_opa, tmp_path, rule, replacement, why):
    server = scratch_opa()
    policy = tmp_path / "policies" / "campus" / "access" / "access.rego"
    text = policy.read_text()
    assert rule in text
    policy.write_text(text.replace(rule, replacement, 1))
    client = PolicyClient(server.url)
    assert eventually(lambda: client.access("carol", now=NOW).error is not None)
    decision = client.access("carol", now=NOW)
    assert decision.allowed == []
    assert decision.error.startswith(UNAVAILABLE + "data.campus.access.decision returned a malformed result")
    assert why in decision.error


def test_policy_error_denies(scratch_opa, tmp_path):
    """A broken policy change that makes OPA fail at evaluation (HTTP 500) is a deny, not an allow."""
    server = scratch_opa()
    policy = tmp_path / "policies" / "campus" / "access" / "access.rego"
    # A second, different value for a complete rule: OPA reports an eval_conflict_error.
    policy.write_text(policy.read_text() + '\ndecision := {"allowed": ["card_spending"], "refused": {}} if input.user == "carol"\n')
    client = PolicyClient(server.url)
    assert eventually(lambda: client.access("carol", now=NOW).error is not None)
    decision = client.access("carol", now=NOW)
    assert decision.allowed == []
    assert decision.error.startswith(UNAVAILABLE + "data.campus.access.decision failed with HTTP 500")


def test_require_admin_distinguishes_refusal_from_outage(client: PolicyClient, silent_socket: str):
    with pytest.raises(PermissionDenied) as refused:
        client.require_admin("dataset.register", "alice")
    assert not isinstance(refused.value, PolicyUnavailable)
    with pytest.raises(PolicyUnavailable):
        PolicyClient(silent_socket, timeout=0.2).require_admin("dataset.register", "sam")
