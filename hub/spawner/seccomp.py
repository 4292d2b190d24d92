"""The seccomp filter of every workspace sandbox: system calls a workspace never needs.

The sandbox shares the host's kernel, so a kernel bug reachable from the workspace is an
escape. Most of the kernel's riskiest interfaces need a capability the workspace lacks
(mount, modules, kexec, raw sockets); the ones below do not, and analysis code (Python,
DuckDB, Dask, a terminal) never calls them. Each is refused with an errno, never a kill,
so a library that probes for one falls back cleanly:

- new namespaces: `unshare`, `setns`, and `clone` with any CLONE_NEW* flag. Unprivileged
  user namespaces are enabled on this kernel: inside one a process is "root" with every
  capability over its own namespaces, which reopens mount, netfilter and the many other
  interfaces that are otherwise privileged (the usual first step of a kernel exploit).
  `clone3` passes its flags in memory a filter cannot read, so it answers ENOSYS: the C
  library then falls back to `clone`, whose flags are checked (what Docker does too).
- `io_uring_*`, `bpf`, `userfaultfd`, `perf_event_open`, `keyctl`/`add_key`/
  `request_key`: large, often-exploited kernel surfaces with no use in a notebook.

Any other architecture's system calls (i386 `int 0x80` on x86-64) kill the process
(libseccomp's default for a foreign architecture), so the list cannot be bypassed that way.
bwrap loads the program (`--seccomp FD`) after setting no_new_privs, before it starts the
workspace, so every process of the sandbox is under it. Tested by attack:
tests/hub/attacks/test_workspace_escape.py.
"""

from __future__ import annotations

import errno
import functools
import os

import pyseccomp as seccomp

CLONE_NEW_FLAGS = {
    "CLONE_NEWNS": 0x00020000,
    "CLONE_NEWCGROUP": 0x02000000,
    "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWIPC": 0x08000000,
    "CLONE_NEWUSER": 0x10000000,
    "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWNET": 0x40000000,
}

# system call -> why a workspace is refused it (EPERM).
REFUSED: dict[str, str] = {
    "unshare": "new namespaces (an unprivileged user namespace grants every capability inside it)",
    "setns": "joining another namespace",
    "io_uring_setup": "io_uring: a large kernel surface, unused by analysis code",
    "io_uring_enter": "io_uring",
    "io_uring_register": "io_uring",
    "bpf": "eBPF programs and maps",
    "userfaultfd": "user page-fault handling, a common exploit primitive",
    "perf_event_open": "performance counters, a frequent source of kernel bugs and side channels",
    "keyctl": "the kernel keyrings",
    "add_key": "the kernel keyrings",
    "request_key": "the kernel keyrings",
}


@functools.cache
def workspace_filter() -> seccomp.SyscallFilter:
    """The filter (for the host's architecture) every workspace runs under."""
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in REFUSED:
        rules.add_rule(seccomp.ERRNO(errno.EPERM), name)
    # clone(flags, ...): one rule per namespace flag; rules of one call are alternatives.
    for flag in CLONE_NEW_FLAGS.values():
        rules.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    return rules


def program_fd() -> int:
    """A fresh descriptor holding the compiled BPF program, at its start, for `bwrap --seccomp`."""
    fd = os.memfd_create("campus-seccomp", os.MFD_CLOEXEC)
    try:
        workspace_filter().export_bpf(os.fdopen(fd, "wb", closefd=False))
        os.lseek(fd, 0, os.SEEK_SET)
    except BaseException:
        os.close(fd)
        raise
    return fd
