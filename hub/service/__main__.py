"""Run the campus API: `python -m hub.service` (JupyterHub starts it as a managed service).

Listens on the port of JUPYTERHUB_SERVICE_URL (default 127.0.0.1:10101) and on the Unix
socket $CAMPUS_HOME/run/api/api.sock, which sandboxed workspaces (other uids) must reach: it
is made world-writable, and only the socket surface (no reviews, no downloads) serves it.
Requests a stopped guard left unchecked or unreleased are resumed at start.
"""

from __future__ import annotations

import asyncio
import logging
import os
from urllib.parse import urlsplit

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_unix_socket

from hub.db import migrate
from hub.egress.service import ExportService
from hub.service.app import MAX_BODY_BYTES, hub_authenticator, make_app
from hub.settings import get_settings

log = logging.getLogger("campus.api")


async def serve() -> None:
    settings = get_settings()
    migrate(settings.db_url)
    service = ExportService(settings)
    authenticate = hub_authenticator()
    url = urlsplit(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/campus/")
    web_server = HTTPServer(make_app(service, authenticate, web_surface=True, prefix=prefix), max_body_size=MAX_BODY_BYTES)
    web_server.listen(url.port or 10101, address=url.hostname or "127.0.0.1")
    socket_path = settings.api_socket
    socket_path.parent.mkdir(parents=True, exist_ok=True)
    socket_path.parent.chmod(0o755)  # workspace uids traverse it to the socket
    socket_server = HTTPServer(make_app(service, authenticate, web_surface=False), max_body_size=MAX_BODY_BYTES)
    socket_server.add_socket(bind_unix_socket(str(socket_path), mode=0o666))
    log.info("campus API on %s and %s", url.geturl(), socket_path)
    for outcome in await asyncio.get_running_loop().run_in_executor(None, service.resume):
        log.info("resumed %s: %s", outcome.request_id, outcome.state)
    await asyncio.Event().wait()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    asyncio.run(serve())


if __name__ == "__main__":
    main()
