"""The life-cycle table: every state is covered, and only the listed moves are allowed."""

from __future__ import annotations

import itertools

import pytest

from hub.audit import EVENTS
from hub.egress.states import TERMINAL, TRANSITIONS, InvalidTransition, Role, State, can_transition, check_transition


def test_every_state_is_reachable_or_initial_and_every_non_terminal_state_has_a_way_out():
    sources = {a for a, _ in TRANSITIONS}
    targets = {b for _, b in TRANSITIONS}
    for state in State:
        assert state in targets or state == State.draft, f"{state} cannot be reached"
        assert (state in sources) != (state in TERMINAL), f"{state}: terminal states have no way out, others must"


def test_every_transition_emits_a_known_audit_event():
    assert {t.event for t in TRANSITIONS.values()} <= EVENTS


@pytest.mark.parametrize(
    "current,target,role,allowed",
    [
        ("draft", "submitted", "author", True),
        ("submitted", "checking", "guard", True),
        ("checking", "approved", "guard", True),
        ("checking", "in_review", "guard", True),
        ("in_review", "approved", "reviewer", True),
        ("approved", "released", "system", True),
        ("in_review", "withdrawn", "author", True),
        # negative cases: wrong role, skipped steps, leaving a terminal state
        ("in_review", "approved", "author", False),
        ("checking", "approved", "reviewer", False),
        ("submitted", "released", "system", False),
        ("rejected", "approved", "reviewer", False),
        ("released", "withdrawn", "author", False),
        ("approved", "withdrawn", "author", False),
    ],
)
def test_table(current, target, role, allowed):
    assert can_transition(current, target, role) is allowed
    if not allowed:
        with pytest.raises(InvalidTransition, match=f"from {current} to {target}"):
            check_transition("exp-x", current, target, role)


def test_nothing_leaves_a_terminal_state():
    for state, target, role in itertools.product(TERMINAL, State, Role):
        assert not can_transition(state, target, role)
