"""The check registry: built-ins by name, plug-ins by class, unknown keys refused at load time."""

from __future__ import annotations

import pytest

from egress_guard.base import Check
from egress_guard.registry import CheckRegistry, ConfigError


def test_default_config_loads_every_builtin_in_order():
    assert [c.name for c in CheckRegistry.from_yaml().checks] == ["structure", "fingerprints", "pii", "sdc", "ledger"]


@pytest.mark.parametrize(
    "document,message",
    [
        ({"checks": [{"name": "sdc", "options": {"min_cel_count": 3}}]}, "checks.sdc.options.min_cel_count: unknown key"),
        ({"checks": [{"name": "sdc", "threshold": 3}]}, "unknown key"),
        ({"checks": [{"name": "nope"}]}, "unknown check 'nope'"),
        ({"checks": [{"name": "x", "class": "egress_guard.findings:Finding"}]}, "not a Check class"),
        ({"limits": {"max_rows": 0}, "checks": []}, "limits.max_rows"),
        ({"checks": [{"name": "sdc"}], "extra": 1}, "extra: unknown key"),
    ],
)
def test_bad_config_names_the_key(document, message):
    with pytest.raises(ConfigError, match=message):
        CheckRegistry.from_config(document)


def test_add_and_remove():
    class Noop(Check):
        name = "noop"

        def analyze(self, context):
            return []

    registry = CheckRegistry.from_config({"checks": [{"name": "structure"}]})
    registry.add(Noop())
    assert [c.name for c in registry.checks] == ["structure", "noop"]
    with pytest.raises(ConfigError):
        registry.add(Noop())
    registry.remove("structure")
    assert [c.name for c in registry.checks] == ["noop"]
    with pytest.raises(ConfigError):
        registry.remove("structure")
