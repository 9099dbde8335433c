"""Benchmark: validate a large plan, expand every occurrence and every reminder.

A Department-sized plan: 500 units (20 offices and 480 schools and centres in
four groups), 40 tasks over two years, each task with a yearly deadline, a
quarterly report (RRULE) and a window, led by one office and carried out by one
group. Run: `.venv/bin/python bench/bench_expand.py [--gc-paused] [--units 500]`. Target: under
2 s and 300 MB in all. `--gc-paused` switches the cyclic garbage collector off
for the run, as a bulk job may: with about a million live objects its repeated
full scans cost about as much as building them.
"""

from __future__ import annotations

import gc
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.deadlines import expand_plan  # noqa: E402
from bot.domain.ladder import plan_reminders  # noqa: E402
from bot.domain.plan import Plan  # noqa: E402
from bot.domain.workdays import WorkCalendar  # noqa: E402

GROUPS = {"PHONG": 20, "THPT": 200, "THCS": 180, "GDTX": 60, "DAIHOC": 40}  # 500 units
TASKS = 40
YEARS = [2019, 2020]
TARGET_SECONDS, TARGET_MB = 2.0, 300


def group_sizes(units: int = 500) -> dict[str, int]:
    """GROUPS scaled to about `units` units (at least one per group): smaller plans for smoke runs."""
    return {g: max(1, round(n * units / 500)) for g, n in GROUPS.items()}


def build_plan_data(units_wanted: int = 500) -> dict[str, Any]:
    """A plan document as the YAML loader would hand it to pydantic."""
    units, groups = [], []
    for group, size in group_sizes(units_wanted).items():
        members = [f"{group}{i:03d}" for i in range(size)]
        units += [{"id": m, "name": f"Đơn vị {m}"} for m in members]
        groups.append({"id": f"G-{group}", "name": f"Nhóm {group}", "members": members})
    offices = [u["id"] for u in units if u["id"].startswith("PHONG")]
    areas = [{"id": str(a), "name": f"Lĩnh vực {a}", "responsibility": {"lead": ["PHONG000"], "others": ["G-PHONG"]}}
             for a in range(1, 9)]
    group_ids = [g["id"] for g in groups[1:]]
    tasks = []
    for t in range(TASKS):
        task: dict[str, Any] = {
            "id": f"{t // 5 + 1}.{t % 5 + 1}", "area": str(t // 5 + 1), "title": f"Nhiệm vụ {t}",
            "responsibility": {"lead": [offices[t % len(offices)]], "others": [group_ids[t % len(group_ids)]],
                               "others_as": "thực hiện"},
            "deadlines": [
                {"id": "nam", "label": "Báo cáo năm", "yearly": f"{5 + t % 20:02d}/12", "source": "seed"},
                {"id": "quy", "label": "Báo cáo quý", "rrule": "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=20",
                 "source": "assumed", "due_from": "others"},
                {"id": "ke-hoach", "label": "Kế hoạch (quý IV năm trước)", "window": {"quarter": 4, "year_offset": -1},
                 "source": "seed", "due_from": "lead"},
            ],
        }
        if t % 10 == 0:  # a few tasks with their own ladder
            task["ladder"] = {"before": [5, 2], "overdue_every": 3}
            task["deadlines"][0]["ladder"] = {"at": "14:00"}
        tasks.append(task)
    return {
        "plan": {"id": "bench", "title": "Kế hoạch CCHC (đo hiệu năng)", "issued_by": "Giám đốc Sở", "years": YEARS,
                 "office": "PHONG000",
                 "common_deadlines": [{"id": "ket-qua", "label": "Gửi kết quả (trước ngày 20/11)", "yearly": "20/11",
                                       "exclusive": True, "source": "seed"}]},
        "units": units, "groups": groups, "roles": [{"id": "leadership", "name": "Lãnh đạo Sở"}],
        "areas": areas, "tasks": tasks,
    }


def run(data: dict[str, Any]) -> tuple[list[tuple[str, float]], int, int]:
    """Validate, expand, compute reminders; the phase timings and the counts."""
    calendar = WorkCalendar()
    t0 = time.perf_counter()
    plan = Plan.model_validate(data)
    t1 = time.perf_counter()
    occurrences = expand_plan(plan, calendar)
    t2 = time.perf_counter()
    reminders = [r for occ in occurrences for r in plan_reminders(plan, occ, calendar)]
    t3 = time.perf_counter()
    phases = [("validate", t1 - t0), ("expand_plan", t2 - t1), ("plan_reminders", t3 - t2), ("total", t3 - t0)]
    return phases, len(occurrences), len(reminders)


def main(argv: list[str]) -> int:
    """Time one pass, measure memory on a second (tracemalloc slows Python down), print Markdown."""
    gc_paused = "--gc-paused" in argv
    size = int(argv[argv.index("--units") + 1]) if "--units" in argv else 500
    data = build_plan_data(size)
    if gc_paused:
        # What a bulk job can do: a million acyclic objects make the cyclic GC rescan them repeatedly.
        gc.disable()
    phases, n_occ, n_rem = run(data)
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux; before tracemalloc's own use
    tracemalloc.start()
    run(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    gc.enable()
    total, rss_mb = phases[-1][1], rss_kb / 1024
    print(f"{sum(group_sizes(size).values())} units, {TASKS} tasks, years {YEARS}: {n_occ:,} occurrences, "
          f"{n_rem:,} reminders (all kept in memory); cyclic GC {'paused' if gc_paused else 'on'}\n")
    print("| phase | seconds |\n| --- | ---: |")
    for name, seconds in phases:
        print(f"| {name} | {seconds:.3f} |")
    print("\n| memory | MB |\n| --- | ---: |")
    print(f"| tracemalloc peak (second pass) | {peak / 2**20:.1f} |")
    print(f"| ru_maxrss (process, after the timed pass) | {rss_mb:.1f} |")
    met = total < TARGET_SECONDS and rss_mb < TARGET_MB
    print(f"\ntarget (< {TARGET_SECONDS:g} s, < {TARGET_MB} MB): {'met' if met else 'missed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
