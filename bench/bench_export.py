"""Benchmark: the summary workbook and the evidence package over 1,000 evidence files and ~50 units.

A generated plan (8 areas, 40 tasks, 50 units, 2 deadlines a task → 4,000 occurrences), 1,000
evidence files of 50–200 KB random bytes (incompressible, like scanned PDFs and photos), 200
text/link items and 10 metrics. Each step is run twice: once for wall time, once under
tracemalloc for the peak Python heap (tracemalloc slows allocation-heavy code such as openpyxl).
ru_maxrss is the process's high-water mark, read after each step.

Run: `.venv/bin/python bench/bench_export.py [--files 1000] [--units 50] [--max-part-mb 45] [--db URL]`.
Without --db a fresh SQLite file in a temporary folder is used.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bot.db.engine import make_engine, migrate  # noqa: E402
from bot.db.models import EvidenceRow, MemberRow, MetricRow, MetricValueRow, OccurrenceRow, TaskRow, UnitRow  # noqa: E402
from bot.exports.package import build_package, fmt_size  # noqa: E402
from bot.exports.workbook import build_workbook  # noqa: E402

UTC = timezone.utc
NOW = datetime(2019, 11, 13, 1, 0, tzinfo=UTC)
TODAY = date(2019, 11, 13)
AREAS = ["Công tác chỉ đạo điều hành", "Xây dựng và tổ chức thực hiện văn bản QPPL", "Cải cách thủ tục hành chính",
         "Cải cách tổ chức bộ máy", "Xây dựng và nâng cao chất lượng đội ngũ CBCCVC", "Cải cách tài chính công",
         "Hiện đại hóa hành chính", "Tác động của cải cách hành chính đến người dân, tổ chức"]


def seed(engine: Engine, store: Path, files: int, units: int, rng: random.Random) -> int:
    """Units, heads, tasks, occurrences, evidence files on disk, metrics; returns the bytes of evidence."""
    unit_ids = [f"U{i:03d}" for i in range(units)]
    with Session(engine) as s, s.begin():
        s.execute(insert(UnitRow), [dict(id=u, name=f"Trường THPT số {i}", retired=False)
                                    for i, u in enumerate(unit_ids)])
        s.execute(insert(MemberRow), [dict(chat_id=10_000 + i, user_id=10_000 + i, role="head", unit=u,
                                           name=f"Hiệu trưởng {i}", reachable=True, active=True, created_at=NOW)
                                      for i, u in enumerate(unit_ids)])
        tasks = [(f"{a + 1}.{t + 1}", a) for a in range(len(AREAS)) for t in range(5)]
        s.execute(insert(TaskRow), [dict(id=tid, area=str(a + 1), area_name=AREAS[a], evidence_required=True,
                                         title=f"Nhiệm vụ {tid}: báo cáo kết quả thực hiện và tài liệu kiểm chứng")
                                    for tid, a in tasks])
        s.execute(insert(OccurrenceRow), [
            dict(key=f"{tid}/{d}/{u}/2019", task_id=tid, deadline_id=d, unit=u, period="2019", label=label,
                 source="seed" if d == "ket-qua" else "assumed", lead_units="", due=due,
                 status=rng.choice(["open", "done", "awaiting_review", "returned"]))
            for tid, _ in tasks for u in unit_ids
            for d, label, due in (("ket-qua", "Gửi kết quả trước ngày 20/11", date(2019, 11, 19)),
                                  ("quy", "Báo cáo quý III", date(2019, 9, 20)))])
        s.execute(insert(MetricRow), [dict(task_id=tid, metric_id="ty-le", name=f"Tỷ lệ hoàn thành {tid}",
                                           kind="percent", target=90, comparison=">=", retired=False)
                                      for tid, _ in tasks[:10]])
        occ_ids = list(s.scalars(select(OccurrenceRow.id)))
        members = {u: mid for mid, u in s.execute(select(MemberRow.id, MemberRow.unit))}
        metric_ids = list(s.scalars(select(MetricRow.id)))
        s.execute(insert(MetricValueRow), [dict(metric_id=m, unit=u, value=rng.randint(50, 100),
                                                reported_by=members[u], reported_at=NOW)
                                           for m in metric_ids for u in unit_ids[: units // 2]])
        units_of = dict(s.execute(select(OccurrenceRow.id, OccurrenceRow.unit)).all())
        rows: list[dict[str, Any]] = []
        total = 0
        for n in range(files):
            occ = rng.choice(occ_ids)
            data = rng.randbytes(rng.randint(50_000, 200_000))
            path = store / str(occ) / f"{n:05d}_bao-cao-{n}.pdf"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            total += len(data)
            rows.append(dict(occurrence_id=occ, member_id=members[units_of[occ]], kind="document",
                             file_name=f"Báo cáo kết quả {n}.pdf", size=len(data),
                             sha256=hashlib.sha256(data).hexdigest(), stored_path=str(path),
                             created_at=NOW - timedelta(minutes=n)))
        for n in range(files // 5):
            occ = rng.choice(occ_ids)
            rows.append(dict(occurrence_id=occ, member_id=members[units_of[occ]], kind="link",
                             text=f"Văn bản số {n}/BC-SGDĐT: https://vanban.example.gov.vn/{n}", created_at=NOW))
        s.execute(insert(EvidenceRow), rows)
    return total


def measure(fn: Callable[[], Any], traced: bool) -> tuple[float, float, Any]:
    """(seconds, peak traced MB, result)."""
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    peak = 0.0
    if traced:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return seconds, peak, result


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--max-part-mb", type=float, default=45)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = make_engine(args.db or f"sqlite:///{folder / 'bench.db'}")
        migrate(engine)
        t0 = time.perf_counter()
        evidence_bytes = seed(engine, folder / "evidence", args.files, args.units, random.Random(20191120))
        print(f"Seeded {args.units} units, {args.files} files ({fmt_size(evidence_bytes)}) "
              f"in {time.perf_counter() - t0:.1f} s; max RSS {max_rss_mb():.0f} MB\n")
        max_part = int(args.max_part_mb * 1024 * 1024)

        def workbook() -> bytes:
            with Session(engine) as s:
                return build_workbook(s, TODAY)

        def package(out: str) -> Any:
            with Session(engine) as s:
                return build_package(s, TODAY, folder / out, max_part)

        rows = []
        secs, _, data = measure(workbook, traced=False)
        _, peak, _ = measure(workbook, traced=True)
        rows.append(("build_workbook", secs, peak, max_rss_mb(), f"{fmt_size(len(data))} .xlsx"))
        secs, _, result = measure(lambda: package("a"), traced=False)
        _, peak, _ = measure(lambda: package("b"), traced=True)
        rows.append(("build_package", secs, peak, max_rss_mb(),
                     f"{len(result.paths)} parts, {fmt_size(sum(result.sizes))}, {result.file_count} files, "
                     f"largest part {fmt_size(max(result.sizes))}"))
        print("| step | wall time (s) | peak Python heap (MB, tracemalloc) | max RSS so far (MB) | output |")
        print("|---|---:|---:|---:|---|")
        for name, secs, peak, rss, out in rows:
            print(f"| {name} | {secs:.2f} | {peak:.1f} | {rss:.0f} | {out} |")
        assert all(size <= max_part for size in result.sizes) and not result.missing and not result.mismatched
        engine.dispose()


if __name__ == "__main__":
    main()
