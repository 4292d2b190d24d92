"""Run the Rego tests with the pinned OPA and hold the policies to a minimum coverage.

    python -m hub.policy.coverage --min 90 policies/

Runs `opa test` (every test must pass), then `opa test --coverage`, prints the coverage of
each policy file and the total, and exits 1 when a test fails or the total is below the
minimum (2 for bad arguments). The total counts policy files only: `_test.rego` files
always cover themselves and would flatter it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from hub.errors import CampusError
from hub.settings import get_settings


class OpaToolError(CampusError):
    """The opa binary is missing or its output could not be read."""


@dataclass(frozen=True)
class TestRun:
    passed: int
    failed: list[str]  # "data.pkg.test_name: why"


@dataclass(frozen=True)
class FileCoverage:
    path: str
    covered: int
    not_covered: int

    @property
    def percent(self) -> float:
        total = self.covered + self.not_covered
        return 100.0 if total == 0 else 100.0 * self.covered / total


@dataclass(frozen=True)
class CoverageReport:
    files: list[FileCoverage]

    @property
    def percent(self) -> float:
        covered = sum(f.covered for f in self.files)
        total = covered + sum(f.not_covered for f in self.files)
        return 100.0 if total == 0 else 100.0 * covered / total


def opa_binary() -> Path:
    binary = get_settings().tool("opa")
    if not binary.exists():
        raise OpaToolError(f"OPA binary {binary} is missing: run `make tools`")
    return binary


def _opa_json(args: list[str]):
    done = subprocess.run([str(opa_binary()), *args], capture_output=True, text=True, check=False)
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise OpaToolError(f"opa {args[0]} failed: {' | '.join(message[:5]) or 'no output'}") from None


def run_tests(paths: list[str]) -> TestRun:
    """Run every Rego test under `paths`."""
    results = _opa_json(["test", "--format", "json", *paths])
    failed = [
        f"{r['package']}.{r['name']}: {'error: ' + str(r['error'].get('message', r['error'])) if r.get('error') else 'failed'}"
        for r in results
        if r.get("fail") or r.get("error")
    ]
    return TestRun(passed=len(results) - len(failed), failed=failed)


def measure(paths: list[str]) -> CoverageReport:
    """Line coverage of each policy file (not `_test.rego`) under `paths` (run when the tests pass)."""
    report = _opa_json(["test", "--coverage", *paths])
    files = [
        FileCoverage(path=name, covered=entry.get("covered_lines", 0), not_covered=entry.get("not_covered_lines", 0))
        for name, entry in sorted(report.get("files", {}).items())
        if not name.endswith("_test.rego")
    ]
    return CoverageReport(files=files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub.policy.coverage", description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=float, default=90.0, help="minimum total coverage in percent (default 90)")
    parser.add_argument("paths", nargs="+", help="policy folders or files")
    args = parser.parse_args(argv)
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"error: no such policy path: {missing[0]}", file=sys.stderr)
        return 2
    try:
        tests = run_tests(args.paths)
        if tests.failed:
            # opa prints no coverage report when a test fails: report the failures alone.
            for failure in tests.failed:
                print(f"FAIL {failure}")
            print(f"{len(tests.failed)} of {tests.passed + len(tests.failed)} Rego tests failed")
            return 1
        report = measure(args.paths)
    except OpaToolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for f in report.files:
        print(f"{f.percent:6.1f} %  {f.path}")
    print(f"{report.percent:6.1f} %  total ({len(report.files)} policy files; {tests.passed} tests passed; minimum {args.min:g} %)")
    if report.percent < args.min:
        print(f"coverage {report.percent:.1f} % is below the minimum {args.min:g} %")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
