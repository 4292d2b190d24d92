"""Queries that aggregate inside WITH clauses or sub-queries, through the guard and the real policy.

The guard recounts cells for one level of GROUP BY only. A query whose groups are made in
WITH clauses and joined outside is legitimate but cannot be recounted: it goes to a
reviewer. A query that only claims to aggregate is still denied, whatever the claim says.
"""

from __future__ import annotations

import pytest

from tests.egress_guard.corpus.cases import Built
from tests.egress_guard.corpus.workspace import csv
from tests.egress_guard.test_corpus import guard, run  # noqa: F401  (guard is a fixture)

pytestmark = pytest.mark.slow

FLOWS = """
WITH departures AS (
    SELECT rent_station AS station, count(*) AS departures FROM bike_trips GROUP BY rent_station
), arrivals AS (
    SELECT return_station AS station, count(*) AS arrivals FROM bike_trips GROUP BY return_station
)
SELECT coalesce(d.station, a.station) AS station, coalesce(d.departures, 0) AS departures,
       coalesce(a.arrivals, 0) - coalesce(d.departures, 0) AS net_inflow
FROM departures d FULL OUTER JOIN arrivals a ON d.station = a.station
"""

# Claims to aggregate but hands back each trip's own distance, one row per trip.
DISGUISED = """
WITH per_trip AS (SELECT member_id, rent_time, distance_m FROM bike_trips)
SELECT member_id, rent_time, distance_m FROM per_trip
"""


def claimed_aggregate(ws, query: str) -> Built:
    ws.log.clear()
    frame = ws.sql(query)
    entry = dict(ws.log[-1])
    entry["aggregated"] = True
    entry["output_columns"] = [{**column, "aggregated": True} for column in entry["output_columns"]]
    return Built({"result.csv": csv(frame)}, [entry])


def findings_of(report) -> list[dict]:
    return [f.as_input() for f in report.findings]


def test_groups_made_in_with_clauses_go_to_a_reviewer(guard, egress_policy, tmp_path):
    report, answer = run(guard, egress_policy, claimed_aggregate(guard[3], FLOWS), tmp_path / "flows", "flows")
    assert answer.decision == "review", findings_of(report)
    messages = [f["message"] for f in findings_of(report)]
    assert any("aggregates inside WITH clauses or sub-queries" in m for m in messages)
    assert not any("does not aggregate" in m for m in messages)


def test_a_false_claim_of_aggregation_is_still_denied(guard, egress_policy, tmp_path):
    report, answer = run(guard, egress_policy, claimed_aggregate(guard[3], DISGUISED), tmp_path / "disguised", "disguised")
    assert answer.decision == "deny", findings_of(report)
    assert any("does not aggregate" in f["message"] for f in findings_of(report))


def test_groups_of_one_person_made_in_a_with_clause_are_denied(guard, egress_policy, tmp_path):
    per_member = "WITH g AS (SELECT member_id, count(*) AS trips FROM bike_trips GROUP BY member_id) SELECT member_id, trips FROM g"
    report, answer = run(guard, egress_policy, claimed_aggregate(guard[3], per_member), tmp_path / "members", "members")
    assert answer.decision == "deny", findings_of(report)
    assert any("grouped by the direct identifier 'bike_trips.member_id'" in f["message"] for f in findings_of(report))
