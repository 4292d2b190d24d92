"""PolicyClient against the real OPA server: access, egress, admin and release decisions.

Failure modes (OPA down, slow, undefined or malformed answers) are in test_fail_closed.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.errors import PermissionDenied
from hub.policy.client import PolicyClient

from .conftest import NOW


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# ----- access -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "now", "allowed", "refused"),
    [
        # member, within tier, in force; expired and too-high-tier grants refused with a reason
        (
            "alice",
            NOW,
            ["bike_trips"],
            {
                "air_quality": "grant to project mobility expired at 2026-01-01T00:00:00Z",
                "card_spending": "dataset tier restricted is above project mobility max_tier internal",
            },
        ),
        # the same grant the second before it expires
        ("bob", at("2025-12-31T23:59:59"), ["air_quality", "bike_trips"], {"card_spending": "dataset tier restricted is above project mobility max_tier internal"}),
        # a grant without expiry; a restricted project may hold restricted data
        ("carol", NOW, ["air_quality", "card_spending"], {}),
        # after every grant expired: nothing, each with its reason
        ("carol", at("2027-06-01T00:00:00"), ["card_spending"], {"air_quality": "grant to project spending expired at 2027-01-01T00:00:00Z"}),
        # not a member of any project: nothing at all
        ("mallory", NOW, [], {}),
        ("", NOW, [], {}),
        # a steward is not a member either
        ("sam", NOW, [], {}),
    ],
)
def test_access(client: PolicyClient, user, now, allowed, refused):
    decision = client.access(user, now=now)
    assert decision.error is None
    assert decision.allowed == allowed
    assert decision.refused == refused


def test_access_uses_the_current_time_by_default(client: PolicyClient):
    # air_quality's grant to mobility expired on 2026-01-01, before the clock of this run.
    assert "air_quality" in client.access("alice").refused


# ----- egress thresholds ----------------------------------------------------------------

ACRO = {"min_cell_count": 10, "dominance_n": 2, "dominance_k": 0.9, "p_ratio": 0.1, "zeros_disclosive": False, "max_row_fraction": 0.5}


@pytest.mark.parametrize(
    ("datasets", "expected"),
    [
        # strictest wins, key by key, across two datasets
        (["card_spending", "bike_trips"], {"min_cell_count": 25, "dominance_n": 3, "dominance_k": 0.8, "p_ratio": 0.1, "zeros_disclosive": True, "max_row_fraction": 0.2}),
        (["bike_trips", "card_spending"], {"min_cell_count": 25, "dominance_n": 3, "dominance_k": 0.8, "p_ratio": 0.1, "zeros_disclosive": True, "max_row_fraction": 0.2}),
        (["card_spending"], ACRO),
        # no settings, no datasets, unknown datasets: the ACRO defaults
        (["air_quality"], ACRO),
        ([], ACRO),
        (["no_such_dataset"], ACRO),
    ],
)
def test_egress_thresholds(client: PolicyClient, datasets, expected):
    assert client.egress_thresholds(datasets) == expected


# ----- egress decisions -----------------------------------------------------------------

REQUEST = {
    "id": "r1",
    "user": "alice",
    "project": "mobility",
    "datasets": ["bike_trips"],
    "files": [{"name": "trips_by_gu.csv", "kind": "csv"}],
    "provenance_complete": True,
}
INFO = {"check": "pii", "severity": "info", "message": "no identifier found", "location": "trips_by_gu.csv"}
SMALL = {"check": "small_cells", "severity": "review", "message": "3 cells below 25", "location": "trips_by_gu.csv:B4"}
RRN = {"check": "pii", "severity": "deny", "message": "KR_RRN found", "location": "trips_by_gu.csv:C7", "score": 1.0}


def request(**changes) -> dict:
    return {**REQUEST, **changes}


@pytest.mark.parametrize(
    ("req", "findings", "decision", "reasons"),
    [
        (REQUEST, [], "approve", ["no check asked for review or denial"]),
        (REQUEST, [INFO], "approve", ["no check asked for review or denial"]),
        (REQUEST, [INFO, SMALL], "review", ["small_cells: 3 cells below 25"]),
        (REQUEST, [SMALL, RRN], "deny", ["pii: KR_RRN found", "small_cells: 3 cells below 25"]),
        (request(provenance_complete=False), [], "review", ["provenance: the queries behind the output are not fully known"]),
        (request(datasets=[]), [], "review", ["provenance: table trips_by_gu.csv has no known source dataset to check it against"]),
        (request(datasets=[], files=[{"name": "chart.png", "kind": "image"}]), [], "approve", ["no check asked for review or denial"]),
        (request(user="mallory"), [], "deny", ["membership: user mallory is not a member of project mobility"]),
        (request(project="nope"), [], "deny", ["membership: project nope is not registered"]),
        (request(datasets=["card_spending"]), [], "deny", ["grant: dataset card_spending: dataset tier restricted is above project mobility max_tier internal"]),
        (request(datasets=["air_quality"]), [], "deny", ["grant: dataset air_quality: grant to project mobility expired at 2026-01-01T00:00:00Z"]),
        (request(datasets=["bike_trips", "taxi"]), [], "deny", ["grant: dataset taxi is not granted to project mobility"]),
        # malformed input is refused, not waved through
        ({"id": "r1", "project": "mobility", "datasets": ["bike_trips"], "files": [], "provenance_complete": True}, [], "deny", ["membership: user null is not a member of project mobility"]),
        ({}, [], "deny", ["membership: project null is not registered", "provenance: the queries behind the output are not fully known"]),
        (REQUEST, [{"severity": "deny"}], "deny", ["unnamed check: no message"]),
        (REQUEST, [{"check": "odd", "severity": "fatal"}], "review", ["odd: finding of unknown severity fatal"]),
    ],
)
def test_egress(client: PolicyClient, req, findings, decision, reasons):
    answer = client.egress(req, findings, now=NOW)
    assert (answer.decision, answer.reasons, answer.error) == (decision, reasons, None)


# ----- administration -------------------------------------------------------------------

STEWARD_ACTIONS = ["dataset.register", "dataset.update", "project.create", "project.add_member", "project.grant", "project.revoke"]
EXPORT = {"id": "r1", "user": "alice", "project": "mobility", "datasets": ["bike_trips"], "reviews": []}


@pytest.mark.parametrize("action", STEWARD_ACTIONS)
@pytest.mark.parametrize(("actor", "allowed"), [("sam", True), ("alice", False), ("rita", False), ("nobody", False)])
def test_steward_actions(client: PolicyClient, action, actor, allowed):
    context = {"project": {"name": "mobility", "max_tier": "confidential"}, "dataset": {"name": "bike_trips", "tier": "internal"}}
    assert client.admin(action, actor, **context).allow is allowed


@pytest.mark.parametrize(
    ("dataset_tier", "project_tier", "allow"),
    [("internal", "confidential", True), ("confidential", "confidential", True), ("restricted", "confidential", False), (None, "confidential", False)],
)
def test_grant_respects_the_project_tier(client: PolicyClient, dataset_tier, project_tier, allow):
    dataset = {"name": "bike_trips"} | ({"tier": dataset_tier} if dataset_tier else {})
    decision = client.admin("project.grant", "sam", project={"name": "mobility", "max_tier": project_tier}, dataset=dataset)
    assert decision.allow is allow
    if not allow:
        assert decision.reasons and decision.reasons[0].startswith("project.grant:")


@pytest.mark.parametrize(
    ("action", "actor", "context", "allow", "reasons"),
    [
        ("policy.view", "sam", {}, True, []),
        ("policy.view", "rita", {}, True, []),
        ("policy.view", "alice", {}, False, ["alice may not policy.view: it needs the role reviewer or steward"]),
        ("dataset.delete", "sam", {}, False, ["unknown action dataset.delete"]),
        ("project.grant", "alice", {"project": {"name": "p", "max_tier": "restricted"}, "dataset": {"name": "d", "tier": "public"}}, False, ["alice may not project.grant: it needs the role steward"]),
        ("export.approve", "rita", {"request": EXPORT}, True, []),
        ("export.reject", "rita", {"request": EXPORT}, True, []),
        ("export.approve", "sam", {"request": EXPORT}, False, ["sam may not export.approve: it needs the role reviewer"]),
        # nobody reviews their own request, even a reviewer
        ("export.approve", "rex", {"request": {**EXPORT, "user": "rex"}}, False, ["review: rex may not review their own export request r1"]),
        ("export.reject", "rex", {"request": {**EXPORT, "user": "rex"}}, False, ["review: rex may not review their own export request r1"]),
        # the same reviewer cannot count twice; another reviewer can
        ("export.approve", "rita", {"request": {**EXPORT, "reviews": [{"reviewer": "rita", "verdict": "approve"}]}}, False, ["review: rita has already reviewed export request r1"]),
        ("export.approve", "ray", {"request": {**EXPORT, "reviews": [{"reviewer": "rita", "verdict": "approve"}]}}, True, []),
        ("export.approve", "rita", {}, False, ["review: the export request is missing or malformed"]),
    ],
)
def test_admin(client: PolicyClient, action, actor, context, allow, reasons):
    decision = client.admin(action, actor, **context)
    assert (decision.allow, decision.reasons, decision.error) == (allow, reasons, None)


def test_require_admin_raises_with_the_reasons(client: PolicyClient):
    assert client.require_admin("project.create", "sam", project={"name": "x", "max_tier": "public"})
    with pytest.raises(PermissionDenied, match="alice may not project.create: it needs the role steward"):
        client.require_admin("project.create", "alice")


def approve(who: str) -> dict:
    return {"reviewer": who, "verdict": "approve"}


@pytest.mark.parametrize(
    ("datasets", "reviews", "user", "ready", "approvals", "required"),
    [
        (["bike_trips"], [], "alice", False, 0, 1),
        (["bike_trips"], [approve("rita")], "alice", True, 1, 1),
        # two_person_review: two distinct reviewers
        (["bike_trips", "card_spending"], [approve("rita")], "alice", False, 1, 2),
        (["card_spending"], [approve("rita"), approve("rita")], "alice", False, 1, 2),
        (["card_spending"], [approve("rita"), approve("ray")], "alice", True, 2, 2),
        # approvals by a non-reviewer or by the requester do not count
        (["card_spending"], [approve("sam"), approve("rex"), approve("rita")], "rex", False, 1, 2),
        # a rejection holds the release
        (["bike_trips"], [approve("rita"), {"reviewer": "ray", "verdict": "reject"}], "alice", False, 1, 1),
        # a dataset the catalog does not know needs two reviewers
        (["mystery"], [approve("rita")], "alice", False, 1, 2),
    ],
)
def test_release_ready(client: PolicyClient, datasets, reviews, user, ready, approvals, required):
    decision = client.release_ready({**EXPORT, "user": user, "datasets": datasets, "reviews": reviews})
    assert (bool(decision), decision.approvals, decision.required, decision.error) == (ready, approvals, required, None)
