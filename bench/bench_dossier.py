"""Benchmark: the dossier on the 500-unit bench plan with 2,000 documents.

The plan of bench_expand.py (500 units, 40 tasks over 2019–2020, 57,840 occurrences; reminders are not stored:
the dossier never reads them) is expanded and inserted; a 2019 criteria set of 8 areas → 16 criteria → 48
sub-criteria (100 points, 6 of them scored by survey), each sub-criterion linked to one task and owed by its lead
office and 10 schools; 2,000 documents (document metadata, files of `--file-kb` random bytes on disk) on
occurrences of the linked tasks due in 2019, 200 of them also linked to a second criterion with a mục/trang,
self-scores on half the sub-criteria, a pending review for every tenth document's occurrence.

Measured (database work and fact building, no HTTP): the overview (`--runs` times), every sub-criterion's page
(`--runs` rounds over the 48), the review desk's warnings on 100 pending reviews, and the dossier export
(workbook, ZIP by criterion, draft report). Run: `.venv/bin/python bench/bench_dossier.py [--db URL]
[--runs 20] [--file-kb 40]`; with a PostgreSQL URL the bench works in its own schema (`bench_dossier`).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.bench_expand import build_plan_data  # noqa: E402
from bench.bench_sweep import drop_schema, open_engine  # noqa: E402
from bot.db.engine import migrate  # noqa: E402
from bot.db.models import (  # noqa: E402
    CriteriaSetRow,
    CriterionDocumentRow,
    CriterionRow,
    CriterionTaskRow,
    CriterionUnitRow,
    EvidenceRow,
    MemberRow,
    OccurrenceRow,
    ReviewRow,
    SelfScoreRow,
    TaskRow,
    UnitRow,
)
from bot.domain.deadlines import expand_plan  # noqa: E402
from bot.domain.plan import Plan  # noqa: E402
from bot.domain.workdays import WorkCalendar  # noqa: E402
from bot.dossier import checks, facts, overview  # noqa: E402
from bot.dossier.files import write_all  # noqa: E402
from bot.dossier.outline import collect  # noqa: E402
from bot.services.access import load_actor  # noqa: E402

NOW = datetime(2019, 11, 25, 2, 0, tzinfo=timezone.utc)
TODAY = date(2019, 11, 25)
DOCUMENTS, LINKED = 2000, 200
ADMIN = 1


def seed(engine: Engine, store: Path, file_kb: int, rng: random.Random) -> dict[str, int]:
    """The plan's rows, the criteria tree, documents with files on disk, scores and reviews."""
    data = build_plan_data()
    plan = Plan.model_validate(data)
    occurrences = expand_plan(plan, WorkCalendar())
    areas = {a.id: a.name for a in plan.areas}
    store.mkdir(parents=True, exist_ok=True)
    with Session(engine) as s, s.begin():
        s.execute(insert(UnitRow), [dict(id=u.id, name=u.name, retired=False) for u in plan.units])
        s.execute(insert(TaskRow), [dict(id=t.id, area=t.area, area_name=areas[t.area], title=t.title,
                                         evidence_required=True, evidence=[], plan_id="bench") for t in plan.tasks])
        rows = [dict(key=o.key, task_id=o.task_id, deadline_id=o.deadline_id, unit=o.unit, period=o.period,
                     label=o.label, source=o.source, lead_units=",".join(o.lead_units), due=o.due,
                     status=rng.choice(["open", "open", "done", "returned"])) for o in occurrences]
        for start in range(0, len(rows), 5000):
            s.execute(insert(OccurrenceRow), rows[start:start + 5000])
        s.execute(insert(MemberRow), [dict(chat_id=ADMIN, user_id=ADMIN, role="admin", unit="PHONG000",
                                           name="Văn phòng", reachable=True, active=True, lang="vi", created_at=NOW)]
                  + [dict(chat_id=10_000 + i, user_id=10_000 + i, role="head", unit=u.id, name=f"Trưởng {u.id}",
                          reachable=True, active=True, lang="vi", created_at=NOW) for i, u in enumerate(plan.units)])
        admin = s.scalar(select(MemberRow.id).where(MemberRow.chat_id == ADMIN))
        heads = dict(s.execute(select(MemberRow.unit, MemberRow.id).where(MemberRow.role == "head")).all())
        set_id = s.scalar(insert(CriteriaSetRow).values(
            year=2019, name="Chỉ số CCHC năm 2019", total_points=100, last_points=70.69, last_rank=15, last_of=21,
            period_start=date(2019, 1, 1), period_end=date(2019, 12, 31), created_at=NOW).returning(CriteriaSetRow.id))
        leaves, position = [], 0
        task_ids = [t.id for t in plan.tasks]
        schools = [u.id for u in plan.units if not u.id.startswith("PHONG")]
        for a in range(8):
            area_id = s.scalar(insert(CriterionRow).values(
                set_id=set_id, code=str(a + 1), level="linh_vuc", name=f"Lĩnh vực {a + 1}", max_points=12.5,
                position=position, retired=False, survey=False).returning(CriterionRow.id))
            position += 1
            for c in range(2):
                crit_id = s.scalar(insert(CriterionRow).values(
                    set_id=set_id, code=f"{a + 1}.{c + 1}", level="tieu_chi", parent_id=area_id,
                    name=f"Tiêu chí {a + 1}.{c + 1}", max_points=6.25, position=position, retired=False,
                    survey=False).returning(CriterionRow.id))
                position += 1
                for t in range(3):
                    code = f"{a + 1}.{c + 1}.{t + 1}"
                    leaf = s.scalar(insert(CriterionRow).values(
                        set_id=set_id, code=code, level="tieu_chi_thanh_phan", parent_id=crit_id,
                        name=f"Tiêu chí thành phần {code}", max_points=6.25 / 3, position=position, retired=False,
                        survey=a == 7, method="Đúng hạn: tối đa; chậm: một nửa", evidence="Kế hoạch; báo cáo")
                        .returning(CriterionRow.id))
                    position += 1
                    task = task_ids[len(leaves) % len(task_ids)]
                    leaves.append((leaf, task))
                    s.add(CriterionTaskRow(criterion_id=leaf, task_id=task))
                    lead = plan.task(task).responsibility.lead[0]
                    s.add_all(CriterionUnitRow(criterion_id=leaf, unit=u)
                              for u in dict.fromkeys([lead, *rng.sample(schools, 10)]))
        s.flush()
        linked_tasks = {t for _, t in leaves}
        candidates = list(s.execute(select(OccurrenceRow.id, OccurrenceRow.unit).where(
            OccurrenceRow.task_id.in_(linked_tasks), OccurrenceRow.due >= date(2019, 1, 1),
            OccurrenceRow.due <= date(2019, 12, 31))).all())
        chosen = rng.sample(candidates, DOCUMENTS)
        payload = os.urandom(file_kb * 1024)
        evidence = []
        for n, (occ, unit) in enumerate(chosen):
            path = store / f"{n:05d}.pdf"
            path.write_bytes(payload[: rng.randint(file_kb * 512, file_kb * 1024)])
            evidence.append(dict(occurrence_id=occ, member_id=heads[unit], kind="document",
                                 file_name=f"Báo cáo {n}.pdf", size=path.stat().st_size, stored_path=str(path),
                                 created_at=NOW, doc_number=f"{n + 1}/BC-{unit[:8]}" if n % 7 else None,
                                 doc_date=date(2019, 1 + n % 12, 1 + n % 28),
                                 doc_summary=f"Báo cáo kết quả thực hiện nhiệm vụ CCHC số {n}",
                                 doc_issuer=f"Đơn vị {unit}"))
        s.execute(insert(EvidenceRow), evidence)
        ev_ids = list(s.scalars(select(EvidenceRow.id).order_by(EvidenceRow.id)))
        s.execute(insert(CriterionDocumentRow), [
            dict(criterion_id=leaves[(i * 7) % len(leaves)][0], evidence_id=e, section=f"Mục {i % 5 + 1}, trang {i}",
                 excluded=False, linked_by=admin, linked_at=NOW) for i, e in enumerate(ev_ids[:LINKED])])
        s.execute(insert(SelfScoreRow), [dict(criterion_id=leaf, score=1.5, explanation="Ban hành chậm",
                                              recorded_by=admin, recorded_at=NOW) for leaf, _ in leaves[::2]])
        reviewed = sorted({occ for occ, _ in chosen[::10]})
        s.execute(insert(ReviewRow), [dict(occurrence_id=o, submitted_by=admin, submitted_at=NOW)
                                      for o in reviewed])
    return {"set": set_id, "occurrences": len(rows), "leaves": len(leaves)}


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--file-kb", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = args.db or f"sqlite:///{folder / 'bench.db'}"
        engine = open_engine(url, "bench_dossier")
        migrate(engine)
        t0 = time.perf_counter()
        counts = seed(engine, folder / "evidence", args.file_kb, random.Random(20191120))
        with engine.begin() as conn:  # planner statistics, as a database that has lived a while has them
            conn.execute(text("ANALYZE"))
        print(f"{engine.dialect.name}: seeded 500 units, {counts['occurrences']:,} occurrences, "
              f"{DOCUMENTS:,} documents, {counts['leaves']} sub-criteria in {time.perf_counter() - t0:.1f} s\n")
        with Session(engine) as s:
            actor = load_actor(s, ADMIN, ADMIN)
            ids = list(s.scalars(select(CriterionRow.id).where(CriterionRow.level == "tieu_chi_thanh_phan")))
            reviews = list(s.scalars(select(ReviewRow.id).order_by(ReviewRow.id).limit(100)))

        def with_session(fn: Callable[[Session], Any]) -> Callable[[], Any]:
            def run() -> Any:
                with Session(engine) as s:
                    return fn(s)
            return run

        view = with_session(lambda s: overview.overview(s, actor, TODAY))()
        overview_ms = timed(with_session(lambda s: overview.overview(s, actor, TODAY)), args.runs)
        pages: list[float] = []
        for _ in range(max(1, args.runs // 5)):
            for cid in ids:
                pages += timed(with_session(lambda s, cid=cid: facts.criterion_dossier(s, actor, cid, TODAY)), 1)
        warnings: list[float] = []
        for rid in reviews:
            warnings += timed(with_session(lambda s, rid=rid: checks.review_warnings(s, actor, rid)), 1)
        print("| query | runs | p50 (ms) | p95 (ms) |\n|---|---:|---:|---:|")
        for name, values in (("overview", overview_ms), ("sub-criterion page", pages), ("review warnings", warnings)):
            print(f"| {name} | {len(values)} | {pct(values, 0.5):.1f} | {pct(values, 0.95):.1f} |")
        print(f"\noverview: {view.documents:,} documents counted, {len(view.at_risk)} criteria at risk, "
              f"self-score {view.total_score:g} of {view.total_max:g}")
        t0 = time.perf_counter()
        with Session(engine) as s:
            outline = collect(s, counts["set"])
        t1 = time.perf_counter()
        written = write_all(outline, folder / "out", TODAY)
        t2 = time.perf_counter()
        size = sum(p.stat().st_size for p in (written.workbook, written.bundle.path, written.report))
        print(f"\n| export step | seconds |\n|---|---:|\n| collect | {t1 - t0:.2f} |\n"
              f"| write .xlsx + .zip + .docx | {t2 - t1:.2f} |\n| total | {t2 - t0:.2f} |")
        print(f"\nexport: {written.bundle.files:,} files in the ZIP, {size / 2**20:.0f} MB written")
        engine.dispose()
        if args.db:
            drop_schema(args.db, "bench_dossier")


if __name__ == "__main__":
    main()
