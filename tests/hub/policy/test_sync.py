"""push_catalog: the catalog document lands at data.campus.catalog; failures raise PolicyUnavailable."""

from __future__ import annotations

import httpx
import pytest

from hub.errors import PolicyUnavailable
from hub.policy.client import PolicyClient
from hub.policy.sync import push_catalog

from tests.fixtures.opa import opa_headers

from .conftest import CATALOG, NOW


def test_push_replaces_the_whole_catalog(scratch_opa):
    server = scratch_opa()  # starts with CATALOG pushed
    client = PolicyClient(server.url)
    assert client.access("carol", now=NOW).allowed == ["air_quality", "card_spending"]

    # carol leaves the project: the next push is the whole new document, not a merge.
    projects = {**CATALOG["projects"], "spending": {**CATALOG["projects"]["spending"], "members": []}}
    push_catalog(server.url, {**CATALOG, "projects": projects})
    assert client.access("carol", now=NOW).allowed == []
    catalog = httpx.get(f"{server.url}/v1/data/campus/catalog", headers=opa_headers(server.tokens.catalog)).json()["result"]
    assert catalog["projects"]["spending"]["members"] == []


@pytest.mark.parametrize("document", [{}, {"datasets": {}}, [], "catalog"])
def test_push_refuses_a_document_of_the_wrong_shape(opa_server, document):
    with pytest.raises(ValueError, match="datasets, projects and users"):
        push_catalog(opa_server.url, document)


def test_push_to_a_path_owned_by_the_policies_is_refused(opa_server, monkeypatch):
    # If the catalog path ever moved under the policies' data, the push must fail loudly:
    # the catalog token opens campus/catalog only (and the bundle's roots are behind it).
    monkeypatch.setattr("hub.policy.sync.CATALOG_PATH", "campus/access/catalog")
    with pytest.raises(PolicyUnavailable, match="refused the campus's credentials"):
        push_catalog(opa_server.url, CATALOG)


def test_push_to_nowhere_raises():
    with pytest.raises(PolicyUnavailable, match="^policy service unavailable: catalog push: cannot connect"):
        push_catalog("http://127.0.0.1:9", CATALOG, timeout=0.5)
