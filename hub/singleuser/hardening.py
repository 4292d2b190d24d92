"""Keeps the workspace's own code out of its single-user server process.

The server enforces every server-side refusal (authorizer.py, the contents limits, the
dashboard filter, the Content-Security-Policy), but it runs in the sandbox under the same
uid as the user's kernels and terminals. Linux lets a process of the same uid attach to
another with ptrace, read and write its memory through /proc/<pid>/mem and copy its file
descriptors with pidfd_getfd (this host has no Yama ptrace restriction, and a container
runtime's default seccomp profile allows ptrace too). A kernel could thus patch the
authorizer out of the running server, or take its listening socket.

`make_undumpable()` marks the server process not dumpable (prctl PR_SET_DUMPABLE 0): every
such access then needs CAP_SYS_PTRACE, which nothing in the sandbox has, and its
/proc/<pid> files belong to root. The flag is reset by execve, so the kernels and
terminals the server starts stay ordinary, debuggable processes of the user.
Tested by attack: tests/hub/attacks/test_server_takeover.py.
"""

from __future__ import annotations

import ctypes
import os

PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3


def make_undumpable() -> None:
    """Mark this process not dumpable; raise if the kernel refuses (fail closed: no server)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 or libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"cannot mark the workspace server not dumpable: {os.strerror(error)}")
