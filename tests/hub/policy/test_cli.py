"""`campus policy test` and `campus policy check` (hub/cli/policy.py).

Kept beside the other policy tests (tests/hub/policy/) rather than in tests/hub/cli/.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hub.cli.policy import app

from .test_coverage import FAILING_TEST, GOOD, policy_dir

runner = CliRunner()


def test_cli_test_reports_coverage():
    result = runner.invoke(app, ["test"])
    assert result.exit_code == 0, result.output
    assert "tests passed; coverage" in result.output


def test_cli_test_fails_on_a_failing_test(tmp_path):
    result = runner.invoke(app, ["test", policy_dir(tmp_path, GOOD, FAILING_TEST)])
    assert result.exit_code == 1
    assert "1 of 1 Rego tests failed" in result.output


def test_cli_check_passes_on_the_campus_policies():
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "ok  opa fmt" in result.output and "ok  opa check --strict" in result.output


@pytest.mark.parametrize(
    ("source", "complaint"),
    [
        ("package demo\nallow if {input.x==1}\n", "not formatted"),
        ("package demo\n\nallow if {\n\tx := 1\n\tinput.y == 2\n}\n", "assigned var x unused"),
    ],
)
def test_cli_check_fails_on_bad_policy(tmp_path, source, complaint):
    (tmp_path / "demo.rego").write_text(source)
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert complaint in result.output


def test_cli_missing_path_exits_2(tmp_path):
    result = runner.invoke(app, ["check", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "no such policy path" in result.output
