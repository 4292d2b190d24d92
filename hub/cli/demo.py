"""`campus demo`: seed the demo campus, then run it until interrupted (what `make demo` runs)."""

from __future__ import annotations

from typing import Annotated

import typer

from hub.cli.common import reports_errors
from hub.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo
from hub.settings import get_settings


@reports_errors
def demo(
    scale: Annotated[float, typer.Option(min=0.01, help="size of the demo datasets (1 = small; 100 = millions of rows)")] = 1.0,
    port: Annotated[int, typer.Option(help="port of the campus in the browser")] = 8000,
    seed_only: Annotated[bool, typer.Option(help="seed the demo data and users, do not start the campus")] = False,
) -> None:
    """Generate and register the demo datasets, create the demo users and projects, start the campus."""
    from hub.db import migrate
    from hub.policy.server import OpaServer, free_port

    settings = get_settings()
    migrate(settings.db_url)
    # Seeding asks the policy like any steward action, so it needs an OPA of its own; the
    # campus started below runs its own OPA with the seeded catalog pushed at start.
    with OpaServer(settings=settings, port=free_port()) as opa:
        seed_demo(settings.model_copy(update={"opa_url": opa.url}), scale=scale, log=lambda line: typer.echo(f"  {line}"))
    if seed_only:
        typer.echo("demo data ready; `campus up` starts the campus")
        return

    typer.echo(f"\ndemo logins (password for all: {DEMO_PASSWORD}):")
    for user in DEMO_USERS:
        typer.echo(f"  {user.name:<6} {user.display_name}")
    typer.echo("researchers find example notebooks in ~/examples; alice, in two projects, picks one when her workspace starts")
    # Hand over to `campus up` itself, with its defaults, so both start the same campus.
    from hub.cli.up import up

    up(port=port)
