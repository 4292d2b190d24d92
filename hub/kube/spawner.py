"""KubeSpawner for the campus: ask OPA which datasets to mount, then build a locked pod.

At every spawn the hub settles the workspace's project (hub/spawner/project.py: the
user's only one, or the one chosen on the spawn page), asks OPA
(`PolicyClient(url).access(user, project=...)`) which datasets the user may mount, and
hands the answer to the pure builder in hub/kube/pod.py. It fails
closed: if OPA cannot be asked or answers with an error, the spawn is refused and no pod
is created (a workspace without its data would only confuse; one with data OPA did not
grant must never exist). A granted dataset the chart has no claim for is skipped with a
warning: it cannot be mounted, and nothing else may be mounted in its place.

While the pod runs, the hub's poll asks OPA again (hub/spawner/recheck.py, as for the
sandbox spawner): a user removed from the project or a revoked grant stops the pod. The
project and the mounted datasets are kept in the spawner's state, so a restarted hub
goes on checking the pods it finds running.
"""

from __future__ import annotations

import asyncio
import functools
import inspect

from kubespawner import KubeSpawner
from traitlets import Dict, Float, Integer, Unicode, default

from hub.errors import PolicyUnavailable
from hub.kube.pod import make_workspace_pod_overrides
from hub.settings import get_settings
from hub.spawner import project
from hub.spawner.recheck import GrantRecheck


class CampusKubeSpawner(project.ProjectChoice, GrantRecheck, KubeSpawner):
    """KubeSpawner whose pod is built by `make_workspace_pod_overrides` from OPA's answer."""

    # The workspace's project and mounted datasets, set at start (and kept in the state).
    project: str | None = None
    mounted: tuple[str, ...] | list[str] = ()

    opa_url = Unicode(
        config=True,
        help="""URL of the OPA server asked at spawn time which datasets a user may mount.
        Default: CAMPUS_OPA_URL. Security: if it cannot be reached, spawns are refused.""",
    )

    @default("opa_url")
    def _default_opa_url(self) -> str:
        return get_settings().opa_url

    opa_token = Unicode(
        config=True,
        help="""Bearer token the spawner sends to OPA (the campus's decision token: it may
        ask questions, not change the catalog). Default: CAMPUS_OPA_TOKEN. Security: a
        secret; OPA refuses a question without it (401), and the spawn is then refused.""",
    )

    @default("opa_token")
    def _default_opa_token(self) -> str:
        from hub.policy.tokens import read_token

        return read_token(get_settings(), "decision") or ""

    dataset_claims = Dict(
        key_trait=Unicode(),
        value_trait=Unicode(),
        config=True,
        help="""Dataset name -> PersistentVolumeClaim holding it (in the workspace namespace).
        Default: empty (no dataset can be mounted). Security: only datasets OPA grants AND
        listed here are mounted, read-only.""",
    )

    campus_api_url = Unicode(
        config=True,
        help="""URL of the campus API as workspaces must use it: an IP address, since
        workspaces have no DNS. Default: empty. Security: the workspace NetworkPolicy
        must allow egress to this service and nothing else but the hub.""",
    )

    gateway_address = Unicode(
        "",
        config=True,
        help="""dask-gateway API URL (IP-based) handed to workspaces; empty disables Dask
        scale-out. Default: empty.""",
    )

    gateway_proxy_address = Unicode(
        "",
        config=True,
        help="""dask-gateway scheduler proxy address (IP-based, gateway://ip:port style
        as the dask-gateway client expects). Default: empty (same as gateway_address).""",
    )

    workspace_uid = Integer(1000, config=True, help="Non-root UID workspaces run as. Default 1000.")
    workspace_gid = Integer(1000, config=True, help="GID (and fsGroup) of workspaces. Default 1000.")
    tmp_size = Unicode("1Gi", config=True, help="Size limit of the /tmp emptyDir. Default 1Gi.")
    policy_timeout = Float(
        10.0, config=True, help="Seconds to wait for OPA's access decision before refusing. Default 10."
    )

    # Campus defaults for the limits JupyterHub leaves unset: every workspace pod is bounded.
    @default("cpu_limit")
    def _default_cpu_limit(self) -> float:
        return 2.0

    @default("cpu_guarantee")
    def _default_cpu_guarantee(self) -> float:
        return 0.5

    @default("mem_limit")
    def _default_mem_limit(self) -> int:
        return 4 * 1024**3

    @default("mem_guarantee")
    def _default_mem_guarantee(self) -> int:
        return 1024**3

    def make_policy_client(self):
        """The client that asks OPA (a separate method so tests can swap the server, not the logic)."""
        from hub.policy.client import PolicyClient

        return PolicyClient(self.opa_url, token=self.opa_token)

    async def ask_policy(self, project_name: str | None):
        """OPA's access decision for this user in `project_name` (None: all their projects)."""
        client = self.make_policy_client()
        ask = functools.partial(client.access, self.user.name, project=project_name)
        decision = await asyncio.wait_for(asyncio.to_thread(ask), self.policy_timeout)
        if inspect.isawaitable(decision):
            decision = await asyncio.wait_for(decision, self.policy_timeout)
        return decision

    async def granted_datasets(self) -> dict[str, str]:
        """Datasets to mount for this user (name -> claim); raises PolicyUnavailable to refuse.

        Also settles `self.project` (ProjectChoiceError when the user must choose one).
        """
        name = self.user.name
        wanted = project.requested(self.user_options)
        try:
            decision = await self.ask_policy(wanted)
        except Exception as exc:  # any failure to get an answer is a refusal
            raise PolicyUnavailable(f"spawn of {name!r} refused: access policy could not be asked ({exc})") from exc
        if getattr(decision, "error", None):
            raise PolicyUnavailable(f"spawn of {name!r} refused: access policy error: {decision.error}")
        self.project = project.choose(wanted, list(decision.projects))
        project.remember(self, self.project)
        granted = {}
        for dataset in sorted(set(decision.allowed)):
            claim = self.dataset_claims.get(dataset)
            if claim:
                granted[dataset] = claim
            else:
                self.log.warning("dataset %r granted to %s has no claim configured; not mounted", dataset, name)
        return granted

    async def apply_campus_overrides(self) -> None:
        """Ask OPA and set every trait the builder decides (called before each pod is made)."""
        datasets = await self.granted_datasets()
        self.mounted = sorted(datasets)
        overrides = make_workspace_pod_overrides(
            user=self.user.name,
            datasets=datasets,
            project=self.project,
            home_claim=self.pvc_name,
            campus_api_url=self.campus_api_url,
            uid=self.workspace_uid,
            gid=self.workspace_gid,
            cpu_limit=self.cpu_limit,
            cpu_guarantee=self.cpu_guarantee,
            mem_limit=self.mem_limit,
            mem_guarantee=self.mem_guarantee,
            tmp_size=self.tmp_size,
            gateway_address=self.gateway_address or None,
            gateway_proxy_address=self.gateway_proxy_address or None,
        )
        for trait, value in overrides.items():
            setattr(self, trait, value)

    async def start(self):
        # IMPORTANT: the decision is taken at every start, never cached: a revoked grant
        # takes effect at the next spawn.
        await self.apply_campus_overrides()
        url = await super().start()
        self.grants_confirmed()
        return url

    async def poll(self):
        status = await super().poll()
        if status is None and await self.access_withdrawn():
            await self.stop(now=True)
            return 0
        return status

    def get_state(self):
        state = super().get_state()
        state["campus"] = {"project": self.project, "mounted": list(self.mounted)}
        return state

    def load_state(self, state):
        super().load_state(state)
        campus = state.get("campus") or {}
        self.project, self.mounted = campus.get("project"), list(campus.get("mounted") or [])
        if campus:
            self.grants_confirmed()  # a restarted hub gives OPA the grace again

    def clear_state(self):
        super().clear_state()
        self.project, self.mounted = None, []

