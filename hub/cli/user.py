"""`campus user`: campus accounts and their roles (operators on the campus host)."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Annotated

import typer
from rich.table import Table

from hub.catalog.service import open_catalog
from hub.cli.common import console, print_json, reports_errors
from hub.cli.readonly import ReadOnlyPolicy
from hub.db import migrate

app = typer.Typer(no_args_is_help=True, help="Campus accounts: researchers, stewards, reviewers.")


def operator() -> str:
    """Who runs an operator command: the host account (recorded in the audit log)."""
    return f"operator:{os.environ.get('SUDO_USER') or getpass.getuser()}"


@app.command()
@reports_errors
def add(
    name: str,
    role: Annotated[list[str], typer.Option(help="researcher, steward or reviewer (repeatable)")],
    password_stdin: Annotated[bool, typer.Option(help="read the password from standard input")] = False,
    display_name: Annotated[str, typer.Option(help="name shown in the UI")] = "",
) -> None:
    """Create a campus user with one or more roles."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    migrate()
    with open_catalog() as catalog:
        catalog.create_user(name, role, actor=operator(), password=password, display_name=display_name)
    typer.echo(f"created user {name} ({', '.join(sorted(set(role)))})")


@app.command("list")
@reports_errors
def list_(as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False) -> None:
    """All campus users and their roles."""
    migrate()
    with open_catalog(policy=ReadOnlyPolicy()) as catalog:
        rows = [{"name": u.name, "roles": u.roles, "display_name": u.display_name} for u in catalog.users()]
    if as_json:
        print_json(rows)
        return
    table = Table("user", "roles", "display name")
    for row in rows:
        table.add_row(row["name"], ", ".join(row["roles"]), row["display_name"])
    console.print(table)
