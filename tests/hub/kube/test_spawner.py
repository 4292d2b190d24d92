"""Tests of hub/kube/spawner.py: OPA's answer decides the pod; no answer, no pod.

The pod is rendered by KubeSpawner's own `get_pod_manifest` (no API server needed) and
the campus-relevant part is pinned with a golden dict.
"""

from __future__ import annotations

import time

import pytest
from kubernetes_asyncio.client import ApiClient
from kubespawner import KubeSpawner

from hub.errors import PolicyUnavailable
from hub.kube.check import check_objects
from hub.kube.spawner import CampusKubeSpawner
from hub.spawner.project import ProjectChoiceError

from .conftest import Decision, fake_user

# KubeSpawner needs a running event loop when it is created.
pytestmark = pytest.mark.asyncio

CLAIMS = {"card_spending": "ds-card-spending", "bike_trips": "ds-bike-trips", "air_quality": "ds-air-quality"}

GOLDEN_SPEC = {
    "automountServiceAccountToken": False,
    "enableServiceLinks": False,
    "hostIPC": False,
    "hostNetwork": False,
    "hostPID": False,
    "dnsPolicy": "None",
    "dnsConfig": {"nameservers": ["127.0.0.1"], "options": [{"name": "ndots", "value": "0"}], "searches": []},
    "securityContext": {"fsGroup": 1000, "runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    "volumes": [
        {"name": "home", "persistentVolumeClaim": {"claimName": "claim-alice"}},
        {"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}},
        {"name": "data-bike-trips", "persistentVolumeClaim": {"claimName": "ds-bike-trips", "readOnly": True}},
        {"name": "data-card-spending", "persistentVolumeClaim": {"claimName": "ds-card-spending", "readOnly": True}},
    ],
}
GOLDEN_CONTAINER = {
    "securityContext": {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
        "runAsGroup": 1000,
        "runAsNonRoot": True,
        "runAsUser": 1000,
        "seccompProfile": {"type": "RuntimeDefault"},
    },
    "resources": {
        "limits": {"cpu": 2.0, "memory": 4294967296},
        "requests": {"cpu": 0.5, "memory": 1073741824},
    },
    "volumeMounts": [
        {"mountPath": "/home/alice", "name": "home"},
        {"mountPath": "/tmp", "name": "tmp"},
        {"mountPath": "/data/bike_trips", "name": "data-bike-trips", "readOnly": True},
        {"mountPath": "/data/card_spending", "name": "data-card-spending", "readOnly": True},
    ],
    "workingDir": "/home/alice",
}
GOLDEN_CAMPUS_ENV = {
    "CAMPUS_API_URL": "http://10.96.0.20:8000",
    "CAMPUS_DATASETS": "bike_trips,card_spending",
    "CAMPUS_DATA_DIR": "/data",
    "CAMPUS_PROJECT": "mobility",
    "CAMPUS_USER": "alice",
    "HOME": "/home/alice",
}


class FakePolicy:
    """Stands in for hub.policy.client.PolicyClient: returns or raises what it is given."""

    def __init__(self, answer):
        self.answer = answer
        self.asked = []

    def access(self, user, project=None):
        self.asked.append(user if project is None else (user, project))
        if isinstance(self.answer, BaseException):
            raise self.answer
        if callable(self.answer):
            return self.answer()
        return self.answer


def make_spawner(answer, user="alice"):
    spawner = CampusKubeSpawner(
        _mock=True,
        user=fake_user(user),
        dataset_claims=CLAIMS,
        campus_api_url="http://10.96.0.20:8000",
        pvc_name_template="claim-{username}",
    )
    spawner.policy = FakePolicy(answer)
    spawner.make_policy_client = lambda: spawner.policy
    return spawner


async def render(spawner) -> dict:
    await spawner.apply_campus_overrides()
    pod = await spawner.get_pod_manifest()
    async with ApiClient() as api:
        return api.sanitize_for_serialization(pod)


async def test_golden_pod_for_two_granted_datasets():
    # OPA grants three datasets; one has no claim in the chart (skipped), and one claim
    # (air_quality) is configured but not granted (must not appear).
    spawner = make_spawner(Decision(allowed=["card_spending", "bike_trips", "not_in_chart"]))
    pod = await render(spawner)
    spec = pod["spec"]
    (container,) = spec["containers"]
    assert {k: spec[k] for k in GOLDEN_SPEC} == GOLDEN_SPEC
    assert {k: container[k] for k in GOLDEN_CONTAINER} == GOLDEN_CONTAINER
    env = {e["name"]: e["value"] for e in container["env"]}
    assert {k: env[k] for k in GOLDEN_CAMPUS_ENV} == GOLDEN_CAMPUS_ENV
    assert pod["metadata"]["labels"]["campus/workload"] == "workspace"
    assert spawner.policy.asked == ["alice"]


async def test_revoked_grant_is_unmounted_at_next_spawn():
    spawner = make_spawner(Decision(allowed=["card_spending", "bike_trips"]))
    await render(spawner)
    spawner.policy.answer = Decision(allowed=["bike_trips"])
    pod = await render(spawner)
    mounts = [m["mountPath"] for m in pod["spec"]["containers"][0]["volumeMounts"]]
    assert "/data/card_spending" not in mounts and "/data/bike_trips" in mounts


async def test_workspace_pod_passes_the_manifest_policy():
    # The same Rego checks the chart's objects pass (policies/k8s), on the pod the hub makes.
    pod = await render(make_spawner(Decision(allowed=["card_spending", "bike_trips"])))
    default_deny = {
        "kind": "NetworkPolicy",
        "metadata": {"name": "default-deny"},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
    }
    assert check_objects([pod, default_deny], "campus-workspaces") == []


def slow_answer():
    time.sleep(2)
    return Decision(allowed=["card_spending"])


@pytest.mark.parametrize(
    "answer",
    [
        ConnectionError("connection refused"),
        ImportError("no policy client"),
        Decision(allowed=["card_spending"], error="opa returned 500"),
        Decision(allowed=[], error="undefined decision"),
        slow_answer,
    ],
    ids=["unreachable", "no-client", "error-with-grants", "error", "timeout"],
)
async def test_spawn_is_refused_and_no_pod_is_made_when_policy_fails(answer, monkeypatch):
    started = []

    async def fake_kube_start(self):  # would create the pod on the API server
        started.append(self.user.name)

    monkeypatch.setattr(KubeSpawner, "start", fake_kube_start)
    spawner = make_spawner(answer)
    spawner.policy_timeout = 0.5
    with pytest.raises(PolicyUnavailable, match="refused"):
        await spawner.start()
    assert started == []


async def test_granted_spawn_reaches_kubespawner(monkeypatch):
    started = []

    async def fake_kube_start(self):
        started.append([m["mountPath"] for m in self.volume_mounts])

    monkeypatch.setattr(KubeSpawner, "start", fake_kube_start)
    await make_spawner(Decision(allowed=["air_quality"])).start()
    assert started == [["/home/alice", "/tmp", "/data/air_quality"]]


async def test_member_of_two_projects_must_choose_one():
    spawner = make_spawner(Decision(allowed=["card_spending", "bike_trips"], projects=["mobility", "spending"]))
    with pytest.raises(ProjectChoiceError, match="choose the project this workspace works for: mobility, spending"):
        await render(spawner)


async def test_chosen_project_is_asked_for_and_handed_to_the_workspace():
    spawner = make_spawner(Decision(allowed=["bike_trips"], projects=["mobility", "spending"]))
    spawner.user_options = {"project": "spending"}
    pod = await render(spawner)
    env = {e["name"]: e["value"] for e in pod["spec"]["containers"][0]["env"]}
    assert env["CAMPUS_PROJECT"] == "spending"
    assert spawner.policy.asked == [("alice", "spending")]


async def test_project_the_user_is_not_in_is_refused():
    spawner = make_spawner(Decision(allowed=[], projects=["mobility"]))
    spawner.user_options = {"project": "spending"}
    with pytest.raises(ProjectChoiceError, match="not a member of project 'spending'"):
        await render(spawner)


async def test_spawn_page_offers_the_projects_only_to_members_of_several():
    several = make_spawner(Decision(projects=["mobility", "spending"]))
    form = await several.get_options_form()
    assert '<option value="mobility">' in form and '<option value="spending">' in form
    assert await make_spawner(Decision(projects=["mobility"])).get_options_form() == ""
    assert await make_spawner(RuntimeError("OPA down")).get_options_form() == ""


async def test_opa_token_never_reaches_the_workspace_pod():
    token = "opa-decision-token-" + "x" * 30
    spawner = make_spawner(Decision(allowed=["card_spending"]))
    spawner.opa_token = token
    pod = await render(spawner)
    assert token not in repr(pod)


async def test_policy_client_sends_the_configured_token(opa_server):
    """The spawner's own client, against the real OPA: the token it is configured with is what OPA sees."""
    from hub.policy.sync import push_catalog

    push_catalog(opa_server.url, {"datasets": {}, "projects": {}, "users": {"alice": {"roles": ["researcher"]}}})
    spawner = CampusKubeSpawner(_mock=True, user=fake_user("alice"), opa_url=opa_server.url, opa_token="w" * 43)
    assert "refused the campus's credentials" in spawner.make_policy_client().access("alice").error
    spawner.opa_token = opa_server.tokens.decision
    assert spawner.make_policy_client().access("alice").error is None


async def test_running_pod_is_stopped_when_a_grant_is_revoked_or_the_member_removed():
    """The same re-check as the sandbox spawner's (hub/spawner/recheck.py), on the pod's spawner."""
    events = []
    spawner = make_spawner(Decision(allowed=["card_spending", "bike_trips"]))
    spawner.audit_hook = lambda event, actor, details: events.append((event, actor, details))
    spawner.grant_check_interval = 0
    await render(spawner)
    assert list(spawner.mounted) == ["bike_trips", "card_spending"] and spawner.project == "mobility"
    spawner.grants_confirmed()
    assert await spawner.access_withdrawn() is False and events == []

    spawner.policy.answer = Decision(allowed=["bike_trips"], refused={"card_spending": "grant revoked"})
    assert await spawner.access_withdrawn() is True
    assert events[-1] == ("workspace.access_withdrawn", "alice", {"project": "mobility", "mounted": ["bike_trips", "card_spending"], "withdrawn": {"card_spending": "grant revoked"}})

    spawner.policy.answer = Decision(allowed=[], projects=[])
    assert await spawner.access_withdrawn() is True
    assert events[-1][2]["reason"] == "no longer a member of project mobility"


async def test_an_opa_outage_stops_the_pod_only_after_the_grace():
    events = []
    spawner = make_spawner(Decision(allowed=["bike_trips"]))
    spawner.audit_hook = lambda event, actor, details: events.append(details)
    spawner.grant_check_interval = 0
    await render(spawner)
    spawner.grants_confirmed()
    spawner.policy.answer = ConnectionError("opa down")
    assert await spawner.access_withdrawn() is False and events == []
    spawner.policy_outage_grace = 0
    assert await spawner.access_withdrawn() is True
    assert events[-1]["reason"].startswith("policy service unavailable: ")


async def test_project_and_mounts_survive_a_hub_restart_in_the_state():
    spawner = make_spawner(Decision(allowed=["bike_trips"]))
    await render(spawner)
    restarted = make_spawner(Decision(allowed=["bike_trips"]))
    restarted.load_state(spawner.get_state())
    assert (restarted.project, restarted.mounted) == ("mobility", ["bike_trips"])
    restarted.clear_state()
    assert (restarted.project, list(restarted.mounted)) == (None, [])
