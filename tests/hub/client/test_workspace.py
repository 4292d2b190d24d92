"""Reading the workspace's limits and places from the environment the spawner sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from campus import workspace

LIMIT_VARIABLES = ("CAMPUS_MEM_LIMIT", "MEM_LIMIT", "CAMPUS_CPUS", "CPU_LIMIT")


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    for name in LIMIT_VARIABLES + ("CAMPUS_DATA_DIR", "CAMPUS_CATALOG", "CAMPUS_SCRATCH_DIR", "JUPYTERHUB_SERVICE_PREFIX"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(("env", "expected"), [
    ({}, None),
    ({"CAMPUS_MEM_LIMIT": "4G"}, 4_000_000_000),
    ({"CAMPUS_MEM_LIMIT": "4GiB"}, 4 * 2**30),
    ({"MEM_LIMIT": "2147483648"}, 2**31),
    ({"CAMPUS_MEM_LIMIT": "1G", "MEM_LIMIT": "8G"}, 1_000_000_000),  # ours wins
    ({"CAMPUS_MEM_LIMIT": "0"}, None),
    ({"CAMPUS_MEM_LIMIT": " "}, None),
])
def test_memory_limit(monkeypatch, env, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert workspace.memory_limit() == expected


@pytest.mark.parametrize(("env", "expected"), [
    ({}, None),
    ({"CAMPUS_CPUS": "2"}, 2),
    ({"CPU_LIMIT": "0.5"}, 1),  # a fraction of a CPU still runs one thread
    ({"CPU_LIMIT": "3.9"}, 3),
    ({"CAMPUS_CPUS": "1", "CPU_LIMIT": "4"}, 1),
])
def test_cpus(monkeypatch, env, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert workspace.cpus() == expected


@pytest.mark.parametrize(("name", "value", "message"), [
    ("MEM_LIMIT", "big", "MEM_LIMIT='big' is not a size"),
    ("CPU_LIMIT", "many", "CPU_LIMIT='many' is not a number of CPUs"),
])
def test_bad_values_name_the_variable(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        workspace.memory_limit() if "MEM" in name else workspace.cpus()


def test_defaults():
    assert workspace.data_dir() == Path("/data")
    assert workspace.catalog_file() == Path("/run/campus/catalog.json")
    assert workspace.scratch_dir() == Path.home() / ".cache" / "campus"
    assert workspace.service_prefix() == "/"


@pytest.mark.parametrize(("prefix", "expected"), [("/user/alice/", "/user/alice/"), ("/user/alice", "/user/alice/")])
def test_service_prefix(monkeypatch, prefix, expected):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", prefix)
    assert workspace.service_prefix() == expected
