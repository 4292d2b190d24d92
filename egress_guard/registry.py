"""The registry of checks: add, remove, and load from a YAML configuration.

Like Presidio's RecognizerRegistry: checks are found by name among the built-ins, or by
`module:Class` for a plug-in, and the YAML is validated by pydantic with unknown keys
refused, so a typo in an option fails at load time naming the key.

    limits: {max_file_bytes: 52428800}
    checks:
      - name: structure
      - name: sdc
        options: {recount: true}
      - name: my_check
        class: mypackage.checks:MyCheck
"""

from __future__ import annotations

import importlib
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from egress_guard.base import Check
from egress_guard.opening import Limits

DEFAULT_CONFIG = Path(__file__).parent / "config" / "default.yaml"

BUILTIN = {
    "structure": "egress_guard.checks.structure:StructureCheck",
    "fingerprints": "egress_guard.checks.fingerprints:FingerprintCheck",
    "pii": "egress_guard.checks.pii:PiiCheck",
    "sdc": "egress_guard.checks.sdc:SdcCheck",
    "ledger": "egress_guard.checks.ledger:LedgerCheck",
}


class ConfigError(ValueError):
    """The guard configuration is malformed (the message names the key)."""


class CheckConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str
    class_path: str | None = Field(None, alias="class")
    enabled: bool = True
    options: dict = Field(default_factory=dict)


class GuardConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limits: Limits = Limits()
    checks: list[CheckConfig]


def _load_class(path: str) -> type[Check]:
    module_name, _, attribute = path.partition(":")
    cls = getattr(importlib.import_module(module_name), attribute, None)
    if not (isinstance(cls, type) and issubclass(cls, Check)):
        raise ConfigError(f"{path!r} is not a Check class")
    return cls


class CheckRegistry:
    """An ordered set of checks; they run in the order they were added."""

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits()
        self._checks: dict[str, Check] = {}

    @property
    def checks(self) -> list[Check]:
        return list(self._checks.values())

    def add(self, check: Check) -> None:
        if check.name in self._checks:
            raise ConfigError(f"check {check.name!r} is already registered")
        self._checks[check.name] = check

    def remove(self, name: str) -> None:
        if self._checks.pop(name, None) is None:
            raise ConfigError(f"no check named {name!r}")

    def get(self, name: str) -> Check:
        return self._checks[name]

    @classmethod
    def from_config(cls, document: object, source: str = "guard config") -> "CheckRegistry":
        try:
            config = GuardConfig.model_validate(document)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "config"
            kind = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
            raise ConfigError(f"{source}: {where}: {kind}") from None
        registry = cls(config.limits)
        for entry in config.checks:
            if not entry.enabled:
                continue
            path = entry.class_path or BUILTIN.get(entry.name)
            if path is None:
                raise ConfigError(f"{source}: unknown check {entry.name!r} (give its class)")
            check_class = _load_class(path)
            try:
                options = check_class.Options.model_validate(entry.options)
            except ValidationError as error:
                first = error.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                kind = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
                raise ConfigError(f"{source}: checks.{entry.name}.options.{where}: {kind}") from None
            check = check_class(options)
            if check.name != entry.name:
                raise ConfigError(f"{source}: class {path} is check {check.name!r}, not {entry.name!r}")
            registry.add(check)
        return registry

    @classmethod
    def from_yaml(cls, path: Path | None = None) -> "CheckRegistry":
        path = path or DEFAULT_CONFIG
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise ConfigError(f"{path}: cannot read: {error}") from None
        return cls.from_config(document, str(path))
