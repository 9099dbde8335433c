"""Every bench runs, at tiny sizes, so that none can rot unnoticed (bench_sweep once crashed for weeks).

No timing is asserted: a bench may report a missed target (exit 1) on a busy machine; it may not crash.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"


def _run_all():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_run_all", BENCH / "run_all.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


RUN_ALL = _run_all()
PG = os.environ.get("NHACVIEC_TEST_PG_URL")  # this run's own database (tests/conftest.py)


def test_every_bench_file_is_run_by_run_all() -> None:
    listed = {b.script for b in RUN_ALL.benches("postgresql://listed-only")}
    assert listed == {p.name for p in BENCH.glob("bench_*.py")}


@pytest.mark.parametrize("bench", RUN_ALL.benches("postgresql://placeholder"), ids=lambda b: b.name)
def test_bench_runs_at_tiny_sizes(bench, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    args = list(bench.args)
    if bench.needs_pg:
        if not PG:
            pytest.skip("NHACVIEC_TEST_PG_URL is not set")
        args = [PG if a == "postgresql://placeholder" else a for a in args]
    argv = [sys.executable, str(BENCH / bench.script), *args, *bench.smoke]
    done = subprocess.run(argv, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.returncode in (0, 1), done.stderr[-3000:]  # 1: a target missed, which timing here cannot judge
    assert "|" in done.stdout, done.stdout[-2000:]  # its Markdown table
