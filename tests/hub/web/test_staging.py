"""Datasets on their way in: staging and previews (hub/web/staging.py)."""

import os

import pytest

from hub.errors import CatalogError
from hub.web import staging


@pytest.fixture
def roots(tmp_path):
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "people.csv").write_text("name,phone,amount\n김민준,010-1234-5678,100\n이서연,010-2222-3333,200\n")
    (tmp_path / "secret.csv").write_text("a\n1\n")
    (incoming / "escape.csv").symlink_to(tmp_path / "secret.csv")
    return tmp_path / "staging", (incoming.resolve(),)


def test_server_path_is_linked_and_previewed_with_suggestions(roots):
    root, imports = roots
    token = staging.stage_server_path(root, "sam", "people.csv", imports)
    staged = staging.preview(root, token, "sam")
    assert staged.rows == 2 and staged.filename == "people.csv"
    assert [(c.name, c.type, c.suggested) for c in staged.columns] == [
        ("name", "string", "direct_identifier"),
        ("phone", "string", "direct_identifier"),
        ("amount", "integer", "sensitive"),
    ]
    assert staged.columns[1].samples == ["010-1234-5678", "010-2222-3333"]


@pytest.mark.parametrize(
    "path, message",
    [
        ("/etc/passwd", "outside the import folders"),
        ("../secret.csv", "outside the import folders"),
        ("escape.csv", "outside the import folders"),  # a symlink pointing out is resolved first
        ("nothing.csv", "is not a file"),
        ("  ", "give a file"),
    ],
)
def test_server_paths_outside_the_import_folders_are_refused(roots, path, message):
    root, imports = roots
    with pytest.raises(CatalogError, match=message):
        staging.stage_server_path(root, "sam", path, imports)
    assert not root.exists() or not any(root.iterdir())  # nothing staged


@pytest.mark.parametrize("filename", ["../../etc/x.csv", "a b.csv", "x.exe", ".hidden.csv", "x.csv.sh"])
def test_upload_names_are_plain_csv_or_parquet(tmp_path, filename):
    if filename.startswith("../"):  # a path is reduced to its base name, which is fine
        assert staging.stage_upload(tmp_path, "sam", filename, b"a\n1\n")
        return
    with pytest.raises(CatalogError, match="must be a plain"):
        staging.stage_upload(tmp_path, "sam", filename, b"a\n1\n")


def test_a_staged_upload_belongs_to_its_owner(tmp_path):
    token = staging.stage_upload(tmp_path, "sam", "t.csv", b"a\n1\n")
    with pytest.raises(CatalogError, match="another user"):
        staging.preview(tmp_path, token, "mallory")
    with pytest.raises(CatalogError, match="unknown or expired"):
        staging.preview(tmp_path, "0" * 32, "sam")
    with pytest.raises(CatalogError, match="unknown or expired"):
        staging.folder_of(tmp_path, "../" + token, "sam")


def test_old_staging_folders_are_swept(tmp_path):
    old = staging.stage_upload(tmp_path, "sam", "t.csv", b"a\n1\n")
    os.utime(tmp_path / old, (0, 0))
    staging.stage_upload(tmp_path, "sam", "u.csv", b"a\n1\n")
    assert not (tmp_path / old).exists()
