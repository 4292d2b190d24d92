"""The kernel's DuckDB connection: views work, everything else is shut, limits applied.

These attack the connection directly (not through campus.sql, whose parser would refuse
most of them first): the lock must hold even if the text check were bypassed.
"""

from __future__ import annotations

import duckdb
import pytest

from campus import engine


def run(sql: str):
    return engine.get().connection.sql(sql).fetchall()


def test_views_survive_the_lockdown(workspace):
    assert run("SELECT count(*) FROM card_spending") == [(40,)]
    assert run("SELECT count(*) FROM stations") == [(3,)]
    assert run("SELECT current_setting('enable_external_access')") == [(False,)]


@pytest.mark.parametrize("attack", [
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM '/etc/hosts'",
    "COPY (SELECT * FROM card_spending) TO '{tmp}/leak.csv'",
    "COPY (SELECT * FROM card_spending) TO '{data}/card_spending/leak.csv'",
    "ATTACH '{tmp}/other.duckdb' AS other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "SET allowed_directories = ['/']",
    "SET allowed_paths = ['/etc/passwd']",
    "SET lock_configuration = false",
    "SET python_enable_replacements = true",
])
def test_attacks_fail(workspace, tmp_path, attack):
    with pytest.raises(duckdb.Error):
        run(attack.format(tmp=tmp_path, data=workspace))
    assert not (tmp_path / "leak.csv").exists()
    assert not (workspace / "card_spending" / "leak.csv").exists()


def test_python_variables_are_not_tables(workspace):
    secret = duckdb  # noqa: F841 - a name in scope that a replacement scan could pick up
    import pandas as pd

    frame = pd.DataFrame({"x": [1]})  # noqa: F841
    with pytest.raises(duckdb.Error):
        run("SELECT * FROM frame")


def test_limits_from_the_workspace(workspace, monkeypatch):
    monkeypatch.setenv("CAMPUS_MEM_LIMIT", "2G")
    monkeypatch.setenv("CAMPUS_CPUS", "1")
    engine.reset()
    (limit, threads), = run("SELECT current_setting('memory_limit'), current_setting('threads')")
    assert threads == 1
    assert limit == "1.1 GiB"  # 60 % of 2 GB


def test_spills_to_the_scratch_folder(workspace, monkeypatch, tmp_path):
    (temp,), = run("SELECT current_setting('temp_directory')")
    assert temp == str(tmp_path / "scratch" / "duckdb")


def test_broken_dataset_is_skipped_with_a_warning(workspace):
    (workspace / "stations" / "stations-0.csv").unlink()
    engine.reset()
    with pytest.warns(UserWarning, match="dataset stations cannot be read"):
        current = engine.get()
    assert set(current.schemas) == {"card_spending"}
