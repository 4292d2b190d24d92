"""Export requests end to end: submit, check with the egress guard, review, release, download.

The data layer of the life cycle in hub.egress.states. Every state change and its audit
events are one transaction (the request row is locked first: FOR UPDATE on PostgreSQL,
BEGIN IMMEDIATE on SQLite). The checks themselves run outside any transaction, between
two: `submitted → checking` is committed first, so a guard killed mid-check leaves the
request in `checking`, and `resume()` checks it again. The final decision only applies if
the request is still in `checking`, and the release only if it is still `approved`, so a
request is released once, whoever resumes it.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hub import audit
from hub.catalog.manifest import parse_manifest
from hub.catalog.models import Dataset, User, utcnow_iso
from hub.db import session_scope
from hub.egress.models import ExportFile, ExportFinding, ExportRequest, ExportReview, LedgerEntry
from hub.egress.states import DECISION_STATE, Role, State, check_transition
from hub.errors import CampusError, NotFound, PermissionDenied, PolicyUnavailable
from hub.settings import CampusSettings, get_settings

GUARD_ACTOR = "egress-guard"
MAX_AUDITED_FINDINGS = 50


class ExportError(CampusError):
    """An export request is malformed or refers to something that does not exist."""


@dataclass(frozen=True)
class Outcome:
    """Where a request stands after a step, and why."""

    request_id: str
    state: str
    reasons: list[str]


def new_request_id() -> str:
    return f"exp-{uuid.uuid4().hex[:16]}"


def guard_catalog(session: Session, settings: CampusSettings) -> dict:
    """The registered datasets as the guard sees them (files in their registered folder)."""
    from egress_guard.source import DatasetInfo

    catalog = {}
    for dataset in session.execute(select(Dataset)).scalars():
        document = dict(dataset.manifest) | {"files": [f["path"] for f in dataset.files]}
        catalog[dataset.name] = DatasetInfo(dataset.name, parse_manifest(document, dataset.name), dataset.row_count, settings.data_root / dataset.name)
    return catalog


class ExportService:
    """Export requests of one campus. `policy` is a hub.policy.client.PolicyClient."""

    def __init__(self, settings: CampusSettings | None = None, policy=None, registry=None):
        from hub.policy.client import PolicyClient

        self.settings = settings or get_settings()
        self.policy = policy or PolicyClient.for_campus(self.settings)
        self._registry = registry

    @property
    def registry(self):
        from egress_guard.registry import CheckRegistry

        if self._registry is None:
            self._registry = CheckRegistry.from_yaml()
        return self._registry

    def folder(self, request_id: str) -> Path:
        return self.settings.requests_root / request_id / "files"

    def release_folder(self, user: str, request_id: str) -> Path:
        return self.settings.releases_root / user / request_id

    # ----- transitions ------------------------------------------------------------------

    def _locked(self, session: Session, request_id: str) -> ExportRequest:
        request = session.execute(select(ExportRequest).where(ExportRequest.id == request_id).with_for_update()).scalar_one_or_none()
        if request is None:
            raise NotFound(f"export request {request_id!r} does not exist")
        return request

    def _move(self, session: Session, request: ExportRequest, target: State, role: Role, actor: str, **details) -> None:
        transition = check_transition(request.id, request.state, target, role)
        previous = request.state
        request.state, request.updated_at = target.value, utcnow_iso()
        body = {"from": previous, "to": target.value, "by": role.value, **details}
        audit.record(session, "export.transition", actor, project=request.project, subject=request.id, details=body)
        if transition.event != "export.transition":
            audit.record(session, transition.event, actor, project=request.project, subject=request.id, details=body)

    # ----- submit ---------------------------------------------------------------------

    def submit(self, *, user: str, project: str, reason: str, files: list[tuple[str, bytes]], provenance: object = None) -> str:
        """Store the files and create the request (draft, then submitted); return its id."""
        from egress_guard.opening import kind_of, safe_name

        limits = self.registry.limits
        if not reason.strip():
            raise ExportError("an export request needs a reason")
        if not files:
            raise ExportError("an export request needs at least one file")
        names = [name for name, _ in files]
        for name in names:
            if not safe_name(name) or "/" in name:
                raise ExportError(f"file name {name!r} must be a plain name (no folders, no '..')")
        if len(set(names)) != len(names):
            raise ExportError("two files of the request have the same name")
        total = sum(len(data) for _, data in files)
        if total > limits.max_request_bytes:
            raise ExportError(f"request is {total} bytes, over the limit of {limits.max_request_bytes}")
        if provenance is not None and not isinstance(provenance, list):
            raise ExportError("provenance must be a list of query records")
        request_id = new_request_id()
        staging = self.settings.requests_root / f".{request_id}.tmp"
        final = self.settings.requests_root / request_id
        (staging / "files").mkdir(parents=True)
        try:
            rows = []
            for position, (name, data) in enumerate(files):
                (staging / "files" / name).write_bytes(data)
                rows.append(ExportFile(position=position, name=name, kind=kind_of(name), bytes=len(data), sha256=hashlib.sha256(data).hexdigest()))
            staging.rename(final)
            with session_scope(self.settings.db_url) as session:
                request = ExportRequest(id=request_id, user=user, project=project, state=State.draft.value, reason=reason, provenance=provenance or [], files=rows, datasets=[], decision={}, pending_ledger=[])
                session.add(request)
                session.flush()
                self._move(session, request, State.submitted, Role.author, user, reason=reason, files=[{"name": r.name, "bytes": r.bytes, "sha256": r.sha256} for r in rows])
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(final, ignore_errors=True)
            raise
        return request_id

    # ----- check ----------------------------------------------------------------------

    def process(self, request_id: str) -> Outcome:
        """Check the request if it is waiting, then release it if approved."""
        outcome = self.check(request_id)
        if outcome.state == State.approved:
            outcome = self.release(request_id)
        return outcome

    def check(self, request_id: str) -> Outcome:
        from egress_guard.context import LedgerTable, RequestInfo
        from egress_guard.fingerprints import fingerprints_root
        from egress_guard.pipeline import check_request, decide

        with session_scope(self.settings.db_url) as session:
            request = self._locked(session, request_id)
            if request.state == State.submitted:
                self._move(session, request, State.checking, Role.guard, GUARD_ACTOR)
            elif request.state != State.checking:
                return Outcome(request_id, request.state, list(request.decision.get("reasons", [])))
            info = RequestInfo(request.id, request.user, request.project)
            names = [f.name for f in request.files]
            provenance = request.provenance
            catalog = guard_catalog(session, self.settings)
            earlier = [LedgerTable(e.request_id, e.name, e.datasets, e.dims, e.cells) for e in session.execute(select(LedgerEntry).where(LedgerEntry.project == request.project)).scalars()]
        try:
            report = check_request(
                request=info,
                root=self.folder(request_id),
                names=names,
                provenance=provenance,
                catalog=catalog,
                fingerprints_root=fingerprints_root(self.settings),
                thresholds_provider=self.policy.egress_thresholds,
                earlier_releases=earlier,
                registry=self.registry,
            )
            answer = decide(report, info, self.policy)
        except PolicyUnavailable as error:
            # Kept in `checking`: resume() asks again; nothing is released without an answer.
            return Outcome(request_id, State.checking.value, [str(error)])
        if getattr(answer, "error", None):
            return Outcome(request_id, State.checking.value, [answer.error])
        decision, reasons = answer.decision, list(answer.reasons)
        with session_scope(self.settings.db_url) as session:
            request = self._locked(session, request_id)
            if request.state != State.checking:
                return Outcome(request_id, request.state, list(request.decision.get("reasons", [])))
            session.execute(delete(ExportFinding).where(ExportFinding.request_id == request_id))
            for finding in report.findings:
                session.add(ExportFinding(request_id=request_id, **finding.as_input()))
            request.datasets = report.datasets
            request.provenance_complete = report.provenance_complete
            request.decision = {"decision": decision, "reasons": reasons}
            request.pending_ledger = [t.as_dict() for t in report.ledger]
            sanitized = self.settings.requests_root / request_id / "sanitized"
            for name, data in report.release_bytes.items():
                sanitized.mkdir(exist_ok=True)
                (sanitized / name).write_bytes(data)
            findings = [f.as_input() for f in report.findings]
            self._move(
                session, request, DECISION_STATE[decision], Role.guard, GUARD_ACTOR,
                decision=decision, reasons=reasons, datasets=report.datasets,
                findings=findings[:MAX_AUDITED_FINDINGS], findings_total=len(findings),
            )
            return Outcome(request_id, request.state, reasons)

    # ----- release --------------------------------------------------------------------

    def release(self, request_id: str) -> Outcome:
        """Copy an approved request's files to the user's release area, once."""
        with session_scope(self.settings.db_url) as session:
            request = self._locked(session, request_id)
            if request.state != State.approved:
                return Outcome(request_id, request.state, list(request.decision.get("reasons", [])))
            final = self.release_folder(request.user, request_id)
            staging = final.parent / f".{request_id}.tmp"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            sanitized = self.settings.requests_root / request_id / "sanitized"
            for file in request.files:
                source = sanitized / file.name if (sanitized / file.name).exists() else self.folder(request_id) / file.name
                shutil.copyfile(source, staging / file.name)
            # A crash after an earlier rename but before its commit left this folder behind.
            shutil.rmtree(final, ignore_errors=True)
            staging.rename(final)
            for table in request.pending_ledger:
                session.add(LedgerEntry(project=request.project, request_id=request_id, name=table["name"], datasets=table["datasets"], dims=table["dims"], cells=table["cells"]))
            request.released_at = utcnow_iso()
            self._move(session, request, State.released, Role.system, GUARD_ACTOR, files=[f.name for f in request.files])
            return Outcome(request_id, request.state, list(request.decision.get("reasons", [])))

    def resume(self) -> list[Outcome]:
        """Finish every request a stopped guard left undecided or unreleased."""
        with session_scope(self.settings.db_url) as session:
            ids = list(session.execute(select(ExportRequest.id).where(ExportRequest.state.in_([s.value for s in (State.submitted, State.checking, State.approved)])).order_by(ExportRequest.created_at)).scalars())
        return [self.process(request_id) for request_id in ids]

    # ----- review ---------------------------------------------------------------------

    def _policy_request(self, request: ExportRequest, extra_review: dict | None = None) -> dict:
        reviews = [{"reviewer": r.reviewer, "verdict": r.verdict} for r in request.reviews]
        if extra_review:
            reviews.append(extra_review)
        return {"id": request.id, "user": request.user, "project": request.project, "datasets": list(request.datasets), "reviews": reviews}

    def review(self, request_id: str, *, reviewer: str, verdict: str, reason: str) -> Outcome:
        """A reviewer approves or rejects a request in review (no self-review; two for two-person datasets)."""
        if verdict not in ("approve", "reject"):
            raise ExportError(f"verdict {verdict!r} must be approve or reject")
        if not reason.strip():
            raise ExportError("a review needs a reason")
        with session_scope(self.settings.db_url) as session:
            request = self._locked(session, request_id)
            if request.state != State.in_review:
                raise ExportError(f"export request {request_id} is {request.state}, not in review")
            self.policy.require_admin(f"export.{verdict}", reviewer, request=self._policy_request(request))
            review = {"reviewer": reviewer, "verdict": verdict}
            session.add(ExportReview(request_id=request_id, reviewer=reviewer, verdict=verdict, reason=reason))
            details = {"verdict": verdict, "reason": reason}
            if verdict == "reject":
                self._move(session, request, State.rejected, Role.reviewer, reviewer, **details)
            else:
                ready = self.policy.release_ready(self._policy_request(request, review))
                if ready.error:
                    raise PolicyUnavailable(ready.error)
                details |= {"approvals": ready.approvals, "required": ready.required}
                if ready.ready:
                    self._move(session, request, State.approved, Role.reviewer, reviewer, **details)
                else:
                    audit.record(session, "export.reviewed", reviewer, project=request.project, subject=request.id, details=details | {"state": request.state})
            state = request.state
        if state == State.approved:
            return self.release(request_id)
        return Outcome(request_id, state, [])

    def withdraw(self, request_id: str, *, actor: str) -> Outcome:
        with session_scope(self.settings.db_url) as session:
            request = self._locked(session, request_id)
            if request.user != actor:
                raise PermissionDenied(f"only {request.user} may withdraw export request {request_id}")
            self._move(session, request, State.withdrawn, Role.author, actor)
            return Outcome(request_id, request.state, [])

    # ----- reading --------------------------------------------------------------------

    def _is_staff(self, session: Session, actor: str) -> bool:
        user = session.execute(select(User).where(User.name == actor)).scalar_one_or_none()
        return bool(user and {"reviewer", "steward"} & set(user.roles))

    def list(self, actor: str, *, state: str | None = None) -> list[dict]:
        """The actor's own requests; every request for reviewers and stewards."""
        with session_scope(self.settings.db_url) as session:
            query = select(ExportRequest).order_by(ExportRequest.created_at)
            if not self._is_staff(session, actor):
                query = query.where(ExportRequest.user == actor)
            if state:
                query = query.where(ExportRequest.state == state)
            return [summary(r) for r in session.execute(query).scalars()]

    def show(self, request_id: str, actor: str) -> dict:
        with session_scope(self.settings.db_url) as session:
            request = session.get(ExportRequest, request_id)
            if request is None or (request.user != actor and not self._is_staff(session, actor)):
                raise NotFound(f"export request {request_id!r} does not exist")
            return detail(request)

    def download(self, request_id: str, name: str, *, actor: str) -> Path:
        """Path of a released file, for its author only; audited."""
        with session_scope(self.settings.db_url) as session:
            request = session.get(ExportRequest, request_id)
            if request is None or request.user != actor:
                raise NotFound(f"export request {request_id!r} does not exist")
            if request.state != State.released:
                raise PermissionDenied(f"export request {request_id} is {request.state}, not released")
            if name not in {f.name for f in request.files}:
                raise NotFound(f"export request {request_id} has no file {name!r}")
            path = self.release_folder(request.user, request_id) / name
            audit.record(session, "export.downloaded", actor, project=request.project, subject=request_id, details={"file": name})
            return path


def summary(request: ExportRequest) -> dict:
    return {
        "id": request.id,
        "user": request.user,
        "project": request.project,
        "state": request.state,
        "decision": request.decision.get("decision"),
        "files": [f.name for f in request.files],
        "created_at": request.created_at,
        "updated_at": request.updated_at,
    }


def detail(request: ExportRequest) -> dict:
    return summary(request) | {
        "reason": request.reason,
        "datasets": request.datasets,
        "provenance_complete": request.provenance_complete,
        "reasons": request.decision.get("reasons", []),
        "files": [{"name": f.name, "kind": f.kind, "bytes": f.bytes, "sha256": f.sha256} for f in request.files],
        "findings": [f.as_dict() for f in request.findings],
        "reviews": [{"reviewer": r.reviewer, "verdict": r.verdict, "reason": r.reason, "at": r.at} for r in request.reviews],
        "released_at": request.released_at,
    }
