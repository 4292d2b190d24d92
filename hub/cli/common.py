"""Shared plumbing of the `campus` command line: errors as one line, exit codes, output."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console

from hub.errors import CampusError

console = Console()
EXIT_MISUSE = 2


def fail(message: str, code: int = EXIT_MISUSE) -> None:
    """Print one clear line to stderr and exit (2: the input or the request was refused)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def reports_errors(command: Callable) -> Callable:
    """Turn campus errors into one line on stderr and exit code 2 (no traceback)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CampusError as error:
            fail(str(error))

    return wrapper


def actor_option() -> Any:
    return typer.Option(
        ...,
        "--as",
        envvar="CAMPUS_ACTOR",
        help="campus user on whose behalf the command acts (checked by the policy); env CAMPUS_ACTOR",
    )


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
