"""Latency of an access decision: the OPA server over its REST API vs `opa eval`.

    python -m bench.bench_policy [--requests 2000] [--evals 30] [--users 500]

Starts the campus OPA server (as `campus up` does: bundle, file watch, decision logs) with a
synthetic catalog, asks `PolicyClient.access()` many times, and in the same run evaluates the
same decision with a fresh `opa eval` process (the baseline a script without a server pays).
Prints p50 / p99 of each and their ratio. Goal: REST p99 <= 5 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

from hub.policy.client import PolicyClient, rfc3339
from hub.policy.server import POLICIES_DIR, OpaServer, free_port
from hub.policy.sync import push_catalog
from hub.settings import CampusSettings

TIERS = ["public", "internal", "confidential", "restricted"]
GOAL_P99_MS = 5.0


def synthetic_catalog(users: int, datasets: int = 60, projects: int = 40) -> dict:
    """A campus larger than the demo: every user in two projects, each project granted eight datasets."""
    return {
        "datasets": {
            f"ds{d:03}": {
                "tier": TIERS[d % 4],
                "two_person_review": d % 4 == 3,
                "disclosure": {"min_cell_count": 10 + d % 5},
                "columns": {"id": "direct_identifier", "value": "attribute"},
                "row_count": 1000 * d,
            }
            for d in range(datasets)
        },
        "projects": {
            f"p{p:03}": {
                "max_tier": TIERS[p % 4],
                "members": sorted(f"user{u:04}" for u in range(users) if u % projects in (p, (p + 1) % projects)),
                "grants": {f"ds{(p * 7 + g) % datasets:03}": {"expires_at": "2027-01-01T00:00:00Z" if g % 3 else "2026-01-01T00:00:00Z"} for g in range(8)},
            }
            for p in range(projects)
        },
        "users": {f"user{u:04}": {"roles": ["researcher"]} for u in range(users)},
    }


def percentile(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] if len(samples) > 1 else samples[0]


def time_rest(client: PolicyClient, users: list[str], now: datetime, n: int) -> list[float]:
    for i in range(200):  # warm up: connection, OPA's caches
        client.access(users[i % len(users)], now=now)
    samples = []
    for i in range(n):
        started = time.perf_counter()
        decision = client.access(users[i % len(users)], now=now)
        samples.append((time.perf_counter() - started) * 1000)
        assert decision.error is None, decision.error
    return samples


def time_server_side(url: str, token: str, users: list[str], now: datetime, n: int) -> list[float]:
    """OPA's own handler time for the same question (from ?metrics=true): the floor under REST."""
    samples = []
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {token}"
        for i in range(n):
            body = http.post(f"{url}/v1/data/campus/access/decision?metrics=true", json={"input": {"user": users[i % len(users)], "now": rfc3339(now)}}).json()
            samples.append(body["metrics"]["timer_server_handler_ns"] / 1e6)
    return samples


def time_opa_eval(binary: Path, catalog_file: Path, user: str, now: datetime, n: int) -> tuple[list[float], dict]:
    command = [
        str(binary), "eval", "--format", "json", "--bundle", str(POLICIES_DIR), "--ignore", "*_test.rego",
        "--data", str(catalog_file), "--stdin-input", "data.campus.access.decision",
    ]  # fmt: skip
    question = json.dumps({"user": user, "now": rfc3339(now)})
    samples, result = [], {}
    for _ in range(n):
        started = time.perf_counter()
        done = subprocess.run(command, input=question, capture_output=True, text=True, check=True)
        samples.append((time.perf_counter() - started) * 1000)
        result = json.loads(done.stdout)["result"][0]["expressions"][0]["value"]
    return samples, result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_policy", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="REST decisions to time")
    parser.add_argument("--evals", type=int, default=30, help="opa eval runs to time")
    parser.add_argument("--users", type=int, default=500, help="users in the synthetic catalog")
    args = parser.parse_args(argv)

    now = datetime(2026, 6, 1, tzinfo=UTC)
    catalog = synthetic_catalog(args.users)
    users = sorted(catalog["users"])
    with tempfile.TemporaryDirectory(prefix="bench-policy-") as tmp:
        settings = CampusSettings.from_env({"CAMPUS_HOME": tmp})
        catalog_file = Path(tmp) / "catalog.json"
        catalog_file.write_text(json.dumps({"campus": {"catalog": catalog}}))
        with OpaServer(settings=settings, port=free_port()) as server:
            push_catalog(server.url, catalog, token=server.tokens.catalog)
            client = PolicyClient(server.url, token=server.tokens.decision)
            rest = time_rest(client, users, now, args.requests)
            handler = time_server_side(server.url, server.tokens.decision, users, now, min(args.requests, 500))
            served = client.access(users[0], now=now)
            client.close()
        evals, evaluated = time_opa_eval(settings.tool("opa"), catalog_file, users[0], now, args.evals)
    # The same question must get the same answer both ways, or the comparison means nothing.
    assert evaluated == {"allowed": served.allowed, "refused": served.refused, "projects": served.projects, "registered": served.registered}, "REST and opa eval disagree"

    rest_p50, rest_p99 = percentile(rest, 50), percentile(rest, 99)
    rows = [
        ("REST API: PolicyClient.access()", len(rest), rest_p50, rest_p99),
        ("  of which OPA's handler", len(handler), percentile(handler, 50), percentile(handler, 99)),
        ("opa eval (new process per decision)", len(evals), percentile(evals, 50), percentile(evals, 99)),
    ]
    print(f"access decision, catalog of {len(users)} users / {len(catalog['projects'])} projects / {len(catalog['datasets'])} datasets")
    print(f"{'path':<38} {'n':>5} {'p50 ms':>9} {'p99 ms':>9} {'p50 ×REST':>10} {'p99 ×REST':>10}")
    for name, n, p50, p99 in rows:
        print(f"{name:<38} {n:>5} {p50:>9.2f} {p99:>9.2f} {p50 / rest_p50:>10.1f} {p99 / rest_p99:>10.1f}")
    verdict = "meets" if rest_p99 <= GOAL_P99_MS else "MISSES"
    print(f"REST p99 {rest_p99:.2f} ms {verdict} the goal of {GOAL_P99_MS:g} ms")


if __name__ == "__main__":
    main()
