"""`campus policy`: test and check the Rego policies (stewards write and test policy).

    campus policy test    run the Rego tests with coverage; exit 1 if a test fails or coverage is low
    campus policy check   opa fmt and opa check --strict; exit 1 if either complains
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hub.cli.common import console, fail, reports_errors
from hub.policy.check import check_policies
from hub.policy.coverage import measure, run_tests
from hub.policy.server import POLICIES_DIR

app = typer.Typer(no_args_is_help=True, help="Test and check the Rego policies.")

PathsArgument = Annotated[list[Path] | None, typer.Argument(help="policy folders or files (default: the campus policies/)")]


def _paths(paths: list[Path] | None) -> list[str]:
    chosen = paths or [POLICIES_DIR]
    for path in chosen:
        if not path.exists():
            fail(f"no such policy path: {path}")
    return [str(path) for path in chosen]


@app.command("test")
@reports_errors
def test(
    paths: PathsArgument = None,
    min_coverage: Annotated[float, typer.Option("--min", help="minimum total line coverage of the policy files, in percent")] = 90.0,
) -> None:
    """Run the Rego tests with the pinned OPA and report coverage per policy file."""
    chosen = _paths(paths)
    tests = run_tests(chosen)
    if tests.failed:
        # opa prints no coverage report when a test fails: report the failures alone.
        for failure in tests.failed:
            console.print(f"[red]FAIL[/red] {failure}", highlight=False)
        console.print(f"{len(tests.failed)} of {tests.passed + len(tests.failed)} Rego tests failed", highlight=False)
        raise typer.Exit(1)
    report = measure(chosen)
    table = Table("policy file", "coverage", title="Rego line coverage")
    for f in report.files:
        table.add_row(f.path, f"{f.percent:.1f} %")
    table.add_row("total", f"{report.percent:.1f} %", style="bold")
    console.print(table)
    console.print(f"{tests.passed} tests passed; coverage {report.percent:.1f} % (minimum {min_coverage:g} %)", highlight=False)
    if report.percent < min_coverage:
        raise typer.Exit(1)


@app.command("check")
@reports_errors
def check(paths: PathsArgument = None) -> None:
    """Check formatting (opa fmt) and compile strictly (opa check --strict)."""
    steps = check_policies(_paths(paths))
    for step in steps:
        mark = "[green]ok[/green]" if step.ok else "[red]FAILED[/red]"
        console.print(f"{mark}  {step.name}", highlight=False)
        if not step.ok and step.output:
            console.print(step.output, highlight=False, markup=False)
    if not all(step.ok for step in steps):
        raise typer.Exit(1)
