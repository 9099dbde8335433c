"""Benchmark: the weekly digests of a big plan (200 units × 40 tasks, random statuses) on SQLite.

Times overview_digest, overview_chart (target: both together < 2 s) and every unit's digest, then the
peak Python memory of each (tracemalloc, measured in a second pass so it does not slow the timings).

Run: `.venv/bin/python bench/bench_digest.py [--units 200] [--tasks 40] [--db sqlite:///path]`.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bot.db.engine import make_engine, migrate  # noqa: E402
from bot.db.models import AuditRow, BlockerRow, MemberRow, MetricRow, MetricValueRow, OccurrenceRow, TaskRow, UnitRow  # noqa: E402
from bot.digest.chart import overview_chart  # noqa: E402
from bot.digest.content import overview_digest, unit_digest  # noqa: E402

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2019, 11, 14, 9, 0, tzinfo=ZONE).astimezone(timezone.utc)
TARGET = 2.0
AREAS = ["Công tác chỉ đạo điều hành", "Xây dựng và tổ chức thực hiện văn bản QPPL", "Cải cách thủ tục hành chính",
         "Cải cách tổ chức bộ máy", "Xây dựng và nâng cao chất lượng đội ngũ CB, CC, VC",
         "Cải cách cơ chế quản lý tài chính công", "Hiện đại hóa hành chính",
         "Nâng cao chất lượng hoạt động của cơ chế Một cửa, Một cửa liên thông"]
DEADLINES = (("quy", "Báo cáo quý III", date(2019, 9, 20)),
             ("ket-qua", "Gửi kết quả về Văn phòng Sở", date(2019, 11, 19)),
             ("ket-qua-2020", "Gửi kết quả về Văn phòng Sở", date(2020, 11, 19)))


def seed(engine: Engine, units: int, tasks: int, rng: random.Random) -> int:
    """Bulk rows: units, tasks over 8 areas, 3 deadlines per task and unit, heads, metrics, a week of activity."""
    unit_ids = [f"U{i:03d}" for i in range(units)]
    task_ids = [f"{1 + t % 8}.{1 + t // 8}" for t in range(tasks)]
    created = NOW - timedelta(days=60)
    with Session(engine) as s, s.begin():
        s.execute(insert(UnitRow), [dict(id=u, name=f"Trường THPT số {i}", retired=False)
                                    for i, u in enumerate(unit_ids)])
        s.execute(insert(TaskRow), [dict(id=t, area=t.split(".")[0], area_name=AREAS[int(t.split(".")[0]) - 1],
                                         title=f"Nhiệm vụ cải cách hành chính {t}", evidence_required=False)
                                    for t in task_ids])
        s.execute(insert(MemberRow), [dict(chat_id=1, user_id=1, role="admin", unit="VP", name="Văn phòng",
                                           reachable=True, active=True, created_at=created)]
                  + [dict(chat_id=1000 + i, user_id=1000 + i, role="head", unit=u, name=f"Hiệu trưởng {i}",
                          reachable=True, active=True, created_at=created) for i, u in enumerate(unit_ids)])
        statuses = ("open", "open", "done", "done", "awaiting_review", "returned")
        s.execute(insert(OccurrenceRow), [
            dict(key=f"{t}/{d}/{u}", task_id=t, deadline_id=d.split("-2")[0], unit=u, period=str(due.year),
                 label=label, source="seed", lead_units="", due=due, status=rng.choice(statuses))
            for t in task_ids for u in unit_ids for d, label, due in DEADLINES])
        s.execute(insert(MetricRow), [dict(task_id=t, metric_id="ty-le", name=f"Tỷ lệ hoàn thành nhiệm vụ {t}",
                                           kind="percent", target=100, comparison=">=", retired=False)
                                      for t in task_ids[::4]])
        metric_ids = list(s.scalars(select(MetricRow.id)))
        s.execute(insert(MetricValueRow), [dict(metric_id=m, unit=rng.choice(unit_ids), value=rng.randint(50, 100),
                                                reported_by=1, reported_at=NOW - timedelta(hours=rng.randint(1, 300)))
                                           for m in metric_ids for _ in range(units // 2)])
        occ_ids = list(s.scalars(select(OccurrenceRow.id).limit(5000)))
        s.execute(insert(BlockerRow), [dict(occurrence_id=rng.choice(occ_ids), member_id=1,
                                            text="Chưa có hướng dẫn của UBND tỉnh về biểu mẫu báo cáo.",
                                            created_at=NOW - timedelta(days=rng.randint(0, 30))) for _ in range(40)])
        keys = list(s.scalars(select(OccurrenceRow.key).limit(5000)))
        actions = ("completion_submitted", "review_accepted", "review_returned", "blocker_reported")
        s.execute(insert(AuditRow), [dict(at=NOW - timedelta(minutes=rng.randint(1, 7 * 24 * 60)), actor="member:1",
                                          action=rng.choice(actions), subject=rng.choice(keys),
                                          details={"reason": "Thiếu minh chứng"}) for _ in range(2000)])
        return s.scalar(select(func.count()).select_from(OccurrenceRow)) or 0


def timed(fn: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """Best of `repeat` wall times (a fresh Session each run: no identity-map reuse)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def peak(fn: Callable[[], object]) -> float:
    """Peak traced Python memory of one run, in MiB."""
    tracemalloc.start()
    fn()
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--tasks", type=int, default=40)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file in a temporary folder)")
    args = parser.parse_args()
    rng = random.Random(2019)
    with tempfile.TemporaryDirectory(prefix="bench-digest-") as tmp:
        engine = make_engine(args.db or f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrate(engine)
        t0 = time.perf_counter()
        occurrences = seed(engine, args.units, args.tasks, rng)
        seeding = time.perf_counter() - t0
        with Session(engine) as session:
            units = list(session.scalars(select(UnitRow.id)))

        def overview() -> list[str]:
            with Session(engine) as s:
                return overview_digest(s, NOW, ZONE)

        def chart() -> bytes:
            with Session(engine) as s:
                return overview_chart(s, NOW, ZONE)

        def both() -> tuple[list[str], bytes]:
            with Session(engine) as s:
                return overview_digest(s, NOW, ZONE), overview_chart(s, NOW, ZONE)

        def all_units() -> list[list[str]]:
            with Session(engine) as s:
                return [unit_digest(s, u, NOW, ZONE) for u in units]

        t_overview, texts = timed(overview)
        t_chart, png = timed(chart)
        t_both, _ = timed(both)
        t_units, unit_texts = timed(all_units, repeat=1)
        memory = {name: peak(fn) for name, fn in (("overview", overview), ("chart", chart), ("units", all_units))}
        engine.dispose()
    assert isinstance(texts, list) and isinstance(png, bytes) and isinstance(unit_texts, list)
    longest = max(len(t) for parts in unit_texts for t in parts)
    ok = t_both < TARGET
    print(f"\n### bench_digest: {args.units} units × {args.tasks} tasks, {occurrences} occurrences, SQLite\n")
    print("| measure | value | target |")
    print("|---|---|---|")
    print(f"| seeding (bulk insert) | {seeding:.2f} s | |")
    print(f"| overview_digest | {t_overview:.3f} s ({len(texts)} messages, longest {max(map(len, texts))} chars) | |")
    print(f"| overview_chart | {t_chart:.3f} s (PNG {len(png) / 1024:.0f} KiB) | |")
    print(f"| overview + chart, one session | {t_both:.3f} s | < {TARGET:.0f} s |")
    print(f"| all {len(units)} unit digests | {t_units:.2f} s ({1000 * t_units / len(units):.1f} ms each, "
          f"longest message {longest} chars) | |")
    print(f"| peak traced memory: overview / chart / all units | {memory['overview']:.1f} / {memory['chart']:.1f} / "
          f"{memory['units']:.1f} MiB | |")
    print(f"| process max RSS | {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB | |")
    print(f"| verdict | {'PASS' if ok else 'MISS'} | |")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
