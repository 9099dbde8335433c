"""Benchmark: what the bot pushes over a fortnight of the bundled plan, as `nhacviec simulate` sends it.

Runs the real engine over simulated time (`bot.engine.simulate`) on `schedules/cchc-2019-2020.yaml`
from 14/11/2019 to 29/11/2019, nobody ever confirming anything, and measures the messages: per recipient
and instant, characters, buttons. Targets (issue 10): at most 1 message per recipient per instant, every
message ≤ 4,096 characters and ≤ 12 buttons, a median ≤ 1,500 characters, a window total ≤ 120,000
characters. The "before" column is the same run on commit 7669c8e (one bundle of up to 15 tasks a
message, 4–5 buttons a task). Run: `.venv/bin/python bench/bench_conversation.py [--json]`.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.domain.workdays import WorkCalendar
from bot.engine.simulate import as_json, simulate
from bot.plans.loader import load_plan

PLAN = ROOT / "schedules" / "cchc-2019-2020.yaml"
START, END = date(2019, 11, 14), date(2019, 11, 29)
LIMITS = {"per_recipient_instant": 1, "max_chars": 4096, "max_buttons": 12, "median_chars": 1500,
          "total_chars": 120_000}


@dataclass(frozen=True)
class Figures:
    messages: int
    recipient_instants: int
    per_recipient_instant: int  # the most messages one recipient gets at one instant
    total_chars: int
    median_chars: float
    max_chars: int
    max_buttons: int
    over_12_buttons: int  # messages with more than 12 buttons


# Measured with this script's `measure` on the output of commit 7669c8e (before the cards).
BEFORE = Figures(messages=195, recipient_instants=87, per_recipient_instant=20, total_chars=618_657,
                 median_chars=3818, max_chars=4079, max_buttons=63, over_12_buttons=147)


def measure(messages: list[dict[str, Any]]) -> Figures:
    """Figures of a `simulate --format json` list of `{at, to, chat_id, text, buttons}`."""
    lengths = [len(m["text"]) for m in messages]
    buttons = [sum(len(row) for row in m["buttons"]) for m in messages]
    per = Counter((m["at"], m["chat_id"]) for m in messages)
    return Figures(len(messages), len(per), max(per.values(), default=0), sum(lengths),
                   statistics.median(lengths) if lengths else 0, max(lengths, default=0), max(buttons, default=0),
                   sum(1 for b in buttons if b > 12))


def violations(f: Figures) -> list[str]:
    """The limits a run breaks (empty: all kept)."""
    broken = []
    if f.per_recipient_instant > LIMITS["per_recipient_instant"]:
        broken.append(f"{f.per_recipient_instant} messages to one recipient at one instant")
    if f.max_chars > LIMITS["max_chars"]:
        broken.append(f"a message of {f.max_chars} characters")
    if f.max_buttons > LIMITS["max_buttons"]:
        broken.append(f"a message with {f.max_buttons} buttons")
    if f.median_chars > LIMITS["median_chars"]:
        broken.append(f"median {f.median_chars} characters")
    if f.total_chars > LIMITS["total_chars"]:
        broken.append(f"window total {f.total_chars} characters")
    return broken


def run_simulation(plan_path: Path = PLAN) -> list[dict[str, Any]]:
    plan = load_plan(plan_path)
    return as_json(asyncio.run(simulate(plan, WorkCalendar(), START, END)))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    started = time.perf_counter()
    messages = run_simulation()
    seconds = time.perf_counter() - started
    after = measure(messages)
    broken = violations(after)
    if "--json" in args:
        print(json.dumps({"before": asdict(BEFORE), "after": asdict(after), "limits": LIMITS,
                          "violations": broken, "seconds": round(seconds, 2)}, ensure_ascii=False, indent=2))
        return 1 if broken else 0
    print(f"simulate {PLAN.name} {START:%d/%m/%Y}–{END:%d/%m/%Y} ({seconds:.1f} s)\n")
    print("| figure | before (7669c8e) | after | limit |")
    print("| --- | ---: | ---: | ---: |")
    rows = [("messages", "messages", None), ("recipient × instant", "recipient_instants", None),
            ("most messages to one recipient at one instant", "per_recipient_instant", "per_recipient_instant"),
            ("window total characters", "total_chars", "total_chars"),
            ("median characters", "median_chars", "median_chars"), ("longest message", "max_chars", "max_chars"),
            ("most buttons in a message", "max_buttons", "max_buttons"),
            ("messages with more than 12 buttons", "over_12_buttons", None)]
    for label, key, limit in rows:
        b, a = getattr(BEFORE, key), getattr(after, key)
        bound = f"≤ {LIMITS[limit]:,}" if limit else ""
        print(f"| {label} | {b:,} | {a:,} | {bound} |")
    print("\n" + ("all limits kept" if not broken else "LIMITS BROKEN: " + "; ".join(broken)))
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
