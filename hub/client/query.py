"""`campus.sql`: run a query over the granted datasets and record its provenance.

Order matters: the text is parsed and its tables checked against the mounted datasets
before DuckDB sees it, so that a query on a dataset without a grant gets a sentence about
grants rather than an engine error. The lineage analysis (sqlglot's qualify and a scope
walk, the costly part) then runs on a thread of its own while DuckDB executes the query:
DuckDB releases the GIL while it works, so the provenance costs little wall time. It is
cached by query text: a re-run costs a dictionary lookup. The text DuckDB runs is the
researcher's own, so column names and behaviour are exactly DuckDB's.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor

import duckdb
from campus import catalog, engine, lineage, provenance
from campus.errors import CampusQueryError

OUTPUTS = ("pandas", "arrow", "polars")
CACHE_SIZE = 512

_cache: OrderedDict[str, lineage.Analysis] = OrderedDict()
_analyst = ThreadPoolExecutor(max_workers=1, thread_name_prefix="campus-lineage")


def _remember(sql: str, analysis: lineage.Analysis) -> lineage.Analysis:
    _cache[sql] = analysis
    if len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return analysis


def check(sql: str) -> lineage.Analysis | Future:
    """Parse and check a query; its analysis if cached, else a Future computing it.

    Raises CampusQueryError (syntax, statement kind, a dataset not mounted, a file read)
    before anything runs.
    """
    cached = _cache.get(sql)
    if cached is not None:
        _cache.move_to_end(sql)
        return cached
    current = engine.get()
    expression = lineage.parse(sql)
    for name in sorted(lineage.referenced_tables(expression)):
        if name not in current.schemas:
            raise CampusQueryError(catalog.why_unavailable(name))
    return _analyst.submit(lineage.analyse, expression, current.schemas, current.analysis_schema)


def analyse(sql: str) -> lineage.Analysis:
    """Parse, check and analyse a query (cached by text). Raises CampusQueryError."""
    pending = check(sql)
    return _remember(sql, pending.result()) if isinstance(pending, Future) else pending


def _engine_error(error: duckdb.Error) -> CampusQueryError:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    message = lines[0] if lines else type(error).__name__
    candidates = next((line for line in lines[1:] if line.startswith("Candidate")), None)
    if candidates:
        message += f" {candidates}"
    where = re.search(r"^LINE (\d+):", str(error), re.MULTILINE)
    if where:
        message += f" (line {where.group(1)})"
    return CampusQueryError(message)


def sql(query: str, *, output: str = "pandas"):
    """Run a read-only SQL query over the granted datasets (each one a view named after it).

    output: "pandas" (default) gives a DataFrame, "arrow" a pyarrow Table, "polars" a
    polars DataFrame. Every run is recorded in `campus.provenance.log()`.
    """
    if not isinstance(query, str):
        raise CampusQueryError(f"a query is text, not {type(query).__name__}")
    if output not in OUTPUTS:
        raise CampusQueryError(f"output must be one of {', '.join(OUTPUTS)}, not {output!r}")
    pending = check(query)
    current = engine.get()
    with current.lock:
        try:
            # A relation, not execute(): DuckDB converts a relation straight to Arrow/pandas,
            # without the extra copy of the rows a DB-API result costs.
            relation = current.connection.sql(query)
            names = list(relation.columns)
            if output == "pandas":
                result = relation.df()
            elif output == "arrow":
                result = relation.to_arrow_table()
            else:
                result = relation.pl()
        except duckdb.Error as error:
            raise _engine_error(error) from None
    analysis = _remember(query, pending.result()) if isinstance(pending, Future) else pending
    rows = len(result)
    outputs = analysis.outputs
    if outputs is None or len(outputs) != len(names):
        # The engine's result does not line up with the analysis: record the safe answer.
        analysis = lineage.conservative(list(analysis.datasets), engine.get().schemas)
        outputs = lineage.conservative_outputs(analysis, len(names))
    provenance.record(
        sql=query,
        datasets=analysis.datasets,
        columns=analysis.columns,
        aggregated=analysis.aggregated,
        output_columns=[
            {"name": name, "sources": list(item.sources), "aggregated": item.aggregated}
            for name, item in zip(names, outputs)
        ],
        rows=rows,
    )
    return result


def reset() -> None:
    """Forget every analysis (tests; the benchmark measures the cost of new queries)."""
    _cache.clear()
