"""Figures for docs/soan-ke-hoach.md and bench/RESULTS.md: what `nhacviec import` finds in each test document
against what it holds, and how long it takes.

Run from the repository root: `python tests/data/import/measure.py` (writes the generated documents to a temp dir).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from make_docs import make_docs
from make_other import EXPECTED as OTHER
from make_other import make_other

from bot.i18n import _
from bot.importer.cli import run_import
from bot.importer.reading import ReadError
from bot.plans.loader import parse_plan


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        docx_path, xlsx_path = make_docs(Path(tmp))
        other = make_other(Path(tmp) / "other")
        documents = [(ROOT / ".." / "shared" / "seed" / "000_205301eb221e9f11.txt", None),
                     (docx_path, None), (xlsx_path, None),
                     (ROOT / "tests" / "data" / "import" / "ke-hoach-2026-trong-tam.txt", None),
                     (other[0], OTHER["docx"]), (other[1], OTHER["txt"]), (other[2], OTHER["xlsx"])]
        print("| document | areas | tasks | units (new) | groups | deadlines (assumed) | plan-wide rules | import ms |")
        print("|---|---|---|---|---|---|---|---|")
        for path, holds in documents:
            def shown(found: int, key: str, holds: dict[str, int] | None = holds) -> str:
                return f"{found}/{holds[key]}" if holds else str(found)

            try:
                run_import(path, None, None)  # warm: imports of python-docx / openpyxl
            except ReadError as exc:
                print(f"| {path.name} | fails: {exc.message} |")
                continue
            runs = []
            for _n in range(5):
                started = time.perf_counter()
                draft = run_import(path, None, None)
                runs.append((time.perf_counter() - started) * 1000)
            plan = parse_plan(draft.text, path.name)
            real = [u for u in plan.units if u.note != _("Placeholder: replace with a real unit.")]
            print(f"| {path.name} | {shown(len(plan.areas), 'areas')} | {shown(len(plan.tasks), 'tasks')} "
                  f"| {shown(len(real), 'units')} ({len(draft.new_units)}) | {shown(len(plan.groups), 'groups')} "
                  f"| {shown(draft.deadlines, 'deadlines')} ({draft.assumed}) "
                  f"| {shown(len(plan.plan.common_deadlines), 'rules')} | {min(runs):.0f} |")


def criteria() -> None:
    """The two sample criteria appendices: rows by level against what each holds, and the time."""
    from make_criteria import EXPECTED as HOLDS
    from make_criteria import make_criteria

    from bot.importer.criteria import LEVELS, read_criteria

    print()
    print("| appendix | areas | criteria | sub-criteria | total points | sums flagged | rows guessed | import ms |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for kind, path in zip(("xlsx", "docx"), make_criteria(Path(tmp)), strict=True):
            read_criteria(path)
            runs = []
            for _n in range(5):
                started = time.perf_counter()
                read = read_criteria(path)
                runs.append((time.perf_counter() - started) * 1000)
            holds = HOLDS[kind]
            print(f"| {path.name} | {read.count(LEVELS[0])}/{holds['areas']} | {read.count(LEVELS[1])}/"
                  f"{holds['criteria']} | {read.count(LEVELS[2])}/{holds['sub']} | {read.total:g}/{holds['total']:g} "
                  f"| {len(read.checks)}/{holds['checks']} | {sum(1 for r in read.rows if r.guessed)} "
                  f"| {min(runs):.0f} |")


if __name__ == "__main__":
    main()
    criteria()
