"""`campus project`: projects, their members and the datasets granted to them (stewards)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from hub.catalog.service import open_catalog
from hub.cli.common import actor_option, console, print_json, reports_errors
from hub.cli.readonly import ReadOnlyPolicy
from hub.db import migrate

app = typer.Typer(no_args_is_help=True, help="Projects group users and the datasets granted to them.")


@app.command()
@reports_errors
def create(
    name: str,
    actor: Annotated[str, actor_option()],
    max_tier: Annotated[str, typer.Option(help="most sensitive tier the project may use: public, internal, confidential, restricted")] = "internal",
    description: Annotated[str, typer.Option(help="what the project studies")] = "",
) -> None:
    """Create a project."""
    migrate()
    with open_catalog() as catalog:
        catalog.create_project(name, actor=actor, max_tier=max_tier, description=description)
    typer.echo(f"created project {name} (max tier {max_tier})")


@app.command("add-member")
@reports_errors
def add_member(project: str, user: str, actor: Annotated[str, actor_option()]) -> None:
    """Add USER to PROJECT."""
    migrate()
    with open_catalog() as catalog:
        catalog.add_member(project, user, actor=actor)
    typer.echo(f"added {user} to {project}")


@app.command("remove-member")
@reports_errors
def remove_member(project: str, user: str, actor: Annotated[str, actor_option()]) -> None:
    """Remove USER from PROJECT (a running workspace of theirs stops at the next grant check)."""
    migrate()
    with open_catalog() as catalog:
        catalog.remove_member(project, user, actor=actor)
    typer.echo(f"removed {user} from {project}")


@app.command()
@reports_errors
def grant(
    project: str,
    dataset: str,
    actor: Annotated[str, actor_option()],
    expires: Annotated[str, typer.Option(help="expiry date, YYYY-MM-DD or ISO timestamp (UTC)")],
) -> None:
    """Grant DATASET to PROJECT until --expires."""
    migrate()
    with open_catalog() as catalog:
        made = catalog.grant(project, dataset, actor=actor, expires=expires)
        until = made.expires_at
    typer.echo(f"granted {dataset} to {project} until {until}")


@app.command()
@reports_errors
def revoke(project: str, dataset: str, actor: Annotated[str, actor_option()]) -> None:
    """Revoke DATASET from PROJECT (takes effect at the next workspace start)."""
    migrate()
    with open_catalog() as catalog:
        catalog.revoke(project, dataset, actor=actor)
    typer.echo(f"revoked {dataset} from {project}")


@app.command("list")
@reports_errors
def list_(as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False) -> None:
    """Projects with their members and active grants."""
    migrate()
    with open_catalog(policy=ReadOnlyPolicy()) as catalog:
        rows = [
            {
                "name": p.name,
                "max_tier": p.max_tier,
                "members": catalog.members(p.name),
                "grants": {g.dataset.name: g.expires_at for g in catalog.active_grants(p.name)},
            }
            for p in catalog.projects()
        ]
    if as_json:
        print_json(rows)
        return
    table = Table("project", "max tier", "members", "grants (until)")
    for row in rows:
        grants = ", ".join(f"{name} ({until[:10]})" for name, until in row["grants"].items())
        table.add_row(row["name"], row["max_tier"], ", ".join(row["members"]), grants)
    console.print(table)
