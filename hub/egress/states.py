"""The life cycle of an export request, in one table.

Every allowed transition, who may make it and which audit event it emits. `check_*`
raises InvalidTransition naming the state change; `can_*` answers a bool. Every
transition also emits `export.transition` (from, to, findings), in the same transaction
as the state change.

    draft ─author─► submitted ─guard─► checking ─guard─► approved ─system─► released
                                          │ ├─guard─► in_review ─reviewer─► approved / rejected
                                          │ └─guard─► rejected
    draft / submitted / in_review ─author─► withdrawn
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hub.errors import CampusError


class State(StrEnum):
    draft = "draft"
    submitted = "submitted"
    checking = "checking"
    approved = "approved"
    in_review = "in_review"
    released = "released"
    rejected = "rejected"
    withdrawn = "withdrawn"


class Role(StrEnum):
    author = "author"  # the user who made the request
    guard = "guard"  # the egress guard (the campus service or CLI running the checks)
    reviewer = "reviewer"  # compliance staff; the policy decides who counts (campus.admin)
    system = "system"  # the release step after an approval


@dataclass(frozen=True)
class Transition:
    role: Role
    event: str


TRANSITIONS: dict[tuple[State, State], Transition] = {
    (State.draft, State.submitted): Transition(Role.author, "export.submitted"),
    (State.submitted, State.checking): Transition(Role.guard, "export.transition"),
    (State.checking, State.approved): Transition(Role.guard, "export.checked"),
    (State.checking, State.in_review): Transition(Role.guard, "export.checked"),
    (State.checking, State.rejected): Transition(Role.guard, "export.checked"),
    (State.in_review, State.approved): Transition(Role.reviewer, "export.reviewed"),
    (State.in_review, State.rejected): Transition(Role.reviewer, "export.reviewed"),
    (State.approved, State.released): Transition(Role.system, "export.released"),
    (State.draft, State.withdrawn): Transition(Role.author, "export.transition"),
    (State.submitted, State.withdrawn): Transition(Role.author, "export.transition"),
    (State.in_review, State.withdrawn): Transition(Role.author, "export.transition"),
}

TERMINAL = frozenset({State.released, State.rejected, State.withdrawn})
# Where the guard picks up again after a crash: nothing in these states was decided yet.
RESUMABLE = frozenset({State.submitted, State.checking, State.approved})
DECISION_STATE = {"approve": State.approved, "review": State.in_review, "deny": State.rejected}


class InvalidTransition(CampusError):
    def __init__(self, request_id: str, current: str, target: str, role: str):
        super().__init__(f"export request {request_id}: {role} cannot move it from {current} to {target}")
        self.request_id, self.current, self.target, self.role = request_id, current, target, role


def can_transition(current: State | str, target: State | str, role: Role | str) -> bool:
    transition = TRANSITIONS.get((State(current), State(target)))
    return transition is not None and transition.role == Role(role)


def check_transition(request_id: str, current: State | str, target: State | str, role: Role | str) -> Transition:
    if not can_transition(current, target, role):
        raise InvalidTransition(request_id, str(current), str(target), str(role))
    return TRANSITIONS[(State(current), State(target))]
