"""Tests of hub/kube/pod.py: the pure builder of workspace pod settings."""

from __future__ import annotations

import pytest

from hub.kube.pod import make_workspace_pod_overrides

LIMITS = dict(cpu_limit=2.0, cpu_guarantee=0.5, mem_limit="4G", mem_guarantee="1G")


def build(**kw):
    args = dict(user="alice", datasets={}, home_claim="claim-alice", campus_api_url="http://10.0.0.20:8000", **LIMITS)
    args.update(kw)
    return make_workspace_pod_overrides(**args)


def data_mounts(overrides):
    return [m for m in overrides["volume_mounts"] if m["mountPath"].startswith("/data")]


def test_two_datasets_are_mounted_read_only_under_data():
    out = build(datasets={"card_spending": "ds-card", "bike_trips": "ds-bike"})
    assert data_mounts(out) == [
        {"name": "data-bike-trips", "mountPath": "/data/bike_trips", "readOnly": True},
        {"name": "data-card-spending", "mountPath": "/data/card_spending", "readOnly": True},
    ]
    claims = {v["name"]: v["persistentVolumeClaim"] for v in out["volumes"] if v["name"].startswith("data-")}
    assert claims == {
        "data-bike-trips": {"claimName": "ds-bike", "readOnly": True},
        "data-card-spending": {"claimName": "ds-card", "readOnly": True},
    }
    assert out["environment"]["CAMPUS_DATASETS"] == "bike_trips,card_spending"


def test_no_grant_mounts_no_data():
    out = build(datasets={})
    assert data_mounts(out) == []
    assert [v["name"] for v in out["volumes"]] == ["home", "tmp"]


def test_pod_is_locked_down():
    out = build()
    assert out["automount_service_account_token"] is False
    assert out["service_account"] is None
    csc = out["container_security_context"]
    assert csc["runAsNonRoot"] and csc["readOnlyRootFilesystem"]
    assert csc["allowPrivilegeEscalation"] is False
    assert csc["capabilities"] == {"drop": ["ALL"]}
    assert csc["seccompProfile"] == {"type": "RuntimeDefault"}
    # No resolver: lookups go to 127.0.0.1 where nothing answers.
    assert out["extra_pod_config"]["dnsPolicy"] == "None"
    assert out["extra_pod_config"]["dnsConfig"]["nameservers"] == ["127.0.0.1"]
    assert out["extra_pod_config"]["enableServiceLinks"] is False


def test_home_is_the_users_own_claim():
    out = build(user="bob", home_claim="claim-bob")
    assert {"name": "home", "mountPath": "/home/bob"} in out["volume_mounts"]
    assert {"name": "home", "persistentVolumeClaim": {"claimName": "claim-bob"}} in out["volumes"]
    assert out["environment"]["HOME"] == "/home/bob"


@pytest.mark.parametrize(
    "gateway, expected",
    [
        (None, None),
        ("http://10.0.0.30:8000", "jupyterhub"),
    ],
)
def test_dask_gateway_env_only_when_enabled(gateway, expected):
    out = build(gateway_address=gateway)
    assert out["environment"].get("DASK_GATEWAY__AUTH__TYPE") == expected


@pytest.mark.parametrize(
    "kw",
    [
        {"user": "../etc"},
        {"user": "a/b"},
        {"user": "Alice"},
        {"user": ""},
        {"datasets": {"../secret": "claim"}},
        {"datasets": {"Card": "claim"}},
        {"datasets": {"a/b": "claim"}},
        {"cpu_limit": None},
        {"mem_limit": None},
    ],
    ids=str,
)
def test_bad_input_is_refused(kw):
    with pytest.raises(ValueError):
        build(**kw)
