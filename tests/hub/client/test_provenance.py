"""The provenance log as a contract: its shape, and that the egress guard reads it as sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import campus
from campus import lineage, provenance
from egress_guard.provenance import parse_provenance

TPCH = Path(__file__).resolve().parents[3] / "bench" / "tpch"
TPCH_SCHEMAS = {
    table: {column: "VARCHAR" for column in columns.split()}
    for table, columns in {
        "customer": "c_custkey c_name c_address c_nationkey c_phone c_acctbal c_mktsegment c_comment",
        "lineitem": "l_orderkey l_partkey l_suppkey l_linenumber l_quantity l_extendedprice l_discount l_tax "
                    "l_returnflag l_linestatus l_shipdate l_commitdate l_receiptdate l_shipinstruct l_shipmode l_comment",
        "nation": "n_nationkey n_name n_regionkey n_comment",
        "orders": "o_orderkey o_custkey o_orderstatus o_totalprice o_orderdate o_orderpriority o_clerk "
                  "o_shippriority o_comment",
        "part": "p_partkey p_name p_mfgr p_brand p_type p_size p_container p_retailprice p_comment",
        "partsupp": "ps_partkey ps_suppkey ps_availqty ps_supplycost ps_comment",
        "region": "r_regionkey r_name r_comment",
        "supplier": "s_suppkey s_name s_address s_nationkey s_phone s_acctbal s_comment",
    }.items()
}


def test_keys_are_exactly_the_contract(workspace):
    campus.sql("SELECT district, count(*) FROM card_spending GROUP BY 1")
    campus.dask("stations", columns=["district"])
    for entry in campus.provenance.log():
        assert tuple(entry) == provenance.KEYS
        assert json.loads(json.dumps(entry)) == entry


def test_the_guard_reads_the_log(workspace):
    campus.sql("SELECT district, sum(amount_krw) AS total FROM card_spending GROUP BY district")
    campus.sql("SELECT COLUMNS('d.*') FROM stations")
    campus.dask("card_spending", columns=["category"])
    entries, error = parse_provenance(campus.provenance.log())
    assert error is None
    assert [entry.datasets for entry in entries] == [["card_spending"], ["stations"], ["card_spending"]]
    assert entries[0].output_columns[1].model_dump() == {"name": "total", "sources": ["card_spending.amount_krw"], "aggregated": True}


@pytest.mark.parametrize("path", sorted(TPCH.glob("q*.sql")), ids=lambda path: path.stem)
def test_tpch_queries_are_analysed_exactly(path):
    """The 22 TPC-H queries cover joins, correlated sub-queries, EXISTS, CTEs: none may fall back."""
    analysis = lineage.analyse(lineage.parse(path.read_text()), TPCH_SCHEMAS)
    assert analysis.exact
    assert analysis.datasets
