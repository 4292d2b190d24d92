"""Static checks of the Rego policies with the pinned OPA: formatting and strict compilation.

The same two steps as `make test-policies` runs before the tests: `opa fmt --list --fail`
(a file that `opa fmt` would change is listed) and `opa check --strict` (unused variables,
imports and arguments, shadowed and deprecated built-ins are errors).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

from hub.policy.coverage import opa_binary


@dataclass(frozen=True)
class Step:
    name: str
    ok: bool
    output: str


def check_policies(paths: list[str]) -> list[Step]:
    """Run both checks over `paths` (both always run, so that one report shows every problem)."""
    binary = str(opa_binary())
    steps = []
    for name, args in (
        ("opa fmt", ["fmt", "--list", "--fail", *paths]),
        ("opa check --strict", ["check", "--strict", *paths]),
    ):
        done = subprocess.run([binary, *args], capture_output=True, text=True, check=False)
        output = (done.stdout + done.stderr).strip()
        if name == "opa fmt" and output:
            output = "not formatted (run `opa fmt -w`): " + ", ".join(output.splitlines())
        steps.append(Step(name=name, ok=done.returncode == 0, output=output))
    return steps
