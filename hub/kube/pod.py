"""The workspace pod on Kubernetes, as KubeSpawner settings: a pure builder.

`make_workspace_pod_overrides` turns "who is spawning, which datasets OPA granted, where
the campus services are" into the KubeSpawner trait values that shape the pod. It does no
I/O and asks nobody: the spawner (hub/kube/spawner.py) resolves the inputs, and tests pin
the output with a golden dict. Every value here is a security decision:

- the pod runs as a non-root user, cannot gain privileges, drops every capability, uses
  the runtime's default seccomp profile and a read-only root file system (Pod Security
  "restricted"); /tmp is a size-limited emptyDir;
- no service-account token is mounted, so code in the workspace cannot talk to the
  Kubernetes API;
- each granted dataset is one PersistentVolumeClaim mounted read-only (claim and mount)
  at /data/<dataset>; nothing else of the dataset storage is reachable;
- the user's home is their own claim at /home/<user>;
- DNS points at 127.0.0.1, where nothing listens: name lookups fail at once instead of
  reaching the cluster resolver, which would forward them (a DNS tunnel). The services a
  workspace may reach are handed over as IP addresses in the environment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

WORKSPACE_LABEL = "campus/workload"
"""Label key the chart's NetworkPolicies select workspace (and Dask) pods by."""

_USER_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
_DATASET_RE = re.compile(r"^[a-z][a-z0-9_]{0,56}$")


def _check_name(kind: str, value: str, pattern: re.Pattern[str]) -> str:
    # Names end up in mount paths and object names: refuse anything that could climb
    # out of /data or /home ("..", "/") or break a Kubernetes name.
    if not pattern.fullmatch(value) or ".." in value:
        raise ValueError(f"invalid {kind} name for a workspace pod: {value!r}")
    return value


def dataset_volume_name(dataset: str) -> str:
    """Pod volume name of a dataset (a DNS label: underscores become dashes)."""
    return "data-" + dataset.replace("_", "-")


def restricted_container_security_context(*, uid: int, gid: int) -> dict:
    """Container securityContext meeting Pod Security "restricted", shared by Dask pods."""
    return {
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": gid,
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def dataset_mounts(datasets: Mapping[str, str]) -> tuple[list[dict], list[dict]]:
    """Volumes and read-only mounts for granted datasets (name -> claim), sorted by name."""
    volumes, mounts = [], []
    for dataset in sorted(datasets):
        _check_name("dataset", dataset, _DATASET_RE)
        name = dataset_volume_name(dataset)
        # IMPORTANT: read-only twice: on the claim (the kubelet mounts the volume
        # read-only) and on the mount, so neither alone has to be right.
        volumes.append(
            {"name": name, "persistentVolumeClaim": {"claimName": datasets[dataset], "readOnly": True}}
        )
        mounts.append({"name": name, "mountPath": f"/data/{dataset}", "readOnly": True})
    return volumes, mounts


def make_workspace_pod_overrides(
    *,
    user: str,
    datasets: Mapping[str, str],
    home_claim: str,
    campus_api_url: str,
    uid: int = 1000,
    gid: int = 1000,
    cpu_limit: float,
    cpu_guarantee: float,
    mem_limit: int | str,
    mem_guarantee: int | str,
    tmp_size: str = "1Gi",
    gateway_address: str | None = None,
    gateway_proxy_address: str | None = None,
    project: str | None = None,
) -> dict:
    """KubeSpawner trait values for one user's workspace pod.

    `datasets` maps each dataset OPA granted to the PersistentVolumeClaim that holds it;
    pass an empty mapping to mount no data. `project` is the project the workspace works
    for (CAMPUS_PROJECT: its exports are requests of that project). `campus_api_url` and the gateway addresses
    are IP-based URLs (workspaces have no DNS). The result is assigned trait by trait to
    the spawner before the pod is built. Resource limits are required: a workspace
    without limits could starve the node it shares with others.
    """
    _check_name("user", user, _USER_RE)
    if None in (cpu_limit, cpu_guarantee, mem_limit, mem_guarantee):
        raise ValueError("workspace pods need cpu and memory limits and guarantees")
    home = f"/home/{user}"
    data_volumes, data_mounts = dataset_mounts(datasets)

    env = {
        "HOME": home,
        "CAMPUS_USER": user,
        "CAMPUS_DATA_DIR": "/data",
        "CAMPUS_DATASETS": ",".join(sorted(datasets)),
        "CAMPUS_API_URL": campus_api_url,
    }
    if project:
        env["CAMPUS_PROJECT"] = project
    if gateway_address:
        # dask-gateway's client reads these; auth is the user's JupyterHub token.
        env["DASK_GATEWAY__ADDRESS"] = gateway_address
        env["DASK_GATEWAY__PROXY_ADDRESS"] = gateway_proxy_address or gateway_address
        env["DASK_GATEWAY__AUTH__TYPE"] = "jupyterhub"

    return {
        "uid": uid,
        "gid": gid,
        "fs_gid": gid,
        "privileged": False,
        "allow_privilege_escalation": False,
        "container_security_context": restricted_container_security_context(uid=uid, gid=gid),
        "pod_security_context": {
            "runAsNonRoot": True,
            "fsGroup": gid,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        # IMPORTANT: no token: code in the workspace must not reach the Kubernetes API.
        "service_account": None,
        "automount_service_account_token": False,
        "extra_pod_config": {
            "enableServiceLinks": False,
            "dnsPolicy": "None",
            "dnsConfig": {"nameservers": ["127.0.0.1"], "searches": [], "options": [{"name": "ndots", "value": "0"}]},
            "hostNetwork": False,
            "hostPID": False,
            "hostIPC": False,
        },
        "extra_labels": {WORKSPACE_LABEL: "workspace"},
        "volumes": [
            {"name": "home", "persistentVolumeClaim": {"claimName": home_claim}},
            {"name": "tmp", "emptyDir": {"sizeLimit": tmp_size}},
            *data_volumes,
        ],
        "volume_mounts": [
            {"name": "home", "mountPath": home},
            {"name": "tmp", "mountPath": "/tmp"},
            *data_mounts,
        ],
        "working_dir": home,
        "environment": env,
        "cpu_limit": cpu_limit,
        "cpu_guarantee": cpu_guarantee,
        "mem_limit": mem_limit,
        "mem_guarantee": mem_guarantee,
    }
