"""`campus dataset`: register, list and show datasets (stewards)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hub.catalog.service import open_catalog
from hub.cli.common import actor_option, console, print_json, reports_errors
from hub.db import migrate

app = typer.Typer(no_args_is_help=True, help="Register, list and show datasets.")


@app.command()
@reports_errors
def register(
    manifest: Annotated[Path, typer.Argument(help="the dataset's manifest (YAML)")],
    actor: Annotated[str, actor_option()],
) -> None:
    """Validate MANIFEST against its data, copy the data under the campus data root, record it."""
    migrate()
    with open_catalog() as catalog:
        dataset = catalog.register_dataset(manifest, actor=actor)
        summary = f"registered {dataset.name}: {dataset.row_count} rows, tier {dataset.tier}"
    typer.echo(summary)


@app.command("list")
@reports_errors
def list_(as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False) -> None:
    """All registered datasets."""
    migrate()
    with open_catalog(policy=_no_policy()) as catalog:
        rows = [
            {"name": d.name, "title": d.title, "tier": d.tier, "rows": d.row_count, "owner": d.owner, "registered_at": d.registered_at}
            for d in catalog.datasets()
        ]
    if as_json:
        print_json(rows)
        return
    table = Table("name", "title", "tier", "rows", "owner")
    for row in rows:
        table.add_row(row["name"], row["title"], row["tier"], str(row["rows"]), row["owner"])
    console.print(table)


@app.command()
@reports_errors
def show(name: str, as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False) -> None:
    """One dataset: manifest, files with checksums, columns and their classes."""
    migrate()
    with open_catalog(policy=_no_policy()) as catalog:
        d = catalog.dataset(name)
        info = {
            "name": d.name,
            "title": d.title,
            "description": d.description,
            "owner": d.owner,
            "tier": d.tier,
            "two_person_review": d.two_person_review,
            "rows": d.row_count,
            "disclosure": d.disclosure,
            "files": d.files,
            "columns": [{"name": c.name, "type": c.type, "class": c.column_class} for c in d.columns],
            "registered_by": d.registered_by,
            "registered_at": d.registered_at,
        }
    if as_json:
        print_json(info)
        return
    console.print(f"[bold]{info['name']}[/bold] — {info['title']} ({info['tier']}, {info['rows']} rows)")
    console.print(info["description"])
    table = Table("column", "type", "class")
    for column in info["columns"]:
        table.add_row(column["name"], column["type"], column["class"])
    console.print(table)


def _no_policy():
    """Reads need no policy decision: listing the catalog is open to campus operators."""
    from hub.cli.readonly import ReadOnlyPolicy

    return ReadOnlyPolicy()
