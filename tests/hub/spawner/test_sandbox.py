"""The bubblewrap command line: everything a workspace can see, pinned."""

from __future__ import annotations

import pytest

from hub.spawner.sandbox import bwrap_argv


def build(**overrides):
    kwargs = dict(
        bwrap="bwrap", user="alice", uid=30001, gid=30001, home="/c/homes/alice",
        datasets={"store_sales": "/c/data/store_sales", "card_spending": "/c/data/card_spending"},
        runtime_paths=["/opt/venv"], workspace_dir="/c/run/ws/alice/sock", etc_dir="/c/run/ws/alice/etc",
        config_dir="/c/run/ws/alice/config", catalog_file="/c/run/ws/alice/catalog.json", hub_socket_dir="/c/run/hub", api_socket_dir="/c/run/api",
        tmp_size=1024, command=["jupyterhub-singleuser"], system_dirs=["/usr"], usr_links={"/bin": "usr/bin"},
    )  # fmt: skip
    kwargs.update(overrides)
    return bwrap_argv(**kwargs)


def pairs(argv, option):
    return [(argv[i + 1], argv[i + 2]) for i, a in enumerate(argv) if a == option]


def test_golden_command_line():
    assert build() == [
        "bwrap", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-net", "--unshare-cgroup-try",
        "--die-with-parent", "--new-session", "--hostname", "workspace",
        "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--proc", "/proc", "--dev", "/dev",
        "--size", "67108864", "--perms", "1777", "--tmpfs", "/dev/shm",
        "--ro-bind-try", "/usr", "/usr", "--symlink", "usr/bin", "/bin",
        "--perms", "0755", "--dir", "/etc",
        "--ro-bind", "/c/run/ws/alice/etc/passwd", "/etc/passwd",
        "--ro-bind", "/c/run/ws/alice/etc/group", "/etc/group",
        "--ro-bind", "/c/run/ws/alice/etc/hosts", "/etc/hosts",
        "--size", "1024", "--perms", "1777", "--tmpfs", "/tmp",
        "--perms", "0755", "--dir", "/opt", "--ro-bind", "/opt/venv", "/opt/venv",
        "--perms", "0755", "--dir", "/etc/campus", "--ro-bind", "/c/run/ws/alice/config", "/etc/campus/jupyter",
        "--perms", "0755", "--dir", "/home", "--bind", "/c/homes/alice", "/home/alice",
        "--perms", "0755", "--dir", "/data",
        "--ro-bind", "/c/data/card_spending", "/data/card_spending",
        "--ro-bind", "/c/data/store_sales", "/data/store_sales",
        "--perms", "0755", "--dir", "/run", "--bind", "/c/run/ws/alice/sock", "/run/jupyter",
        "--ro-bind", "/c/run/hub", "/run/jupyterhub",
        "--perms", "0755", "--dir", "/run/campus", "--ro-bind", "/c/run/ws/alice/catalog.json", "/run/campus/catalog.json",
        "--ro-bind", "/c/run/api", "/run/campus/api",
        "--chdir", "/home/alice", "--",
        "setpriv", "--reuid=30001", "--regid=30001", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
        "--no-new-privs", "--", "jupyterhub-singleuser",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "forbidden",
    ["--share-net", "--unshare-all", "--unshare-user", "--bind / /", "--ro-bind / /", "--dev-bind", "/root /root", "/home /home", "--bind /proc", "--ro-bind /proc"],
)
def test_never_shares_what_it_must_not(forbidden):
    assert forbidden not in " ".join(build())


def test_runtime_under_tmp_stays_visible():
    """A checkout under /tmp (a CI clone) is bound after the private /tmp, not hidden by it."""
    argv = build(runtime_paths=["/tmp/ci/.venv"])
    assert argv.index("/tmp/ci/.venv") > argv.index("--tmpfs")


def test_datasets_are_read_only_and_only_the_granted_ones():
    argv = build(datasets={"card_spending": "/c/data/card_spending"})
    data = [(s, d) for option in ("--bind", "--ro-bind", "--bind-try", "--ro-bind-try") for s, d in pairs(argv, option) if d.startswith("/data")]
    assert data == [("/c/data/card_spending", "/data/card_spending")]
    assert ("/c/data/card_spending", "/data/card_spending") in pairs(argv, "--ro-bind")


def test_only_home_and_server_socket_are_writable():
    argv = build()
    assert pairs(argv, "--bind") == [("/c/homes/alice", "/home/alice"), ("/c/run/ws/alice/sock", "/run/jupyter")]


def test_no_dataset_no_data_mounts():
    argv = build(datasets={})
    assert not [d for _, d in pairs(argv, "--ro-bind") if d.startswith("/data/")]
