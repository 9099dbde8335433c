"""Run every benchmark of the project and collect their Markdown into bench/RESULTS.md.

Each bench runs as its own subprocess (one at a time: they measure wall time and memory, so they must
not compete for the CPUs), with this interpreter. Its stdout (Markdown tables) goes into the report
under a heading with the command line, exit code and wall time; a failing bench is reported, not fatal.

Run: `.venv/bin/python bench/run_all.py [--quick] [--pg postgresql+psycopg://...] [--out bench/RESULTS.md]
[--only NAME ...]`. The PostgreSQL benches (sweep, dispatch) run when --pg or NHACVIEC_BENCH_PG_URL is
given. `--quick` passes smaller sizes to the benches that accept them: a smoke test, not a result.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
LIBRARIES = ("python-telegram-bot", "SQLAlchemy", "APScheduler", "psycopg", "openpyxl", "matplotlib")


@dataclass(frozen=True)
class Bench:
    name: str
    script: str
    args: tuple[str, ...] = ()
    quick: tuple[str, ...] = ()
    needs_pg: bool = False
    smoke: tuple[str, ...] = ()  # tiny sizes for the test suite's smoke run (tests/scale/test_bench_smoke.py)


def benches(pg: str | None) -> list[Bench]:
    found = [
        Bench("expand", "bench_expand.py", quick=("--units", "100"), smoke=("--units", "5")),
        Bench("sweep (SQLite)", "bench_sweep.py", quick=("--rows", "20000", "--runs", "5"),
              smoke=("--rows", "3000", "--runs", "2")),
        Bench("sweep (PostgreSQL)", "bench_sweep.py", ("--db", pg or ""), ("--rows", "20000", "--runs", "5"), True,
              ("--rows", "3000", "--runs", "2")),
        Bench("dispatch (SQLite)", "bench_dispatch.py", quick=("--members", "60"), smoke=("--members", "10")),
        Bench("dispatch (PostgreSQL)", "bench_dispatch.py", ("--db", pg or ""), ("--members", "60"), True,
              ("--members", "10")),
        Bench("chat", "bench_chat.py", quick=("--heads", "10", "--rounds", "3"),
              smoke=("--heads", "3", "--rounds", "2")),
        Bench("digest", "bench_digest.py", quick=("--units", "20", "--tasks", "10"),
              smoke=("--units", "5", "--tasks", "3")),
        Bench("export", "bench_export.py", quick=("--files", "50", "--units", "10"),
              smoke=("--files", "5", "--units", "3")),
        Bench("conversation", "bench_conversation.py"),
        Bench("screens (SQLite)", "bench_screens.py", quick=("--units", "100", "--runs", "5"),
              smoke=("--units", "5", "--runs", "2")),
        Bench("screens (PostgreSQL)", "bench_screens.py", ("--db", pg or ""), ("--units", "100", "--runs", "5"), True,
              ("--units", "5", "--runs", "2")),
        Bench("zalo", "bench_zalo.py", quick=("--heads", "10", "--rounds", "5"),
              smoke=("--heads", "3", "--rounds", "1")),
        Bench("dossier (SQLite)", "bench_dossier.py", quick=("--runs", "3", "--file-kb", "4"),
              smoke=("--runs", "1", "--file-kb", "1")),
        Bench("dossier (PostgreSQL)", "bench_dossier.py", ("--db", pg or ""), ("--runs", "3", "--file-kb", "4"), True,
              ("--runs", "1", "--file-kb", "1")),
        Bench("console, 20 users reading (SQLite)", "bench_console.py", ("--think", "1"), ("--seconds", "5"),
              smoke=("--seconds", "1", "--users", "2", "--documents", "20", "--pending", "5")),
        Bench("console, 20 users back to back (SQLite)", "bench_console.py", (), ("--seconds", "5"),
              smoke=("--seconds", "1", "--users", "2", "--documents", "20", "--pending", "5")),
        Bench("console, 20 users reading (PostgreSQL)", "bench_console.py", ("--think", "1", "--db", pg or ""),
              ("--seconds", "5"), True, ("--seconds", "1", "--users", "2", "--documents", "20", "--pending", "5")),
        Bench("personal page, 50 heads reading (SQLite)", "bench_page.py", ("--think", "1"), ("--seconds", "5"),
              smoke=("--seconds", "1", "--users", "2", "--documents", "20", "--pending", "5")),
        Bench("personal page, 50 heads back to back (SQLite)", "bench_page.py", ("--think", "0"), ("--seconds", "5"),
              smoke=("--seconds", "1", "--users", "2", "--documents", "20", "--pending", "5")),
    ]
    return [b for b in found if (BENCH / b.script).exists() and (pg or not b.needs_pg)]


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    try:
        return f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GiB"
    except (ValueError, OSError, AttributeError):
        return "?"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _load() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def header(quick: bool) -> str:
    lines = [
        "# nhacviec benchmark results",
        "",
        f"Generated by `bench/run_all.py{' --quick' if quick else ''}` on "
        f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}.",
        "",
        "| | |",
        "| --- | --- |",
        f"| Python | {platform.python_version()} ({platform.python_implementation()}) |",
        *(f"| {lib} | {_version(lib)} |" for lib in LIBRARIES),
        f"| OS | {platform.system()} {platform.release()} ({platform.machine()}) |",
        f"| CPU cores (os.cpu_count) | {os.cpu_count()} |",
        f"| memory | {_memory()} |",
        f"| load average at start (1, 5, 15 min) | {_load()} |",
    ]
    if quick:
        lines += ["", "**--quick: reduced sizes, a smoke test; these numbers are not results.**"]
    return "\n".join(lines) + "\n"


def run(bench: Bench, quick: bool, timeout: float) -> str:
    argv = [sys.executable, str(BENCH / bench.script), *bench.args, *(bench.quick if quick else ())]
    shown = " ".join(["python", f"bench/{bench.script}", *(a if not a.startswith("postgresql") else "<pg>"
                                                          for a in argv[2:])])
    print(f"→ {shown}", file=sys.stderr, flush=True)
    started = time.monotonic()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        code, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        code, out, err = None, (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or ""), \
            f"timed out after {timeout:.0f} s"
    seconds = time.monotonic() - started
    status = "ok" if code == 0 else ("timed out" if code is None else f"exit code {code}")
    parts = [f"## {bench.name}", "", f"`{shown}` — {status}, {seconds:.1f} s wall", "", out.strip() or "(no output)"]
    if code != 0:
        tail = "\n".join(err.strip().splitlines()[-15:])
        parts += ["", "stderr (last lines):", "", "```", tail, "```"]
    print(f"  {status} in {seconds:.1f} s", file=sys.stderr, flush=True)
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (smoke test)")
    parser.add_argument("--pg", default=os.environ.get("NHACVIEC_BENCH_PG_URL"),
                        help="PostgreSQL URL for the PostgreSQL runs (default: $NHACVIEC_BENCH_PG_URL)")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument("--only", nargs="*", help="run only the benches whose name contains one of these")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per bench")
    args = parser.parse_args(argv)
    chosen = [b for b in benches(args.pg) if not args.only or any(o in b.name for o in args.only)]
    sections = [header(args.quick)]
    failed = 0
    for bench in chosen:
        section = run(bench, args.quick, args.timeout)
        failed += " — ok, " not in section.split("\n", 3)[2]
        sections.append(section)
    if not args.pg:
        sections.append("PostgreSQL runs skipped: pass --pg or set NHACVIEC_BENCH_PG_URL.\n")
    args.out.write_text("\n".join(sections), encoding="utf-8")
    print(f"wrote {args.out} ({len(chosen)} benches, {failed} failed)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
