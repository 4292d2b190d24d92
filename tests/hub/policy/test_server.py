"""OpaServer: the pinned OPA serving policies/ on loopback, hot reload, decision logs, hardening."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx
import pytest

from hub.policy.client import PolicyClient
from hub.policy.server import OpaServer, OpaServerError, opa_command
from hub.settings import CampusSettings

from tests.fixtures.opa import opa_headers

from .conftest import NOW, eventually


def test_command_is_pinned():
    assert opa_command(binary=Path("/b/opa"), policies=Path("/p"), addr="127.0.0.1:8181", watch=True) == [
        "/b/opa", "run", "--server", "--addr", "127.0.0.1:8181",
        "--authentication=token", "--authorization=basic",
        "--bundle", "/p", "--ignore", "*_test.rego",
        "--skip-version-check", "--log-format", "json", "--log-level", "info",
        "--set", "decision_logs.console=true", "--watch",
    ]  # fmt: skip


def test_port_comes_from_the_configured_url(tmp_path):
    settings = CampusSettings.from_env({"CAMPUS_HOME": str(tmp_path), "CAMPUS_OPA_URL": "http://127.0.0.1:8299"})
    server = OpaServer(settings=settings)
    assert (server.url, server.log_path) == ("http://127.0.0.1:8299", tmp_path / "run" / "opa.log")


def test_session_server_is_healthy(opa_server: OpaServer):
    assert opa_server.running()
    assert httpx.get(f"{opa_server.url}/health").status_code == 200


def test_changed_policy_takes_effect_without_restart(scratch_opa, tmp_path):
    server = scratch_opa()
    pid = server.pid
    client = PolicyClient(server.url)
    assert client.access("alice", now=NOW).allowed == ["bike_trips"]

    # A steward changes a rule: refusals now carry a prefix...
    policy = tmp_path / "policies" / "campus" / "access" / "access.rego"
    policy.write_text(policy.read_text().replace('"dataset tier %s is above', '"policy v2: dataset tier %s is above'))
    assert eventually(lambda: client.access("alice", now=NOW).refused.get("card_spending", "").startswith("policy v2: "))
    # ...and retires the tier "internal" (policy data).
    ranks = tmp_path / "policies" / "campus" / "access" / "data.json"
    ranks.write_text(json.dumps({"tier_rank": {"public": 0, "confidential": 2, "restricted": 3}}))
    assert eventually(lambda: client.access("alice", now=NOW).allowed == [])

    # Same process, and the catalog pushed before the reload is still there.
    assert server.pid == pid and server.running()
    users = httpx.get(f"{server.url}/v1/data/campus/catalog/users", headers=opa_headers(server.tokens.catalog))
    assert "alice" in users.json()["result"]


def test_broken_edit_keeps_the_last_good_policy(scratch_opa, tmp_path):
    server = scratch_opa()
    client = PolicyClient(server.url)
    policy = tmp_path / "policies" / "campus" / "access" / "access.rego"
    policy.write_text(policy.read_text() + "\nthis is not rego\n")

    def reload_failed() -> bool:
        entries = [json.loads(line) for line in server.log_path.read_text().splitlines() if line.startswith("{")]
        return any(e.get("msg") == "Processed file watch event." and e.get("err") for e in entries)

    assert eventually(reload_failed)
    assert client.access("alice", now=NOW).allowed == ["bike_trips"]


def test_decisions_are_logged(scratch_opa):
    server = scratch_opa()
    PolicyClient(server.url).access("decision-log-probe", now=NOW)

    def logged() -> list[dict]:
        entries = [json.loads(line) for line in server.log_path.read_text().splitlines() if line.startswith("{")]
        return [e for e in entries if e.get("msg") == "Decision Log" and e.get("input", {}).get("user") == "decision-log-probe"]

    assert eventually(lambda: len(logged()) == 1)
    entry = logged()[0]
    assert entry["path"] == "campus/access/decision"
    assert entry["decision_id"]
    assert {key: entry["result"][key] for key in ("allowed", "refused", "projects")} == {"allowed": [], "refused": {}, "projects": []}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        # overriding the tier ranks the access policy reads
        ("PUT", "/v1/data/campus/access/tier_rank", {"public": 9, "internal": 9, "confidential": 9, "restricted": 9}),
        # replacing the ACRO defaults the egress policy falls back to
        ("PUT", "/v1/data/campus/egress/acro_defaults", {"min_cell_count": 1}),
        # granting every role every action
        ("PATCH", "/v1/data/campus/admin", [{"op": "add", "path": "/action_roles/export.approve/-", "value": "researcher"}]),
    ],
)
def test_policy_data_cannot_be_overwritten_through_the_api(opa_server: OpaServer, client: PolicyClient, method, path, body):
    # Not anonymously, and not even with the catalog token (system.authz; the bundle's
    # roots would refuse it next).
    for headers in ({}, opa_headers(opa_server.tokens.catalog)):
        answer = httpx.request(method, opa_server.url + path, json=body, headers=headers)
        assert answer.status_code == 401
    assert client.access("alice", now=NOW).allowed == ["bike_trips"]


def test_policy_cannot_be_replaced_through_the_api(opa_server: OpaServer, client: PolicyClient):
    evil = 'package campus.access\n\nallowed contains "card_spending"\n'
    for token in ("", opa_server.tokens.decision, opa_server.tokens.catalog):
        headers = {"Content-Type": "text/plain", **(opa_headers(token) if token else {})}
        answer = httpx.put(f"{opa_server.url}/v1/policies/evil", content=evil, headers=headers)
        assert answer.status_code == 401
    assert "card_spending" not in client.access("alice", now=NOW).allowed


def test_listens_on_loopback_only(opa_server: OpaServer):
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing address
        address = probe.getsockname()[0]
    except OSError:
        pytest.skip("no non-loopback address on this machine")
    finally:
        probe.close()
    if address.startswith("127."):
        pytest.skip("no non-loopback address on this machine")
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://{address}:{opa_server.port}/health", timeout=1.0)


def test_bad_policy_fails_start_with_the_reason(tmp_path):
    (tmp_path / "policies" / "campus").mkdir(parents=True)
    (tmp_path / "policies" / "campus" / "broken.rego").write_text("package campus.access\n\nallow if {\n")
    settings = CampusSettings.from_env({"CAMPUS_HOME": str(tmp_path / "home")})
    server = OpaServer(settings=settings, port=0, policies=tmp_path / "policies")
    with pytest.raises(OpaServerError, match="broken.rego"):
        server.start(timeout=10)
    assert not server.running()


def test_missing_binary_is_one_clear_error(tmp_path):
    settings = CampusSettings.from_env({"CAMPUS_HOME": str(tmp_path), "CAMPUS_BIN_DIR": str(tmp_path / "nobin")})
    with pytest.raises(OpaServerError, match="make tools"):
        OpaServer(settings=settings).start()


def test_stop_is_idempotent(scratch_opa):
    server = scratch_opa()
    server.stop()
    server.stop()
    assert not server.running()
