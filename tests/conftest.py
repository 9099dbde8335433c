"""Shared fixtures. With NHACVIEC_NO_SKIP=1 (set by .ci/run) a skipped test fails the run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUNDLED_PLAN = ROOT / "schedules" / "cchc-2019-2020.yaml"
MINI_PLAN = ROOT / "tests" / "data" / "mini.yaml"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In CI a test that cannot run is a failure, never a silent skip."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("NHACVIEC_NO_SKIP") == "1" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI (NHACVIEC_NO_SKIP=1): {report.longrepr}"
