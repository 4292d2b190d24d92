"""Manifest validation: every malformed manifest is refused with one line naming the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hub.catalog.manifest import ColumnClass, load_manifest, parse_manifest
from hub.errors import ManifestError

MANIFESTS = Path(__file__).resolve().parents[3] / "datasets" / "manifests"

GOOD = {
    "name": "shop_visits",
    "title": "Shop visits",
    "description": "test",
    "owner": "sam",
    "tier": "internal",
    "files": ["visits.parquet"],
    "columns": [
        {"name": "visitor", "type": "string", "class": "direct_identifier"},
        {"name": "district", "type": "string", "class": "quasi_identifier"},
        {"name": "spent", "type": "integer", "class": "sensitive"},
    ],
}


def _with(**changes) -> dict:
    document = {**GOOD, **changes}
    return {k: v for k, v in document.items() if v is not None}


@pytest.mark.parametrize("path", sorted(MANIFESTS.glob("*.yaml")), ids=lambda p: p.stem)
def test_demo_manifests_are_valid(path):
    manifest = load_manifest(path)
    assert manifest.name == path.stem


def test_defaults_follow_acro():
    manifest = parse_manifest(GOOD)
    assert (manifest.disclosure.min_cell_count, manifest.disclosure.dominance_n, manifest.disclosure.dominance_k, manifest.disclosure.p_ratio) == (10, 2, 0.9, 0.1)
    assert manifest.columns_of_class(ColumnClass.direct_identifier) == ["visitor"]


BAD = {
    "unknown top-level key": (_with(ownr="x"), "unknown key 'ownr'"),
    "unknown disclosure key": (_with(disclosure={"min_cell_cnt": 5}), "unknown key 'disclosure.min_cell_cnt'"),
    "missing owner": (_with(owner=None), "missing key 'owner'"),
    "bad tier": (_with(tier="secret"), "tier"),
    "bad column class": (_with(columns=[{"name": "a", "type": "string", "class": "identifier"}]), "columns.0.class"),
    "bad column type": (_with(columns=[{"name": "a", "type": "text", "class": "attribute"}]), "columns.0.type"),
    "duplicate column": (_with(columns=[GOOD["columns"][0], GOOD["columns"][0]]), "declared twice"),
    "no columns": (_with(columns=[]), "columns"),
    "bad name": (_with(name="Shop Visits"), "lowercase"),
    "absolute file": (_with(files=["/etc/passwd.csv"]), "relative"),
    "escaping file": (_with(files=["../x.parquet"]), "relative"),
    "not parquet or csv": (_with(files=["visits.xlsx"]), "not Parquet or CSV"),
    "threshold below one": (_with(disclosure={"min_cell_count": 0}), "min_cell_count"),
    "k above one": (_with(disclosure={"dominance_k": 1.5}), "dominance_k"),
    "not a mapping": (["a", "b"], "must be a YAML mapping"),
}


@pytest.mark.parametrize("document, expected", BAD.values(), ids=BAD.keys())
def test_bad_manifests_are_refused_naming_the_problem(document, expected):
    with pytest.raises(ManifestError) as caught:
        parse_manifest(document, "m.yaml")
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"name: [unclosed\n", "malformed YAML at line"),
        (b"\xff\xfe n\x00a\x00m\x00e\x00", "not UTF-8"),
    ],
    ids=["malformed yaml", "bad encoding"],
)
def test_unreadable_files(tmp_path, content, expected):
    path = tmp_path / "m.yaml"
    path.write_bytes(content)
    with pytest.raises(ManifestError, match=expected):
        load_manifest(path)


def test_missing_file(tmp_path):
    with pytest.raises(ManifestError, match="no such manifest"):
        load_manifest(tmp_path / "nope.yaml")


def test_round_trip_spells_class_as_in_yaml():
    document = parse_manifest(GOOD).to_document()
    assert document["columns"][0]["class"] == "direct_identifier"
    assert parse_manifest(yaml.safe_load(yaml.safe_dump(document))) == parse_manifest(GOOD)
