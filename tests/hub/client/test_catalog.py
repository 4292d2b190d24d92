"""What the workspace sees mounted: the dataset listing, column classes, broken mounts."""

from __future__ import annotations

import json

import pytest

import campus
from campus import catalog

from .conftest import SPENDING, write_dataset


def test_datasets_lists_what_is_mounted(workspace):
    frame = campus.datasets()
    assert list(frame["name"]) == ["card_spending", "stations"]
    spending = frame.set_index("name").loc["card_spending"]
    assert spending["tier"] == "restricted"
    assert spending["direct_identifiers"] == "holder_id"
    assert spending["quasi_identifiers"] == "district"
    assert spending["sensitive"] == "amount_krw"
    assert spending["columns"] == 4


def test_describe_gives_column_classes(workspace):
    frame = campus.describe("card_spending")
    assert frame.to_dict("records")[0] == {"name": "holder_id", "type": "string", "class": "direct_identifier", "description": ""}


def test_describe_unknown(workspace):
    with pytest.raises(campus.CampusQueryError, match="project mobility has no grant for dataset 'health_records'"):
        campus.describe("health_records")


def test_nothing_mounted(tmp_path, monkeypatch):
    monkeypatch.setenv("CAMPUS_DATA_DIR", str(tmp_path / "absent"))
    catalog.reset()
    try:
        assert campus.datasets().empty
        assert list(campus.datasets().columns)[:3] == ["name", "title", "tier"]
    finally:
        catalog.reset()


@pytest.mark.parametrize(("breakage", "warning"), [
    (lambda folder: (folder / "manifest.json").unlink(), "no manifest.json"),
    (lambda folder: (folder / "manifest.json").write_text("{nope"), "not valid JSON"),
    (lambda folder: (folder / "manifest.json").write_text(json.dumps({"name": "broken"})), "missing key"),
    (lambda folder: (folder / "manifest.json").write_text(
        (folder / "manifest.json").read_text().replace('"tier"', '"tier_typo": 1, "tier"')), "unknown key 'tier_typo'"),
    (lambda folder: (folder / "manifest.json").write_text(
        (folder / "manifest.json").read_text().replace('"name": "broken"', '"name": "other"')), "mounted as 'broken'"),
])
def test_broken_mount_is_skipped(workspace, breakage, warning):
    breakage(write_dataset(workspace, "broken", SPENDING, {}))
    catalog.reset()
    with pytest.warns(UserWarning, match=warning):
        names = list(campus.datasets()["name"])
    assert names == ["card_spending", "stations"]


def test_hidden_folders_are_ignored(workspace):
    write_dataset(workspace, ".staging", SPENDING, {})
    catalog.reset()
    assert ".staging" not in list(campus.datasets()["name"])


@pytest.mark.parametrize(("document", "expected"), [
    ({"datasets": ["a", "b"]}, frozenset({"a", "b"})),
    ({"datasets": "a"}, None),
    ({"datasets": [1]}, None),
    (["a"], None),
])
def test_catalog_file_contract(workspace, tmp_path, monkeypatch, document, expected):
    path = tmp_path / "other-catalog.json"
    path.write_text(json.dumps(document))
    monkeypatch.setenv("CAMPUS_CATALOG", str(path))
    catalog.reset()
    assert catalog.registered() == expected


def test_project_comes_from_the_environment_before_the_catalog_file(workspace, monkeypatch):
    monkeypatch.delenv("CAMPUS_PROJECT", raising=False)
    assert catalog.project() == "mobility"
    monkeypatch.setenv("CAMPUS_PROJECT", "retail")
    assert catalog.project() == "retail"
    with pytest.raises(campus.CampusQueryError, match="project retail has no grant for dataset 'health_records'"):
        campus.describe("health_records")


def test_without_a_project_the_message_still_says_no_grant(workspace, tmp_path, monkeypatch):
    monkeypatch.delenv("CAMPUS_PROJECT", raising=False)
    path = tmp_path / "no-project.json"
    path.write_text(json.dumps({"datasets": ["health_records"]}))
    monkeypatch.setenv("CAMPUS_CATALOG", str(path))
    catalog.reset()
    with pytest.raises(campus.CampusQueryError, match="this workspace's project has no grant for dataset 'health_records'"):
        campus.describe("health_records")
