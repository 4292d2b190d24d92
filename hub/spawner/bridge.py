"""A loopback TCP port on the host that forwards to a workspace server's Unix socket.

The single-user server listens only on a Unix socket in a folder shared with the host
(the sandbox has no network to listen on). JupyterHub 6.1 cannot yet route the proxy to
an `http+unix` server URL, so the hub opens this bridge on 127.0.0.1 and hands its URL to
the proxy. Only the hub and the proxy use it: the sandbox's loopback is its own, so
nothing inside a workspace can reach any host port, this one included.

It runs in the hub's own event loop (no extra process to track or leak); bytes are
copied both ways, so HTTP and WebSocket traffic pass unchanged.

The socket's folder belongs to the workspace, so code in a kernel can unlink the socket
and listen on the same path with a server of its own, one that would hand the browser any
file with no authorizer and no Content-Security-Policy. The bridge therefore pins the
process that listened first (`pin_listener()`, called when the spawner sees the socket
appear, before any user code runs) and checks every later connection's listener with
SO_PEERCRED (the kernel's record of who called listen(), in the hub's own PID namespace,
so it cannot be forged from inside the sandbox). A connection answered by anyone else is
closed unused and `on_impostor(pid)` is called: the spawner stops the workspace.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import Callable

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


def listener_pid(writer: asyncio.StreamWriter) -> int:
    """The pid of the process that listens on the Unix socket `writer` is connected to."""
    sock = writer.get_extra_info("socket")
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, _uid, _gid = struct.unpack("3i", creds)
    return pid


class UnixBridge:
    """Listens on 127.0.0.1:<port> and forwards each connection to `socket_path`.

    Once `pin_listener()` has run, only connections answered by that same process are
    forwarded; `on_impostor(pid)` hears of any other.
    """

    def __init__(
        self,
        socket_path: str,
        host: str = "127.0.0.1",
        port: int = 0,
        on_impostor: Callable[[int], None] | None = None,
    ) -> None:
        self.socket_path = socket_path
        self.host = host
        self.port = port
        self.on_impostor = on_impostor
        self.server_pid: int | None = None
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()

    async def pin_listener(self) -> int:
        """Record the process listening on the socket now: the only one answered to later."""
        _reader, writer = await asyncio.open_unix_connection(self.socket_path)
        try:
            self.server_pid = listener_pid(writer)
        finally:
            writer.close()
        return self.server_pid

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
        if self.server_pid is not None and (pid := listener_pid(server_w)) != self.server_pid:
            server_w.close()
            client_w.close()
            if self.on_impostor is not None:
                self.on_impostor(pid)
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
