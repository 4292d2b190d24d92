"""Host-side workspace files: the example notebooks are seeded once, and never through a link."""

from __future__ import annotations

import os

import pytest

from hub.spawner.workspace_files import seed_examples

UID = 30999


@pytest.fixture
def examples(tmp_path):
    source = tmp_path / "notebooks"
    source.mkdir()
    (source / "one.ipynb").write_text('{"cells": []}')
    (source / "two.ipynb").write_text('{"cells": [1]}')
    (source / "notes.txt").write_text("not a notebook")
    return source


@pytest.fixture
def home(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("seeding hands files to another uid: needs root")
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def test_first_spawn_copies_the_notebooks_owned_by_the_user(examples, home):
    assert seed_examples(examples, home, UID) is True
    copied = sorted(p.name for p in (home / "examples").iterdir())
    assert copied == ["one.ipynb", "two.ipynb"]
    assert (home / "examples" / "two.ipynb").read_text() == '{"cells": [1]}'
    assert {(p.stat().st_uid, p.stat().st_gid) for p in [home / "examples", *(home / "examples").iterdir()]} == {(UID, UID)}


def test_edits_and_deletions_survive_the_next_spawn(examples, home):
    seed_examples(examples, home, UID)
    (home / "examples" / "one.ipynb").write_text("edited")
    (home / "examples" / "two.ipynb").unlink()
    assert seed_examples(examples, home, UID) is False
    assert (home / "examples" / "one.ipynb").read_text() == "edited"
    assert not (home / "examples" / "two.ipynb").exists()


def test_a_symlink_named_examples_is_not_followed(examples, home, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (home / "examples").symlink_to(victim)
    assert seed_examples(examples, home, UID) is False
    assert list(victim.iterdir()) == []


def test_no_source_folder_seeds_nothing(home, tmp_path):
    assert seed_examples(tmp_path / "missing", home, UID) is False
    assert not (home / "examples").exists()
