"""Registering the console with JupyterHub (hub/web/hubconfig.py)."""

from traitlets.config import Config

from hub.web.hubconfig import configure_console, service_spec


def test_service_spec_is_a_managed_oauth_service_carrying_the_campus_scopes():
    spec = service_spec(10555, {"CAMPUS_HOME": "/x", "SECRET": "no"})
    assert spec["name"] == "console" and spec["url"] == "http://127.0.0.1:10555"
    assert spec["oauth_no_confirm"] is True
    assert spec["oauth_client_allowed_scopes"] == ["custom:campus:research", "custom:campus:review", "custom:campus:steward"]
    assert spec["environment"] == {"CAMPUS_HOME": "/x"}  # nothing else of the hub's environment


def test_configure_console_adds_the_service_once_and_keeps_other_services_and_roles():
    c = Config()
    c.JupyterHub.services = [{"name": "campus", "url": "http://127.0.0.1:1"}]
    c.JupyterHub.load_roles = [{"name": "campus-steward", "scopes": ["self"]}]
    configure_console(c, {"CAMPUS_CONSOLE_PORT": "10555"})
    configure_console(c, {"CAMPUS_CONSOLE_PORT": "10556"})
    assert [s["name"] for s in c.JupyterHub.services] == ["campus", "console"]
    assert c.JupyterHub.services[1]["url"] == "http://127.0.0.1:10556"
    user = next(r for r in c.JupyterHub.load_roles if r["name"] == "user")
    assert user["scopes"] == ["self", "access:services!service=console"]
    assert {r["name"] for r in c.JupyterHub.load_roles} == {"campus-steward", "user"}
