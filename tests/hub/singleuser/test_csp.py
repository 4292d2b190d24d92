"""The workspace's Content-Security-Policy as written (the browser attacks it in
tests/hub/attacks/test_browser_egress.py)."""

from __future__ import annotations

import pytest
from traitlets.config import Config

from hub.singleuser import csp, server_config


def parse(policy: str) -> dict[str, list[str]]:
    return {name: sources for name, *sources in (part.split() for part in policy.split(";"))}


@pytest.mark.parametrize("policy", [csp.WORKSPACE_POLICY, csp.DASHBOARD_POLICY])
def test_nothing_is_loaded_from_or_sent_to_another_origin(policy):
    directives = parse(policy)
    assert directives["default-src"] == ["'none'"]
    for name in ("connect-src", "font-src", "worker-src", "form-action", "base-uri"):
        assert directives[name] == ["'self'"], name
    for name in ("img-src", "media-src"):
        assert directives[name] == ["'self'", "data:", "blob:"], name
    for name in ("frame-src", "child-src", "object-src", "frame-ancestors"):
        assert directives[name] == ["'none'"], name
    sources = {source for values in directives.values() for source in values}
    assert not {"*", "http:", "https:", "ws:", "wss:"} & sources


def test_workspace_scripts_are_the_labs_own():
    directives = parse(csp.WORKSPACE_POLICY)
    assert directives["script-src"] == ["'self'", "'unsafe-eval'"]  # no inline script of an output runs


def test_dashboard_pages_run_inline_scripts_only_in_a_sandbox_without_windows_or_forms():
    directives = parse(csp.DASHBOARD_POLICY)
    assert directives["script-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["sandbox"] == ["allow-scripts", "allow-same-origin"]


@pytest.mark.parametrize("table", [csp.WORKSPACE_DIRECTIVES, csp.DASHBOARD_DIRECTIVES])
def test_every_directive_says_why(table):
    assert all(why.strip() for _sources, why in table.values())


def test_server_config_sends_the_policy_on_every_answer():
    c = Config()
    server_config.apply(c)
    assert c.ServerApp.tornado_settings["headers"]["Content-Security-Policy"] == csp.WORKSPACE_POLICY
    assert c.ServerApp.tornado_settings["headers"]["X-DNS-Prefetch-Control"] == "off"


def test_workspace_pages_require_trusted_types_dashboards_do_not():
    # every HTML sink of the lab goes through the campus default policy (trusted_types.py);
    # a dashboard page runs inline scripts and does not load it
    assert parse(csp.WORKSPACE_POLICY)["require-trusted-types-for"] == ["'script'"]
    assert "require-trusted-types-for" not in parse(csp.DASHBOARD_POLICY)
    assert "trusted-types" not in parse(csp.DASHBOARD_POLICY)
