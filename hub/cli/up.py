"""`campus up`: start OPA, the campus API service and JupyterHub with its proxy; Ctrl-C stops them."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer

from hub.cli.common import fail, reports_errors
from hub.settings import get_settings


@reports_errors
def up(
    ip: Annotated[str, typer.Option(help="Address browsers connect to (the proxy's).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port browsers connect to.")] = 8000,
    proxy_api_port: Annotated[int, typer.Option(min=1, max=65535, help="The proxy's REST API port (loopback).")] = 8001,
    opa_port: Annotated[int, typer.Option(min=1, max=65535, help="The OPA server's port (loopback).")] = 8181,
    console_port: Annotated[int, typer.Option(min=1, max=65535, help="The campus console's port (loopback).")] = 10102,
    api_port: Annotated[int, typer.Option(min=1, max=65535, help="The campus API's port (loopback).")] = 10101,
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
