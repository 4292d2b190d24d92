"""`campus egress`: check, submit and follow export requests; review them.

    campus egress check PATH... --project P [--user U] [--provenance FILE.json] --json
    campus egress submit PATH... --project P --reason TEXT --as U [--provenance FILE.json]
    campus egress list --as U [--state S] [--json]
    campus egress show ID --as U [--json]
    campus egress approve ID --reason TEXT --as REVIEWER
    campus egress reject ID --reason TEXT --as REVIEWER
    campus egress withdraw ID --as U
    campus egress resume          finish requests a stopped guard left behind

`check` runs the guard without submitting and prints {"decision", "findings", "datasets"};
it exits 0 whatever the decision, 2 on misuse. Scripts depend on these shapes.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from hub.cli.common import actor_option, fail, print_json, reports_errors
from hub.db import migrate, session_scope
from hub.errors import PolicyUnavailable
from hub.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Export requests: check, submit, review, release.")

PathsArg = Annotated[list[Path], typer.Argument(help="files to export")]
ProjectOpt = Annotated[str, typer.Option("--project", help="the project the export belongs to")]
ProvenanceOpt = Annotated[Path | None, typer.Option("--provenance", help="JSON file: the provenance log (campus.provenance.log())")]
JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable output")]


def _read_provenance(path: Path | None) -> object:
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        fail(f"{path}: cannot read provenance JSON ({type(error).__name__})")


def _regular_files(paths: list[Path]) -> list[Path]:
    """The paths, if each is a regular file (a symlink could point at data it may not export)."""
    for path in paths:
        try:
            mode = path.lstat().st_mode
        except OSError:
            fail(f"{path}: no such file")
        if stat.S_ISLNK(mode) or not stat.S_ISREG(mode):
            fail(f"{path}: not a regular file (symlinks and folders are refused)")
    names = [p.name for p in paths]
    if len(set(names)) != len(names):
        fail("two files have the same name")
    return paths


def _service():
    from hub.egress.service import ExportService

    migrate()
    return ExportService(get_settings())


@app.command()
def check(
    paths: PathsArg,
    project: ProjectOpt,
    user: Annotated[str | None, typer.Option("--user", help="requesting user (default: CAMPUS_ACTOR or the login name)")] = None,
    provenance: ProvenanceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the guard's checks on PATHs without submitting anything."""
    from egress_guard.context import RequestInfo
    from egress_guard.fingerprints import fingerprints_root
    from egress_guard.pipeline import check_request, decide
    from hub.egress.service import guard_catalog
    from hub.policy.client import PolicyClient

    files = _regular_files(paths)
    document = _read_provenance(provenance)
    settings = get_settings()
    migrate()
    user = user or os.environ.get("CAMPUS_ACTOR") or getpass.getuser()
    policy = PolicyClient.for_campus(settings)
    info = RequestInfo("check", user, project)
    with session_scope(settings.db_url) as session:
        catalog = guard_catalog(session, settings)
    with tempfile.TemporaryDirectory(prefix="campus-check-") as folder:
        for path in files:
            shutil.copyfile(path, Path(folder) / path.name, follow_symlinks=False)
        try:
            report = check_request(
                request=info, root=Path(folder), names=[p.name for p in files], provenance=document, catalog=catalog,
                fingerprints_root=fingerprints_root(settings), thresholds_provider=policy.egress_thresholds,
            )
            answer = decide(report, info, policy)
            decision, findings, datasets = answer.decision, [f.as_input() for f in report.findings], report.datasets
        except PolicyUnavailable as error:
            decision, datasets = "deny", []
            findings = [{"check": "policy", "severity": "deny", "message": str(error), "location": ""}]
    result = {"decision": decision, "findings": findings, "datasets": datasets}
    if as_json:
        print_json(result)
        return
    typer.echo(f"decision: {decision}  (datasets: {', '.join(datasets) or 'unknown'})")
    for finding in findings:
        typer.echo(f"  [{finding['severity']}] {finding['check']}: {finding['message']}  @ {finding['location']}")


@app.command()
@reports_errors
def submit(
    paths: PathsArg,
    project: ProjectOpt,
    reason: Annotated[str, typer.Option("--reason", help="why these results must leave")],
    actor: Annotated[str, actor_option()],
    provenance: ProvenanceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Submit PATHs as an export request and check it now."""
    files = _regular_files(paths)
    document = _read_provenance(provenance)
    service = _service()
    request_id = service.submit(user=actor, project=project, reason=reason, files=[(p.name, p.read_bytes()) for p in files], provenance=document)
    outcome = service.process(request_id)
    if as_json:
        print_json({"id": request_id, "state": outcome.state, "reasons": outcome.reasons})
        return
    typer.echo(f"{request_id}: {outcome.state}")
    for reason_line in outcome.reasons:
        typer.echo(f"  {reason_line}")


@app.command("list")
@reports_errors
def list_(actor: Annotated[str, actor_option()], state: Annotated[str | None, typer.Option(help="only requests in this state")] = None, as_json: JsonOpt = False) -> None:
    """Your export requests (all of them for reviewers and stewards)."""
    rows = _service().list(actor, state=state)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['id']}  {row['state']:<10} {row['user']:<12} {row['project']:<16} {', '.join(row['files'])}")


@app.command()
@reports_errors
def show(request_id: str, actor: Annotated[str, actor_option()], as_json: JsonOpt = False) -> None:
    """One export request with its findings and reviews."""
    detail = _service().show(request_id, actor)
    if as_json:
        print_json(detail)
        return
    typer.echo(f"{detail['id']}: {detail['state']} ({detail['user']}, project {detail['project']})")
    for reason_line in detail["reasons"]:
        typer.echo(f"  reason: {reason_line}")
    for finding in detail["findings"]:
        typer.echo(f"  [{finding['severity']}] {finding['check']}: {finding['message']}  @ {finding['location']}")


def _review(request_id: str, actor: str, verdict: str, reason: str) -> None:
    outcome = _service().review(request_id, reviewer=actor, verdict=verdict, reason=reason)
    typer.echo(f"{request_id}: {outcome.state}")


@app.command()
@reports_errors
def approve(request_id: str, reason: Annotated[str, typer.Option("--reason")], actor: Annotated[str, actor_option()]) -> None:
    """Approve a request in review (released once enough distinct reviewers approved)."""
    _review(request_id, actor, "approve", reason)


@app.command()
@reports_errors
def reject(request_id: str, reason: Annotated[str, typer.Option("--reason")], actor: Annotated[str, actor_option()]) -> None:
    """Reject a request in review."""
    _review(request_id, actor, "reject", reason)


@app.command()
@reports_errors
def withdraw(request_id: str, actor: Annotated[str, actor_option()]) -> None:
    """Withdraw your own request before it is decided."""
    outcome = _service().withdraw(request_id, actor=actor)
    typer.echo(f"{request_id}: {outcome.state}")


@app.command()
@reports_errors
def resume() -> None:
    """Check and release every request a stopped guard left undecided or unreleased."""
    for outcome in _service().resume():
        typer.echo(f"{outcome.request_id}: {outcome.state}")
