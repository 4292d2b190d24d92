"""Steward pages for the Rego policies: read them, run their tests with coverage.

Viewing needs OPA's `policy.view`; the tests run through `hub.policy.coverage` (the pinned
`opa test --coverage`), off the event loop because they take a few seconds.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tornado import web

from hub.policy.coverage import OpaToolError, measure, run_tests
from hub.policy.server import POLICIES_DIR
from hub.web.base import BaseHandler


def policy_files(root: Path = POLICIES_DIR) -> list[str]:
    """Every .rego and data.json file under the policy folder, relative to it."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.suffix in (".rego", ".json"))


def run_policy_tests(root: Path = POLICIES_DIR) -> dict:
    """Rego tests and line coverage of the policy files, as the page shows them."""
    try:
        tests = run_tests([str(root)])
        report = measure([str(root)])
    except OpaToolError as error:
        return {"error": str(error)}
    return {
        "passed": tests.passed,
        "failed": tests.failed,
        "files": [(f.path.removeprefix(str(root) + "/"), f.percent, f.covered, f.not_covered) for f in report.files],
        "total": report.percent,
    }


class PolicyBase(BaseHandler):
    role = None

    async def prepare(self) -> None:
        await super().prepare()
        if self._finished:
            return
        decision = self.policy.admin("policy.view", self.user_name)
        if not decision.allow:
            raise web.HTTPError(403, "; ".join(decision.reasons))


class PoliciesHandler(PolicyBase):
    def get(self) -> None:
        self.render_page("policies.html", files=policy_files(), shown=None, source=None, results=None)

    async def post(self) -> None:
        """Run the Rego tests with coverage and show the results."""
        results = await asyncio.get_running_loop().run_in_executor(None, run_policy_tests)
        self.render_page("policies.html", files=policy_files(), shown=None, source=None, results=results)


class PolicyFileHandler(PolicyBase):
    def get(self, relative: str) -> None:
        files = policy_files()
        if relative not in files:  # only listed files: no path tricks
            raise web.HTTPError(404, f"no policy file {relative}")
        source = (POLICIES_DIR / relative).read_text(encoding="utf-8")
        self.render_page("policies.html", files=files, shown=relative, source=source, results=None)
