"""Check Kubernetes manifests against policies/k8s with the pinned OPA, before they reach a cluster.

    helm template campus helm/campus -n campus | python -m hub.kube.check --namespace campus -

Prints one line per problem and exits 1 if there is any (2 for unreadable input). Used by
the chart tests on every rendered object and on the spawner's workspace pod; operators can
run it on their own values before `helm install`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterable

import yaml

from hub.errors import CampusError
from hub.settings import REPO_ROOT, get_settings

POLICIES = REPO_ROOT / "policies"
QUERY = "data.k8s.manifests.deny"


class ManifestCheckError(CampusError):
    """The manifests could not be read or OPA could not evaluate them."""


def check_objects(objects: Iterable[dict], namespace: str) -> list[str]:
    """Problems policies/k8s finds in `objects` (release namespace `namespace`); empty if none."""
    opa = get_settings().tool("opa")
    if not opa.exists():
        raise ManifestCheckError(f"{opa} is missing: run `make tools`")
    proc = subprocess.run(
        [str(opa), "eval", "--format", "json", "--stdin-input", "--data", str(POLICIES), QUERY],
        input=json.dumps({"namespace": namespace, "objects": list(objects)}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    if proc.returncode != 0:
        raise ManifestCheckError(f"opa eval failed: {proc.stderr.strip() or proc.stdout.strip()}")
    try:
        return sorted(json.loads(proc.stdout)["result"][0]["expressions"][0]["value"])
    except (KeyError, IndexError, ValueError) as exc:
        raise ManifestCheckError(f"unexpected opa output: {exc}") from exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub.kube.check", description=__doc__.splitlines()[0])
    parser.add_argument("file", help="multi-document YAML of Kubernetes objects, or - for standard input")
    parser.add_argument("--namespace", required=True, help="namespace the objects without one are installed into")
    args = parser.parse_args(argv)
    try:
        text = sys.stdin.read() if args.file == "-" else open(args.file, encoding="utf-8").read()
        objects = [doc for doc in yaml.safe_load_all(text) if doc]
        problems = check_objects(objects, args.namespace)
    except (OSError, yaml.YAMLError, CampusError) as exc:
        print(f"error: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
