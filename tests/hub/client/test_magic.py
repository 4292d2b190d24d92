"""The %sql / %%sql magics in a real IPython shell: results, variables, provenance."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
from IPython.core.interactiveshell import InteractiveShell

import campus
from campus.magic import split


@pytest.fixture
def shell(workspace):
    ipython = InteractiveShell.instance()
    ipython.run_line_magic("load_ext", "campus")
    yield ipython
    ipython.user_ns.pop("top", None)


def test_cell_magic_returns_a_dataframe_and_is_logged(shell):
    result = shell.run_cell_magic("sql", "", "SELECT district, count(*) AS n FROM card_spending GROUP BY 1")
    assert isinstance(result, pd.DataFrame) and len(result) == 4
    (entry,) = campus.provenance.log()
    assert entry["sql"] == "SELECT district, count(*) AS n FROM card_spending GROUP BY 1"
    assert entry["aggregated"] is True


def test_cell_magic_stores_into_a_variable(shell):
    assert shell.run_cell_magic("sql", "--output arrow top <<", "SELECT * FROM stations") is None
    assert isinstance(shell.user_ns["top"], pa.Table)
    assert campus.provenance.log()[0]["datasets"] == ["stations"]


def test_line_magic(shell):
    result = shell.run_line_magic("sql", "SELECT count(*) AS n FROM stations")
    assert result["n"][0] == 3


def test_through_run_cell(shell):
    outcome = shell.run_cell("%%sql\nSELECT * FROM health_records\n")
    assert isinstance(outcome.error_in_exec, campus.CampusQueryError)
    assert "has no grant for dataset" in str(outcome.error_in_exec)
    assert campus.provenance.log() == []


@pytest.mark.parametrize(("line", "cell", "expected"), [
    ("", "SELECT 1", (None, "pandas", "SELECT 1")),
    ("df <<", "SELECT 1", ("df", "pandas", "SELECT 1")),
    ("--output polars", "SELECT 1", (None, "polars", "SELECT 1")),
    ("-o arrow df<<", "SELECT 1", ("df", "arrow", "SELECT 1")),
    ("SELECT 1", None, (None, "pandas", "SELECT 1")),
    ("df << SELECT 2", None, ("df", "pandas", "SELECT 2")),
])
def test_split(line, cell, expected):
    assert split(line, cell) == expected


def test_split_refuses_text_after_cell_options():
    with pytest.raises(campus.CampusQueryError, match="unexpected 'SELECT 1' after %%sql"):
        split("SELECT 1", "SELECT 2")


def test_export_stays_a_function_after_its_module_is_imported(shell):
    import importlib
    import importlib.util

    if importlib.util.find_spec("campus.export") is None:
        pytest.skip("campus.export is not in this tree yet")
    importlib.import_module("campus.export")
    assert callable(campus.export)
    assert "export" in shell.magics_manager.magics["line"]  # %load_ext campus brings %export along
