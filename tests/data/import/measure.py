"""Figures for docs/soan-ke-hoach.md: what `nhacviec import` finds in each test document and how long it takes.

Run from the repository root: `python tests/data/import/measure.py` (writes the table documents to a temp dir).
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

from bot.importer.cli import run_import
from bot.plans.loader import parse_plan


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        docx_path, xlsx_path = make_docs(Path(tmp))
        documents = [ROOT / ".." / "shared" / "seed" / "000_205301eb221e9f11.txt", docx_path, xlsx_path,
                     ROOT / "tests" / "data" / "import" / "ke-hoach-2026-trong-tam.txt"]
        print("| document | areas | tasks | units (new) | groups | deadlines (assumed) | import ms |")
        print("|---|---|---|---|---|---|---|")
        for path in documents:
            run_import(path, None, None)  # warm: imports of python-docx / openpyxl
            runs = []
            for _ in range(5):
                started = time.perf_counter()
                draft = run_import(path, None, None)
                runs.append((time.perf_counter() - started) * 1000)
            plan = parse_plan(draft.text, path.name)
            print(f"| {path.name} | {len(plan.areas)} | {len(plan.tasks)} | {len(plan.units)} "
                  f"({len(draft.new_units)}) | {len(plan.groups)} | {draft.deadlines} ({draft.assumed}) "
                  f"| {min(runs):.0f} |")


if __name__ == "__main__":
    main()
