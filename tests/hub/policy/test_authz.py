"""OPA's REST API demands the campus's tokens: attacks on a real server, each must fail.

A process that can reach OPA but holds no token (or a wrong one, or only the decision
token) tries to grant itself a dataset by rewriting the catalog, to read the catalog, to
ask for decisions, to replace policies. Each attempt gets 401 and changes nothing; with
the right token everything works as before.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import httpx
import pytest

from hub.errors import PolicyUnavailable
from hub.policy.client import PolicyClient
from hub.policy.server import OpaServer, free_port
from hub.policy.sync import push_catalog
from hub.policy.tokens import ENV, read_token, token_path
from hub.settings import CampusSettings
from tests.fixtures.opa import opa_headers

from .conftest import CATALOG, NOW

WRONG = "w" * 43
# alice made steward, and granted card_spending through a project of her own.
EVIL_CATALOG = {
    **CATALOG,
    "projects": {**CATALOG["projects"], "evil": {"max_tier": "restricted", "members": ["alice"], "grants": {"card_spending": {"expires_at": None}}}},
    "users": {**CATALOG["users"], "alice": {"roles": ["researcher", "steward"]}},
}
QUESTION = {"input": {"user": "carol", "now": "2026-06-01T00:00:00Z"}}


def presenting(token: str | None) -> dict[str, str]:
    """The header for `token`: none for None, a bare scheme for "" (an HTTP client will not send a trailing space)."""
    if token is None:
        return {}
    return opa_headers(token) if token else {"Authorization": "Bearer"}


def catalog_in(server: OpaServer) -> dict:
    answer = httpx.get(f"{server.url}/v1/data/campus/catalog", headers=opa_headers(server.tokens.catalog))
    assert answer.status_code == 200
    return answer.json()["result"]


@pytest.fixture
def server(scratch_opa) -> OpaServer:
    """An OPA of this test's own (the attacks write), holding CATALOG."""
    return scratch_opa()


@pytest.mark.parametrize("who", ["anonymous", "wrong", "empty", "decision"])
def test_catalog_cannot_be_rewritten_without_the_catalog_token(server: OpaServer, who):
    token = {"anonymous": None, "wrong": WRONG, "empty": "", "decision": server.tokens.decision}[who]
    for method in ("PUT", "PATCH", "DELETE"):
        body = [{"op": "add", "path": "/users/alice/roles/-", "value": "steward"}] if method == "PATCH" else EVIL_CATALOG
        answer = httpx.request(method, f"{server.url}/v1/data/campus/catalog", json=body if method != "DELETE" else None, headers=presenting(token))
        assert answer.status_code == 401, (method, answer.text)
    assert catalog_in(server) == CATALOG
    assert PolicyClient(server.url).access("alice", now=NOW).allowed == ["bike_trips"]


@pytest.mark.parametrize("who", ["anonymous", "wrong"])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/data", None),
        ("GET", "/v1/data/campus/catalog", None),
        ("POST", "/v1/data/campus/access/decision", QUESTION),
        ("POST", "/v1/data/campus/admin/decision", {"input": {"action": "dataset.register", "actor": "sam"}}),
        ("POST", "/v1/query", {"query": "data.campus.catalog"}),
        ("GET", "/v1/policies", None),
        ("GET", "/v1/config", None),
    ],
)
def test_nothing_is_read_or_asked_without_a_token(opa_server: OpaServer, who, method, path, body):
    answer = httpx.request(method, opa_server.url + path, json=body, headers=presenting(WRONG if who == "wrong" else None))
    assert answer.status_code == 401
    assert "result" not in answer.json()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/data", None),
        ("GET", "/v1/data/campus/catalog", None),
        ("POST", "/v1/data/campus/catalog", {}),
        ("POST", "/v1/data/campus/access", QUESTION),
        ("POST", "/v1/query", {"query": "data.campus.catalog"}),
        ("DELETE", "/v1/policies/campus/access/access.rego", None),
    ],
)
def test_decision_token_asks_the_campus_questions_only(opa_server: OpaServer, method, path, body):
    answer = httpx.request(method, opa_server.url + path, json=body, headers=opa_headers(opa_server.tokens.decision))
    assert answer.status_code == 401


def test_with_the_tokens_everything_works_as_before(server: OpaServer):
    asked = httpx.post(f"{server.url}/v1/data/campus/access/decision", json=QUESTION, headers=opa_headers(server.tokens.decision))
    assert asked.status_code == 200 and asked.json()["result"]["allowed"] == ["air_quality", "card_spending"]
    push_catalog(server.url, EVIL_CATALOG, token=server.tokens.catalog)
    assert catalog_in(server) == EVIL_CATALOG
    assert PolicyClient(server.url, token=server.tokens.decision).access("alice", now=NOW).allowed == ["bike_trips", "card_spending"]


def test_health_stays_open_for_probes(opa_server: OpaServer):
    assert httpx.get(f"{opa_server.url}/health").status_code == 200


@pytest.mark.parametrize(("token", "why"), [(WRONG, "the token sent was not accepted"), ("", "no token was sent")])
def test_client_with_refused_credentials_denies_everything_and_says_why(client: PolicyClient, opa_server: OpaServer, token, why):
    from .test_fail_closed import assert_all_denied

    refused = PolicyClient(opa_server.url, token=token)
    assert_all_denied(refused, "the policy service refused the campus's credentials (HTTP 401: " + why)
    if token:
        assert token not in refused.access("carol", now=NOW).error
    # The same question with the campus's token is answered.
    assert client.access("carol", now=NOW).allowed == ["air_quality", "card_spending"]


@pytest.mark.parametrize("which", ["wrong", "decision", "none"])
def test_push_with_refused_credentials_raises_and_changes_nothing(server: OpaServer, which):
    token = {"wrong": WRONG, "decision": server.tokens.decision, "none": ""}[which]
    with pytest.raises(PolicyUnavailable, match="^policy service unavailable: catalog push to .*refused the campus's credentials"):
        push_catalog(server.url, EVIL_CATALOG, token=token)
    assert catalog_in(server) == CATALOG


def test_tokens_are_in_no_log_and_on_no_command_line(server: OpaServer):
    PolicyClient(server.url).access("carol", now=NOW)
    httpx.get(f"{server.url}/v1/data", headers=opa_headers(server.tokens.catalog))
    log = server.log_path.read_text()
    command = Path(f"/proc/{server.pid}/cmdline").read_bytes().decode()
    for token in (server.tokens.decision, server.tokens.catalog):
        assert token not in log and token not in command
    assert "Decision Log" in log  # the log was written: the check above looked at something
    # OPA's environment (readable by policies through opa.runtime()) is the two tokens only.
    environ = dict(v.split("=", 1) for v in Path(f"/proc/{server.pid}/environ").read_bytes().decode().split("\0") if v)
    assert sorted(environ) == sorted(ENV.values())


def test_first_start_creates_private_token_files_and_reuses_them(tmp_path, monkeypatch):
    """Without the variables, the campus makes its tokens at OPA's first start, under $CAMPUS_HOME/secrets/."""
    for name in ENV.values():
        monkeypatch.delenv(name)
    settings = CampusSettings.from_env({"CAMPUS_HOME": str(tmp_path)})
    assert read_token(settings, "decision") is None
    server = OpaServer(settings=settings, port=free_port(), watch=False)
    with server:
        first = server.tokens
        for kind in ("decision", "catalog"):
            path = token_path(settings, kind)
            assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.stat().st_uid == os.geteuid()
            assert read_token(settings, kind) == getattr(first, kind)
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert first.decision != first.catalog and len(first.decision) >= 32
        assert repr(first).count(first.decision) == 0
        # The campus's own clients find them there; a client without them is refused.
        push_catalog(server.url, CATALOG, token=read_token(settings, "catalog"))
        campus = settings.model_copy(update={"opa_url": server.url})
        assert PolicyClient.for_campus(campus).access("carol", now=NOW).allowed == ["air_quality", "card_spending"]
        assert PolicyClient(server.url, token="").access("carol", now=NOW).error is not None
    with server:
        assert server.tokens == first
