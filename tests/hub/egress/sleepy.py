"""A check that announces itself and then sleeps: lets a test kill the guard mid-check."""

from __future__ import annotations

import os
import time
from pathlib import Path

from egress_guard.base import Check


class SleepyCheck(Check):
    name = "sleepy"

    def analyze(self, context):
        Path(os.environ["CAMPUS_TEST_MARKER"]).write_text("checking")
        time.sleep(60)
        return []
