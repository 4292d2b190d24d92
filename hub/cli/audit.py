"""`campus audit`: verify the hash chain and export the log (compliance)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from hub import audit as audit_log
from hub.cli.common import reports_errors
from hub.db import migrate, session_scope

app = typer.Typer(no_args_is_help=True, help="Verify and export the audit log.")


@app.command()
@reports_errors
def verify() -> None:
    """Check the hash chain; exit 1 and name the first bad event if it is broken."""
    migrate()
    with session_scope() as session:
        report = audit_log.verify(session)
    typer.echo(str(report), err=not report.ok)
    raise typer.Exit(0 if report.ok else 1)


@app.command()
@reports_errors
def export(out: Annotated[Path | None, typer.Option(help="file to write (default: standard output)")] = None) -> None:
    """Write every audit event as JSON Lines, in order."""
    migrate()
    with session_scope() as session:
        if out is None:
            audit_log.export_jsonl(session, sys.stdout)
            return
        tmp = out.with_name(out.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            count = audit_log.export_jsonl(session, handle)
        tmp.replace(out)
    typer.echo(f"wrote {count} events to {out}", err=True)
