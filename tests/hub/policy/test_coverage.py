"""The coverage gate: `python -m hub.policy.coverage --min 90 policies/`."""

from __future__ import annotations

from pathlib import Path

import pytest
from hub.policy.coverage import main
from hub.policy.server import POLICIES_DIR

GOOD = 'package demo\n\nallow if input.x == 1\n'
GOOD_TEST = "package demo_test\n\nimport data.demo\n\ntest_allow if demo.allow with input as {\"x\": 1}\n"
HALF_TEST = "package demo_test\n\nimport data.demo\n\ntest_allow if demo.allow with input as {\"x\": 1}\n"
UNCOVERED = 'package demo\n\nallow if input.x == 1\n\nother if input.y == 2\n\nthird if input.z == 3\n'
FAILING_TEST = "package demo_test\n\nimport data.demo\n\ntest_allow if demo.allow with input as {\"x\": 2}\n"


def policy_dir(tmp_path: Path, policy: str, test: str) -> str:
    (tmp_path / "demo.rego").write_text(policy)
    (tmp_path / "demo_test.rego").write_text(test)
    return str(tmp_path)


def test_campus_policies_meet_the_gate(capsys):
    assert main(["--min", "90", str(POLICIES_DIR)]) == 0
    out = capsys.readouterr().out
    assert "access/access.rego" in out and "total" in out
    assert "_test.rego" not in out  # tests do not flatter the total


@pytest.mark.parametrize(
    ("policy", "test", "minimum", "code", "says"),
    [
        (GOOD, GOOD_TEST, 90, 0, "100.0 %  total"),
        (UNCOVERED, HALF_TEST, 90, 1, "below the minimum 90 %"),
        (UNCOVERED, HALF_TEST, 30, 0, "total"),
        (GOOD, FAILING_TEST, 0, 1, "FAIL data.demo_test.test_allow"),
    ],
)
def test_gate(tmp_path, capsys, policy, test, minimum, code, says):
    assert main(["--min", str(minimum), policy_dir(tmp_path, policy, test)]) == code
    assert says in capsys.readouterr().out


def test_gate_bad_arguments_exit_2(tmp_path, capsys):
    assert main([str(tmp_path / "missing")]) == 2
    assert "no such policy path" in capsys.readouterr().err
    (tmp_path / "bad.rego").write_text("package\n")
    assert main([str(tmp_path)]) == 2
