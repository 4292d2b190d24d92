"""A loopback TCP port on the host that forwards to a workspace server's Unix socket.

The single-user server listens only on a Unix socket in a folder shared with the host
(the sandbox has no network to listen on). JupyterHub 6.1 cannot yet route the proxy to
an `http+unix` server URL, so the hub opens this bridge on 127.0.0.1 and hands its URL to
the proxy. Only the hub and the proxy use it: the sandbox's loopback is its own, so
nothing inside a workspace can reach any host port, this one included.

It runs in the hub's own event loop (no extra process to track or leak); bytes are
copied both ways, so HTTP and WebSocket traffic pass unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib

CHUNK = 256 * 1024


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


class UnixBridge:
    """Listens on 127.0.0.1:<port> and forwards each connection to `socket_path`."""

    def __init__(self, socket_path: str, host: str = "127.0.0.1", port: int = 0) -> None:
        self.socket_path = socket_path
        self.host = host
        self.port = port
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_unix_connection(self.socket_path)
        except OSError:
            client_w.close()
            return
        tasks = {asyncio.ensure_future(_pipe(client_r, server_w)), asyncio.ensure_future(_pipe(server_r, client_w))}
        self._tasks |= tasks
        try:
            await asyncio.gather(*tasks)
        finally:
            self._tasks -= tasks

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"
