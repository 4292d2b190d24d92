"""The campus API over its two surfaces: the workspace socket can submit and read, never
download or review; the web surface downloads released files for their author only."""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.egress_guard.corpus.cases import AGGREGATES
from tests.egress_guard.corpus.workspace import Workspace, csv


@pytest.fixture(scope="module")
def workspace(egress_campus):
    from hub.db import session_scope
    from hub.egress.service import guard_catalog

    with session_scope(egress_campus.settings.db_url) as session:
        return Workspace(guard_catalog(session, egress_campus.settings))


def socket_client(api, token="tok-alice"):
    return httpx.Client(transport=httpx.HTTPTransport(uds=str(api.socket)), base_url="http://campus", headers={"Authorization": f"token {token}"}, timeout=60)


def body(workspace, key="card_by_district"):
    workspace.log.clear()
    frame = workspace.sql(AGGREGATES[key])
    return {"reason": "paper", "files": [{"name": f"{key}.csv", "content_base64": base64.b64encode(csv(frame)).decode()}], "provenance": list(workspace.log)}


def test_submit_over_the_socket_then_download_on_the_web_surface_only(campus_api, workspace):
    with socket_client(campus_api) as client:
        answer = client.post("/api/exports", json=body(workspace))
        assert answer.status_code == 201, answer.text
        request_id = answer.json()["id"]
        assert answer.json()["state"] == "released"
        assert client.get(f"/api/exports/{request_id}").json()["state"] == "released"
        assert request_id in [r["id"] for r in client.get("/api/exports").json()["exports"]]
        # The workspace surface has no download and no review routes.
        assert client.get(f"/api/exports/{request_id}/files/card_by_district.csv").status_code == 404
        assert client.post(f"/api/exports/{request_id}/approve", json={"reason": "x"}).status_code == 404
    url = f"{campus_api.url}/api/exports/{request_id}/files/card_by_district.csv"
    assert httpx.get(url, headers={"Authorization": "token tok-alice"}).status_code == 200
    assert httpx.get(url, headers={"Authorization": "token tok-bob"}).status_code == 404
    assert httpx.get(url).status_code == 401


@pytest.mark.parametrize(
    "token,payload,status",
    [
        ("nope", {"reason": "x", "files": []}, 401),
        ("tok-alice", {"reason": "x", "files": [{"name": "a.csv", "content_base64": "%%%"}]}, 400),
        ("tok-alice", {"reason": "", "files": [{"name": "a.csv", "content_base64": "YQ=="}]}, 400),
        ("tok-alice", {"reason": "x", "files": [{"name": "../a.csv", "content_base64": "YQ=="}]}, 400),
    ],
)
def test_bad_submissions(campus_api, token, payload, status):
    with socket_client(campus_api, token) as client:
        assert client.post("/api/exports", json=payload).status_code == status


def test_reviewers_decide_on_the_web_surface(campus_api, workspace):
    frame = workspace.connection.execute(AGGREGATES["card_by_category"]).df()
    payload = {"reason": "no provenance", "files": [{"name": "c.csv", "content_base64": base64.b64encode(csv(frame)).decode()}], "provenance": []}
    with socket_client(campus_api) as client:
        request_id = client.post("/api/exports", json=payload).json()["id"]
    review = f"{campus_api.url}/api/exports/{request_id}"
    assert httpx.post(f"{review}/approve", json={"reason": "mine"}, headers={"Authorization": "token tok-alice"}).status_code == 403
    assert httpx.post(f"{review}/approve", json={"reason": "ok"}, headers={"Authorization": "token tok-rita"}).json()["state"] == "in_review"
    assert httpx.post(f"{review}/approve", json={"reason": "ok"}, headers={"Authorization": "token tok-rob"}).json()["state"] == "released"


def test_unreachable_hub_authenticates_nobody(egress_campus, egress_policy, tmp_path, monkeypatch):
    """With the real HubAuth and no hub to ask, every request is refused (503), none served."""
    import asyncio
    import threading

    from tornado.httpserver import HTTPServer
    from tornado.ioloop import IOLoop
    from tornado.netutil import bind_unix_socket

    from hub.egress.service import ExportService
    from hub.policy.server import free_port
    from hub.service.app import hub_authenticator, make_app

    monkeypatch.setenv("JUPYTERHUB_API_URL", f"http://127.0.0.1:{free_port()}/hub/api")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "service-token")
    path, ready, state = tmp_path / "api.sock", threading.Event(), {}

    def run():
        asyncio.set_event_loop(asyncio.new_event_loop())
        server = HTTPServer(make_app(ExportService(egress_campus.settings, policy=egress_policy), hub_authenticator(), web_surface=False))
        server.add_socket(bind_unix_socket(str(path)))
        state["loop"] = IOLoop.current()
        ready.set()
        state["loop"].start()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        with httpx.Client(transport=httpx.HTTPTransport(uds=str(path)), base_url="http://campus", headers={"Authorization": "token anything"}) as client:
            assert client.get("/api/exports").status_code == 503
    finally:
        state["loop"].add_callback(state["loop"].stop)
        thread.join(5)
