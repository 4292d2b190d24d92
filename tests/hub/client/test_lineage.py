"""Provenance analysis of SQL text: what is read, what each output derives from, aggregation."""

from __future__ import annotations

import pytest

from campus import lineage
from campus.errors import CampusQueryError

SCHEMAS = {
    "spend": {"holder_id": "VARCHAR", "district": "VARCHAR", "amount": "DOUBLE", "ts": "TIMESTAMP"},
    "stations": {"station": "VARCHAR", "district": "VARCHAR", "docks": "BIGINT"},
}


def analyse(sql: str) -> lineage.Analysis:
    return lineage.analyse(lineage.parse(sql), SCHEMAS)


def outputs(analysis: lineage.Analysis) -> list[tuple[tuple[str, ...], bool]]:
    assert analysis.outputs is not None, "analysis fell back to the conservative answer"
    return [(item.sources, item.aggregated) for item in analysis.outputs]


# (sql, query aggregated, [(sources, aggregated) per output column])
CASES = [
    ("SELECT district, sum(amount) FROM spend GROUP BY district", True,
     [(("spend.district",), False), (("spend.amount",), True)]),
    ("SELECT count(*) FROM spend", True, [((), True)]),
    ("SELECT * FROM stations", False,
     [(("stations.station",), False), (("stations.district",), False), (("stations.docks",), False)]),
    ("SELECT holder_id, amount * 2 AS double FROM spend WHERE district = 'Mapo'", False,
     [(("spend.holder_id",), False), (("spend.amount",), False)]),
    # mixing a record value with an aggregate is not an aggregate
    ("SELECT district, amount + sum(amount) OVER () FROM spend", False,
     [(("spend.district",), False), (("spend.amount",), False)]),
    ("SELECT district || '-' || max(amount) FROM spend GROUP BY district", True, [(("spend.amount", "spend.district"), False)]),
    # through a CTE and a derived table
    ("WITH g AS (SELECT district, avg(amount) m FROM spend GROUP BY 1) SELECT district, m / 1000 FROM g", True,
     [(("spend.district",), False), (("spend.amount",), True)]),
    ("SELECT * FROM (SELECT district, count(*) n FROM spend GROUP BY district) WHERE n >= 10", True,
     [(("spend.district",), False), ((), True)]),
    # a join: sources follow the side each column comes from
    ("SELECT s.district, t.docks, count(*) FROM spend s JOIN stations t ON s.district = t.district GROUP BY ALL", True,
     [(("spend.district",), False), (("stations.docks",), False), ((), True)]),
    # unions merge the sources of each position
    ("SELECT district FROM spend UNION ALL SELECT station FROM stations", False,
     [(("spend.district", "stations.station"), False)]),
    ("SELECT count(*) FROM spend UNION ALL SELECT count(*) FROM stations", True, [((), True)]),
    # window functions keep one row per record
    ("SELECT holder_id, lag(amount) OVER (ORDER BY ts) FROM spend", False,
     [(("spend.holder_id",), False), (("spend.amount", "spend.ts"), False)]),
    ("SELECT sum(amount) OVER (PARTITION BY district) FROM spend", False, [(("spend.amount", "spend.district"), False)]),
    # aggregates that hand back a member's own value
    ("SELECT district, list(holder_id), any_value(amount) FROM spend GROUP BY 1", True,
     [(("spend.district",), False), (("spend.holder_id",), False), (("spend.amount",), False)]),
    ("SELECT district, count(*) FILTER (WHERE amount > 10) FROM spend GROUP BY 1", True,
     [(("spend.district",), False), (("spend.amount",), True)]),
    # scalar sub-queries
    ("SELECT holder_id, (SELECT count(*) FROM stations) FROM spend", False, [(("spend.holder_id",), False), ((), True)]),
    ("SELECT district, (SELECT max(docks) FROM stations t WHERE t.district = s.district) FROM spend s", False,
     [(("spend.district",), False), (("stations.docks",), True)]),
    # DuckDB syntax
    ("FROM spend SELECT district", False, [(("spend.district",), False)]),
    ("SELECT * EXCLUDE (holder_id, ts) FROM spend", False, [(("spend.district",), False), (("spend.amount",), False)]),
    ("SELECT amount * 2 AS a2, a2 + 1 FROM spend", False, [(("spend.amount",), False), (("spend.amount",), False)]),
    ("SELECT i FROM range(3) r(i)", False, [((), False)]),
    ("SELECT DISTINCT holder_id FROM spend", False, [(("spend.holder_id",), False)]),
]


@pytest.mark.parametrize(("sql", "aggregated", "expected"), CASES, ids=[case[0][:50] for case in CASES])
def test_lineage(sql, aggregated, expected):
    analysis = analyse(sql)
    assert analysis.aggregated is aggregated
    assert outputs(analysis) == expected


@pytest.mark.parametrize(("sql", "columns"), [
    ("SELECT count(*) FROM spend", {"spend": ()}),
    ("SELECT district FROM spend WHERE amount > 5 ORDER BY ts", {"spend": ("amount", "district", "ts")}),
    ("SELECT 1 FROM spend s WHERE EXISTS (SELECT 1 FROM stations t WHERE t.district = s.district)",
     {"spend": ("district",), "stations": ("district",)}),
    ("SELECT * FROM spend WHERE district IN (SELECT district FROM stations)",
     {"spend": ("amount", "district", "holder_id", "ts"), "stations": ("district",)}),
])
def test_columns_read_include_filters(sql, columns):
    assert analyse(sql).columns == columns


@pytest.mark.parametrize("sql", [
    "SELECT COLUMNS('amount') FROM spend",  # picked at run time
    "SELECT nosuch FROM spend",  # the engine will refuse it; until then, assume the worst
])
def test_doubt_gives_the_conservative_answer(sql):
    analysis = analyse(sql)
    assert not analysis.exact
    assert analysis.aggregated is False
    assert analysis.columns == {"spend": tuple(SCHEMAS["spend"])}
    everything = lineage.conservative_outputs(analysis, 2)
    assert all(not item.aggregated and "spend.holder_id" in item.sources for item in everything)


@pytest.mark.parametrize(("sql", "tables"), [
    ("SELECT * FROM spend", {"spend"}),
    ("SELECT * FROM Spend", {"spend"}),
    ("SELECT * FROM main.spend", {"spend"}),
    ('SELECT * FROM "SPEND"', {"spend"}),
    ("WITH spend AS (SELECT 1) SELECT * FROM spend", set()),
    ("WITH c AS (SELECT * FROM stations) SELECT * FROM c JOIN health h ON true", {"stations", "health"}),
    ("SELECT * FROM other.secret", {"other.secret"}),
    ("SELECT * FROM range(10), unnest([1, 2])", set()),
])
def test_referenced_tables(sql, tables):
    assert lineage.referenced_tables(lineage.parse(sql)) == tables


@pytest.mark.parametrize(("sql", "message"), [
    ("SELECT * FROM read_parquet('/data/spend/spend.parquet')", "read_parquet() reads files directly"),
    ("SELECT * FROM read_csv_auto('/etc/passwd')", "reads files directly"),
    ("SELECT * FROM '/data/spend/spend.parquet'", "looks like a file path"),
    ("SELECT * FROM 'x.csv'", "looks like a file path"),
    ("SELECT * FROM query_table('spend')", "reads files directly"),
    ("SELECT a,\n  b FROM WHERE", "syntax error at line 2, column"),
    ("SELECT (1", "syntax error"),
    ("", "the query is empty"),
    ("SELECT 1; SELECT 2", "one query at a time"),
    ("CREATE TABLE x AS SELECT 1", "CREATE statements are not available"),
    ("COPY spend TO '/home/me/out.csv'", "statements are not available"),
    ("ATTACH '/tmp/x.db'", "statements are not available"),
    ("SET enable_external_access = true", "statements are not available"),
    ("INSTALL httpfs", "statements are not available"),
    ("PRAGMA version", "statements are not available"),
])
def test_refused(sql, message):
    with pytest.raises(CampusQueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        lineage.referenced_tables(lineage.parse(sql))
