"""`campus up`: start OPA, the campus API service and JupyterHub with its proxy; Ctrl-C stops them."""

from __future__ import annotations

import signal
import threading

import typer

from hub.cli.common import fail, reports_errors
from hub.settings import get_settings


@reports_errors
def up(
    ip: str = typer.Option("127.0.0.1", help="Address browsers connect to (the proxy's)."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port browsers connect to."),
    proxy_api_port: int = typer.Option(8001, min=1, max=65535, help="The proxy's REST API port (loopback)."),
    opa_port: int = typer.Option(8181, min=1, max=65535, help="The OPA server's port (loopback)."),
    console_port: int = typer.Option(10102, min=1, max=65535, help="The campus console's port (loopback)."),
    api_port: int = typer.Option(10101, min=1, max=65535, help="The campus API's port (loopback)."),
) -> None:
    """Start the campus on this machine and keep it running until Ctrl-C."""
    from hub.up import Campus

    if len({port, proxy_api_port, opa_port, console_port, api_port}) != 5:
        fail("--port, --proxy-api-port, --opa-port, --console-port and --api-port must differ")
    campus = Campus(get_settings(), ip=ip, port=port, proxy_api_port=proxy_api_port, opa_port=opa_port, console_port=console_port, api_port=api_port)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    campus.start()
    try:
        typer.echo(f"campus running at {campus.url}/hub/  (Ctrl-C stops it)")
        stop.wait()
    finally:
        typer.echo("stopping the campus ...")
        campus.stop()
        typer.echo("stopped")
