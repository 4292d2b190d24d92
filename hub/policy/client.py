"""Ask the campus OPA server for decisions, and fail closed when it cannot answer.

`PolicyClient` is the one way Python code asks a policy question. Every method returns a
deny (or raises) when OPA is down, slow, answers with an error, or gives an undefined or
malformed result; the reason then starts with "policy service unavailable: " and says why.
Python never re-implements a decision: it passes the question (input) and obeys.

The HTTP calls go through opa-python-client's `OpaClient` (a kept-alive requests session),
with retries turned off so that `timeout` bounds the wait for OPA. Each carries the
campus's decision token (hub.policy.tokens) as `Authorization: Bearer`; a token OPA does
not accept (HTTP 401) is a deny too, whose reason says the credentials were refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

import requests
from opa_client.opa import OpaClient
from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StrictStr, ValidationError

from hub.errors import PermissionDenied, PolicyUnavailable
from hub.policy.tokens import read_token
from hub.settings import CampusSettings, get_settings

UNAVAILABLE = "policy service unavailable: "
REFUSED = "the policy service refused the campus's credentials"

# The questions, by package and rule (see policies/campus/*).
ACCESS = ("campus.access", "decision")
EGRESS = ("campus.egress", "decision")
THRESHOLDS = ("campus.egress", "thresholds")
ADMIN = ("campus.admin", "decision")
RELEASE = ("campus.admin", "release_ready")


@dataclass(frozen=True)
class AccessDecision:
    """Datasets a user may have mounted now, and why others granted to them are refused.

    `projects` are the user's projects (a workspace works for one of them), `registered`
    every dataset in the catalog (names only, to tell "not granted" from "no such dataset").
    """

    allowed: list[str]
    refused: dict[str, str]
    error: str | None = None
    projects: list[str] = field(default_factory=list)
    registered: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EgressDecision:
    """approve, review or deny an export request, with reasons that name the checks."""

    decision: Literal["approve", "review", "deny"]
    reasons: list[str]
    error: str | None = None


@dataclass(frozen=True)
class AdminDecision:
    """May the actor perform the action; reasons say why not."""

    allow: bool
    reasons: list[str] = field(default_factory=list)
    error: str | None = None

    def __bool__(self) -> bool:
        return self.allow


@dataclass(frozen=True)
class ReleaseDecision:
    """Has an export request enough distinct approvals to be released?"""

    ready: bool
    approvals: int
    required: int
    reasons: list[str]
    error: str | None = None

    def __bool__(self) -> bool:
        return self.ready


# Shapes of the policies' results: anything else is "malformed", hence deny.
class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Access(_Result):
    allowed: list[StrictStr]
    refused: dict[StrictStr, StrictStr]
    projects: list[StrictStr]
    registered: list[StrictStr]


class _Egress(_Result):
    decision: Literal["approve", "review", "deny"]
    reasons: list[StrictStr]


class _Admin(_Result):
    allow: StrictBool
    reasons: list[StrictStr]


class _Release(_Result):
    ready: StrictBool
    approvals: StrictInt
    required: StrictInt
    reasons: list[StrictStr]


class _Thresholds(_Result):
    min_cell_count: StrictInt
    dominance_n: StrictInt
    dominance_k: float
    p_ratio: float
    zeros_disclosive: StrictBool
    max_row_fraction: float


class _Unavailable(Exception):
    """Internal: OPA gave no usable answer; str() says why."""


def rfc3339(moment: datetime | None = None) -> str:
    """`moment` (default: now) as RFC 3339 UTC, the form the policies read; naive means UTC."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def opa_client(url: str, timeout: float, token: str | None) -> OpaClient:
    """An opa-python-client for `url` (http or https) sending `token`, without retries: `timeout` bounds the wait."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"OPA URL {url!r} is not an http(s) URL")
    return OpaClient(
        host=parts.hostname,
        port=parts.port or (443 if parts.scheme == "https" else 80),
        ssl=parts.scheme == "https",
        token=token or None,
        retries=0,
        timeout=timeout,
    )


def refused_credentials(sent: bool) -> str:
    """Why OPA answered 401, in words (the token itself is never shown)."""
    return f"{REFUSED} (HTTP 401: {'the token sent was not accepted' if sent else 'no token was sent'})"


class PolicyClient:
    """Asks the campus OPA server; every failure is a deny whose reason says why.

    `token` is the bearer token sent with every question; None (the default) means the
    campus's decision token as this process finds it (`CAMPUS_OPA_TOKEN`, else the file
    under $CAMPUS_HOME/secrets/), "" means none.
    """

    def __init__(self, url: str, timeout: float = 2.0, *, token: str | None = None):
        self.url = url.rstrip("/")
        self.timeout = timeout
        if token is None:
            token = read_token(get_settings(), "decision")
        self._has_token = bool(token)
        self._opa = opa_client(self.url, timeout, token)

    @classmethod
    def for_campus(cls, settings: CampusSettings, timeout: float = 2.0) -> "PolicyClient":
        """A client of `settings`' OPA server with that campus's decision token."""
        return cls(settings.opa_url, timeout, token=read_token(settings, "decision") or "")

    def close(self) -> None:
        self._opa.close_connection()

    # ----- transport ------------------------------------------------------------------

    def _query(self, question: tuple[str, str], input: dict, shape: type[_Result]) -> _Result:
        package, rule = question
        where = f"data.{package}.{rule}"
        try:
            body = self._opa.query_rule(input_data=input, package_path=package, rule_name=rule)
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise _Unavailable(transport_failure(exc, self.url, self.timeout)) from None
        except requests.HTTPError as exc:
            if exc.response.status_code == 401:
                raise _Unavailable(f"{refused_credentials(self._has_token)} for {where}") from None
            raise _Unavailable(f"{where} failed with HTTP {exc.response.status_code}: {_opa_message(exc.response)}") from None
        except (requests.RequestException, ValueError) as exc:  # ValueError: a body that is not JSON
            raise _Unavailable(f"{where}: {type(exc).__name__}: {exc}") from None
        if not isinstance(body, dict) or "result" not in body:
            raise _Unavailable(f"{where} is undefined (is the policy loaded?)")
        try:
            return shape.model_validate(body["result"])
        except ValidationError as exc:
            first = exc.errors()[0]
            at = ".".join(str(part) for part in first["loc"]) or "result"
            raise _Unavailable(f"{where} returned a malformed result ({at}: {first['msg']})") from None

    # ----- questions ------------------------------------------------------------------

    def access(self, user: str, now: datetime | None = None, project: str | None = None) -> AccessDecision:
        """Datasets `user` may have mounted at `now` (in `project`, if given); on any failure none, with `error` set."""
        question = {"user": user, "now": rfc3339(now)}
        if project is not None:
            question["project"] = project
        try:
            result = self._query(ACCESS, question, _Access)
        except _Unavailable as why:
            return AccessDecision(allowed=[], refused={}, error=UNAVAILABLE + str(why))
        return AccessDecision(
            allowed=list(result.allowed),
            refused=dict(result.refused),
            projects=list(result.projects),
            registered=list(result.registered),
        )

    def egress_thresholds(self, datasets: list[str]) -> dict:
        """Strictest disclosure thresholds over `datasets`; raises PolicyUnavailable on failure."""
        try:
            result = self._query(THRESHOLDS, {"datasets": list(datasets)}, _Thresholds)
        except _Unavailable as why:
            raise PolicyUnavailable(UNAVAILABLE + str(why)) from None
        return result.model_dump()

    def egress(self, request: dict, findings: list[dict], now: datetime | None = None) -> EgressDecision:
        """approve / review / deny for an export request and its findings; deny on any failure."""
        question = {"request": request, "findings": list(findings), "now": rfc3339(now)}
        try:
            result = self._query(EGRESS, question, _Egress)
        except _Unavailable as why:
            reason = UNAVAILABLE + str(why)
            return EgressDecision(decision="deny", reasons=[reason], error=reason)
        return EgressDecision(decision=result.decision, reasons=list(result.reasons))

    def admin(self, action: str, actor: str, **context: Any) -> AdminDecision:
        """May `actor` perform `action`? `context` (e.g. request=...) goes into the input as is."""
        question = {**context, "action": action, "actor": actor}
        question.setdefault("now", rfc3339())
        try:
            result = self._query(ADMIN, question, _Admin)
        except _Unavailable as why:
            reason = UNAVAILABLE + str(why)
            return AdminDecision(allow=False, reasons=[reason], error=reason)
        return AdminDecision(allow=result.allow, reasons=list(result.reasons))

    def require_admin(self, action: str, actor: str, **context: Any) -> AdminDecision:
        """Like admin(), but raises PermissionDenied (PolicyUnavailable if OPA failed) unless allowed."""
        decision = self.admin(action, actor, **context)
        if decision.error:
            raise PolicyUnavailable(decision.error)
        if not decision.allow:
            raise PermissionDenied("; ".join(decision.reasons) or f"{actor} may not {action}")
        return decision

    def release_ready(self, request: dict) -> ReleaseDecision:
        """Enough distinct approvals to release `request`? Not ready on any failure."""
        try:
            result = self._query(RELEASE, {"request": request, "now": rfc3339()}, _Release)
        except _Unavailable as why:
            reason = UNAVAILABLE + str(why)
            return ReleaseDecision(ready=False, approvals=0, required=0, reasons=[reason], error=reason)
        return ReleaseDecision(**result.model_dump())


def transport_failure(exc: requests.RequestException, url: str, timeout: float) -> str:
    """Why a request to OPA got no answer, in words (a timeout or a refused connection)."""
    # urllib3 reports a read timeout of a retryable method (PUT) as a ConnectionError
    # wrapping the timeout, so the text is checked too.
    if isinstance(exc, requests.Timeout) or "timed out" in str(exc):
        return f"no answer from {url} within {timeout:g} s"
    return f"cannot connect to {url}"


def _opa_message(response: requests.Response) -> str:
    try:
        return str(response.json().get("message", response.text))[:200]
    except ValueError:
        return response.text[:200]
