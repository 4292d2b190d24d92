"""Run the console as a JupyterHub-managed service: `python -m hub.web`.

JupyterHub starts it with JUPYTERHUB_SERVICE_URL, JUPYTERHUB_SERVICE_PREFIX,
JUPYTERHUB_API_TOKEN and the OAuth client settings in the environment.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from tornado.httpserver import HTTPServer

from hub.db import migrate
from hub.web.app import make_app
from hub.web.config import ConsoleConfig


async def serve(config: ConsoleConfig) -> None:
    migrate(config.campus.db_url)
    server = HTTPServer(make_app(config), max_body_size=config.max_upload_bytes, xheaders=True)
    server.listen(config.port, config.host)
    logging.getLogger("campus.console").info("console listening on http://%s:%d%s", config.host, config.port, config.prefix)
    stop = asyncio.Event()
    # JupyterHub stops its services with SIGTERM: close the listener and leave quietly.
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    server.stop()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        asyncio.run(serve(ConsoleConfig.from_env()))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
