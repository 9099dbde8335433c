"""Weekly digests on SQLite and PostgreSQL: exact texts, figures equal to /tiendo, splitting, the chart."""

from __future__ import annotations

import io
import re
import struct
import warnings
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.members import ensure_member
from bot.db.models import BlockerRow, MemberRow, MetricRow, OccurrenceRow, UnitRow
from bot.digest.chart import MAX_UNITS, chart_data, overview_chart, render_chart, wrap_label
from bot.digest.content import overview_digest, unit_digest
from bot.domain.clock import FixedClock
from bot.domain.workdays import WorkCalendar
from bot.engine.sync import sync_plan
from bot.plans.loader import parse_plan
from bot.services import metrics, review, tasks
from bot.services.access import load_actor
from bot.services.metrics import metric_status
from bot.services.status import compute_progress
from bot.texts import unit_short
from bot.views.status import progress_text
from tests.conftest import BUNDLED_PLAN, MINI_PLAN
from tests.fakes import confirm_all

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ADMIN, LEADER, HEAD_VP, HEAD_TCCB, HEAD_KHTC = 1, 90, 10, 20, 30
NOW = datetime(2019, 11, 14, 9, 0, tzinfo=ZONE)  # a Thursday, five days before the 19/11 results deadline
METRICS = """    metrics:
      - {id: dung-han, name: Tỷ lệ hồ sơ đúng hạn, kind: percent, target: 100, comparison: ">="}
      - {id: van-ban, name: Số văn bản chỉ đạo ban hành, kind: count, target: 2, comparison: ">="}
"""


def mini_with_metrics() -> str:
    """tests/data/mini.yaml with two metrics on task 1.1."""
    text = MINI_PLAN.read_text(encoding="utf-8")
    anchor = "    title: Ban hành kế hoạch CCHC\n"
    assert anchor in text
    return text.replace(anchor, anchor + METRICS)


def local(day: int, month: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2019, month, day, hh, mm, tzinfo=ZONE).astimezone(timezone.utc)


def occ(db: Engine, key: str) -> int:
    with Session(db) as s:
        found = s.scalar(select(OccurrenceRow.id).where(OccurrenceRow.key == key))
    assert found is not None, key
    return found


def metric_ids(db: Engine) -> dict[str, int]:
    with Session(db) as s:
        return {m.metric_id: m.id for m in s.scalars(select(MetricRow))}


def act(db: Engine, user: int, when: datetime, fn, *args):  # type: ignore[no-untyped-def]
    """One service call by `user` at `when`, in its own transaction (as the chat does it)."""
    with Session(db, expire_on_commit=False) as s, s.begin():
        return fn(s, load_actor(s, user, user), *args, tasks.Event(when))


def seed(db: Engine) -> None:
    """The scenario of the exact-text tests (mini plan, 14/11/2019 09:00)."""
    start = local(1, 10, 8)
    sync_plan(db, parse_plan(mini_with_metrics(), "mini.yaml"), WorkCalendar(), start)
    ensure_member(db, start, chat_id=ADMIN, user_id=ADMIN, role="admin", unit="VP", name="Chánh Văn phòng")
    ensure_member(db, start, chat_id=LEADER, user_id=LEADER, role="leader", name="Giám đốc Sở")
    ensure_member(db, start, chat_id=HEAD_VP, user_id=HEAD_VP, role="head", unit="VP", name="Nguyễn Văn An")
    ensure_member(db, start, chat_id=HEAD_TCCB, user_id=HEAD_TCCB, role="head", unit="TCCB", name="Trần Thị Bình")
    # Before the week: TCCB's March report done, a VP blocker raised and resolved, a first TCCB figure.
    rev = act(db, HEAD_TCCB, local(1, 11, 10), tasks.confirm_done, occ(db, "1.1/quy/TCCB/2019-03-20"))
    act(db, ADMIN, local(2, 11, 9), review.accept, rev.id)
    old = act(db, HEAD_VP, local(5, 11, 10), tasks.report_blocker, occ(db, "1.1/dao-tao/VP/2020"), "Chưa rõ biểu mẫu.")
    with Session(db) as s, s.begin():
        s.get(BlockerRow, old.id).resolved_at = local(6, 11, 10)  # type: ignore[union-attr]
    dung_han, van_ban = metric_ids(db)["dung-han"], metric_ids(db)["van-ban"]
    act(db, HEAD_TCCB, local(4, 11, 9), metrics.record_value, dung_han, "90")
    # The week (since 07/11 09:00):
    rev = act(db, HEAD_TCCB, local(8, 11, 9), tasks.confirm_done, occ(db, "1.1/quy/TCCB/2019-09-20"))
    act(db, ADMIN, local(11, 11, 10), review.return_with_reason, rev.id, "Thiếu bảng số liệu quý III.")
    rev = act(db, HEAD_VP, local(12, 11, 9), tasks.confirm_done, occ(db, "1.1/ket-qua/VP/2019"))
    act(db, ADMIN, local(12, 11, 15), review.accept, rev.id)
    ensure_member(db, local(12, 11, 10), chat_id=HEAD_KHTC, user_id=HEAD_KHTC, role="head", unit="KHTC",
                  name="Lê Văn Cường")
    rev = act(db, HEAD_KHTC, local(12, 11, 14), tasks.confirm_done, occ(db, "1.1/quy/KHTC/2019-03-20"))
    act(db, ADMIN, local(13, 11, 8, 30), review.accept, rev.id)
    act(db, HEAD_KHTC, local(13, 11, 10), tasks.confirm_done, occ(db, "1.1/quy/KHTC/2019-09-20"))
    blocker = act(db, HEAD_TCCB, local(13, 11, 16), tasks.report_blocker, occ(db, "1.1/ket-qua/TCCB/2019"),
                  "Chưa có mẫu báo cáo của UBND tỉnh.")
    act(db, ADMIN, local(14, 11, 8), tasks.forward_blocker, blocker.id)
    act(db, HEAD_VP, local(12, 11, 11), metrics.record_value, dung_han, "100%")
    act(db, HEAD_TCCB, local(13, 11, 11), metrics.record_value, dung_han, "98")
    act(db, HEAD_KHTC, local(13, 11, 11), metrics.record_value, van_ban, "3")


OVERVIEW = """📊 Tổng hợp tuần — kế hoạch CCHC năm 2019 (ngày 14/11/2019)

⏳ Còn 3 ngày làm việc đến hạn gửi kết quả về Văn phòng Sở (19/11/2019).

Tổng: 8 đầu việc, đã xong 38%
✅ 3 xong · ⏳ 1 chờ xác nhận · 🔴 2 quá hạn · ⬜ 2 đang mở

Theo lĩnh vực:
1. Công tác chỉ đạo điều hành: ✅ 3 xong · ⏳ 1 chờ xác nhận · 🔴 2 quá hạn · ⬜ 2 đang mở

Theo đơn vị:
P. Kế hoạch - Tài chính: ✅ 1 xong · ⏳ 1 chờ xác nhận · 🔴 0 quá hạn · ⬜ 1 đang mở
P. Tổ chức cán bộ: ✅ 1 xong · ⏳ 0 chờ xác nhận · 🔴 1 quá hạn · ⬜ 1 đang mở
Văn phòng: ✅ 1 xong · ⏳ 0 chờ xác nhận · 🔴 1 quá hạn · ⬜ 0 đang mở

🗓 Tuần qua (07/11/2019 – 14/11/2019):
📝 Đơn vị báo hoàn thành: 4 — [1.1] P. Tổ chức cán bộ (hạn 20/09/2019), [1.1] Văn phòng (hạn 19/11/2019), \
[1.1] P. Kế hoạch - Tài chính (hạn 20/03/2019), [1.1] P. Kế hoạch - Tài chính (hạn 20/09/2019)
✔️ Văn phòng Sở tiếp nhận: 2 — [1.1] Văn phòng (hạn 19/11/2019), [1.1] P. Kế hoạch - Tài chính (hạn 20/03/2019)
↩️ Văn phòng Sở trả lại: 1 — [1.1] P. Tổ chức cán bộ (hạn 20/09/2019), lý do: Thiếu bảng số liệu quý III.
⚠️ Vướng mắc mới: 1 — [1.1] P. Tổ chức cán bộ (hạn 19/11/2019)
📈 Số liệu chỉ tiêu được báo: 3 — [1.1] Văn phòng 100%, [1.1] P. Tổ chức cán bộ 98%, \
[1.1] P. Kế hoạch - Tài chính 3
👥 Thành viên mới: 1 — Lê Văn Cường (trưởng đơn vị, P. Kế hoạch - Tài chính)

⚠️ Vướng mắc chưa giải quyết (1):
• [1.1] P. Tổ chức cán bộ — Gửi kết quả về Văn phòng Sở (trước ngày 20/11)
   Báo ngày 13/11/2019, đã chuyển Lãnh đạo Sở: Chưa có mẫu báo cáo của UBND tỉnh.

📈 Chỉ tiêu: 2 đạt · 1 chưa đạt · 3 chưa báo
• [1.1] Tỷ lệ hồ sơ đúng hạn ≥ 100%: P. Tổ chức cán bộ 98% (chưa đạt); Văn phòng 100% (đạt); \
chưa báo: P. Kế hoạch - Tài chính
• [1.1] Số văn bản chỉ đạo ban hành ≥ 2: P. Kế hoạch - Tài chính 3 (đạt); chưa báo: P. Tổ chức cán bộ, Văn phòng"""

TCCB = """📬 Tổng hợp tuần — Phòng Tổ chức cán bộ (TCCB), ngày 14/11/2019

Năm 2019: ✅ 1 xong · ⏳ 0 chờ xác nhận · 🔴 1 quá hạn · ⬜ 1 đang mở

↩️ Bị Văn phòng Sở trả lại, cần bổ sung (1):
• Hạn 20/09/2019 (quá hạn 39 ngày làm việc) — Báo cáo quý:
   [1.1] Ban hành kế hoạch CCHC
      Lý do trả lại: Thiếu bảng số liệu quý III.

⏰ Đến hạn trong 14 ngày tới (1):
• Hạn 19/11/2019 (còn 3 ngày làm việc) — Gửi kết quả về Văn phòng Sở (trước ngày 20/11):
   [1.1] Ban hành kế hoạch CCHC

⬜ Còn 3 việc có hạn sau 28/11/2019.

Gõ /viec để báo hoàn thành, gửi tài liệu kiểm chứng hoặc báo vướng mắc."""

KHTC = """📬 Tổng hợp tuần — Phòng Kế hoạch - Tài chính (KHTC), ngày 14/11/2019

Năm 2019: ✅ 1 xong · ⏳ 1 chờ xác nhận · 🔴 0 quá hạn · ⬜ 1 đang mở

⏰ Đến hạn trong 14 ngày tới (1):
• Hạn 19/11/2019 (còn 3 ngày làm việc) — Gửi kết quả về Văn phòng Sở (trước ngày 20/11):
   [1.1] Ban hành kế hoạch CCHC

📝 Đang chờ Văn phòng Sở xác nhận (1):
• Hạn 20/09/2019 — Báo cáo quý:
   [1.1] Ban hành kế hoạch CCHC

⬜ Còn 3 việc có hạn sau 28/11/2019.

Gõ /viec để báo hoàn thành, gửi tài liệu kiểm chứng hoặc báo vướng mắc."""

VP = """📬 Tổng hợp tuần — Văn phòng Sở (VP), ngày 14/11/2019

Năm 2019: ✅ 1 xong · ⏳ 0 chờ xác nhận · 🔴 1 quá hạn · ⬜ 0 đang mở

🔴 Quá hạn (1):
• Hạn 28/06/2019 (quá hạn 98 ngày làm việc) — Kế hoạch đào tạo (quý II năm trước):
   [1.1] Ban hành kế hoạch CCHC

⬜ Còn 2 việc có hạn sau 28/11/2019.

Gõ /viec để báo hoàn thành, gửi tài liệu kiểm chứng hoặc báo vướng mắc."""

TOTALS = re.compile(r"đầu việc.*\n✅ (\d+) xong · ⏳ (\d+) chờ xác nhận · 🔴 (\d+) quá hạn · ⬜ (\d+) đang mở$", re.M)
COUNTS = re.compile(r"^(.+?): ✅ (\d+) xong · ⏳ (\d+) chờ xác nhận · 🔴 (\d+) quá hạn · ⬜ (\d+) đang mở$", re.M)


def test_overview_digest_says_exactly_this_for_the_seeded_week(db: Engine) -> None:
    seed(db)
    with Session(db) as s:
        assert overview_digest(s, NOW, ZONE) == [OVERVIEW]


def test_unit_digests_list_returned_with_reason_upcoming_overdue_and_awaiting(db: Engine) -> None:
    seed(db)
    with Session(db) as s:
        assert unit_digest(s, "TCCB", NOW, ZONE) == [TCCB]
        assert unit_digest(s, "KHTC", NOW, ZONE) == [KHTC]
        assert unit_digest(s, "VP", NOW, ZONE) == [VP]


def test_unit_with_nothing_due_gets_a_clear_nothing_to_do_line(db: Engine) -> None:
    seed(db)
    with Session(db) as s, s.begin():
        s.get(OccurrenceRow, occ(db, "1.1/dao-tao/VP/2020")).status = "done"  # type: ignore[union-attr]
    with Session(db) as s:
        assert unit_digest(s, "VP", NOW, ZONE) == [
            "📬 Tổng hợp tuần — Văn phòng Sở (VP), ngày 14/11/2019\n\n"
            "Năm 2019: ✅ 2 xong · ⏳ 0 chờ xác nhận · 🔴 0 quá hạn · ⬜ 0 đang mở\n\n"
            "✅ Không có việc nào cần làm trong 14 ngày tới: không có việc quá hạn, sắp đến hạn hay bị trả lại.\n\n"
            "⬜ Còn 2 việc có hạn sau 28/11/2019."]


def test_the_week_excludes_older_events_and_resolved_blockers(db: Engine) -> None:
    seed(db)
    with Session(db) as s:
        text = overview_digest(s, NOW + timedelta(days=7), ZONE)[0]
    assert "Không có thay đổi nào trong 7 ngày qua." in text
    assert "Chưa rõ biểu mẫu" not in text  # resolved on 06/11
    assert "Chưa có mẫu báo cáo" in text  # still open a week later
    assert "⏳ Còn 0 ngày" not in text and "Hôm nay" not in text  # 21/11: the next results deadline is 2020's
    assert "(19/11/2020)" in text


def _random_statuses(db: Engine, seed_: int) -> None:
    import random

    rng = random.Random(seed_)
    with Session(db) as s, s.begin():
        for row in s.scalars(select(OccurrenceRow)):
            row.status = rng.choice(("open", "open", "done", "awaiting_review", "returned"))


def _bundled(db: Engine) -> None:
    from bot.plans.loader import load_plan

    sync_plan(db, load_plan(BUNDLED_PLAN), WorkCalendar(), local(1, 10, 8))
    confirm_all(db, local(1, 10, 8))  # digests count confirmed deadlines only
    ensure_member(db, local(1, 10, 8), chat_id=ADMIN, user_id=ADMIN, role="admin", unit="VP", name="Văn phòng")


def test_every_figure_of_the_overview_equals_compute_progress_and_tiendo(db: Engine) -> None:
    _bundled(db)
    _random_statuses(db, 7)
    today = NOW.date()
    with Session(db) as s:
        digest = "\n".join(overview_digest(s, NOW, ZONE))
        p = compute_progress(s, today)
        tiendo = "\n".join(progress_text(p, today, metric_status(s)))
    # leadership reads unit names, not codes (WORDING M5): the digest and /tiendo name each unit the same way
    expected = {"Tổng": p.total, **{f"{a}. {p.area_names[a]}": c for a, c in p.areas.items()},
                **{unit_short(p.unit_names[u]): c for u, c in p.units.items()}}
    for text in (digest, tiendo):
        found = {m[1]: tuple(map(int, m.groups()[1:])) for m in COUNTS.finditer(text)}
        totals = TOTALS.search(text)  # the line under "Tổng: N đầu việc"
        assert totals is not None
        found["Tổng"] = tuple(map(int, totals.groups()))
        assert found == {k: (c.done, c.awaiting_review, c.overdue, c.open) for k, c in expected.items()}
    assert f"Tổng: {p.total.total} đầu việc" in digest


def test_long_digests_are_split_under_telegrams_limit_and_lose_nothing(db: Engine) -> None:
    _bundled(db)
    with Session(db) as s, s.begin():
        admin = s.scalar(select(MemberRow.id))
        ids = list(s.scalars(select(OccurrenceRow.id).where(OccurrenceRow.unit == "TCCB").limit(60)))
        s.execute(insert(BlockerRow), [dict(occurrence_id=i, member_id=admin, text=f"Vướng mắc số {n}: " + "chữ " * 60,
                                            created_at=local(10, 11, 8)) for n, i in enumerate(ids)])
    with Session(db) as s:
        overview = overview_digest(s, NOW, ZONE)
        late = datetime(2020, 12, 15, 9, 0, tzinfo=ZONE)  # every TCCB deadline has passed: a long overdue list
        unit = unit_digest(s, "TCCB", late, ZONE)
        open_rows = s.scalars(select(OccurrenceRow).where(OccurrenceRow.unit == "TCCB",
                                                          OccurrenceRow.status == "open")).all()
    for parts in (overview, unit):
        assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
        assert all("(tiếp)" in p.split("\n")[0] for p in parts[1:])
    joined = "\n".join(overview)
    assert all(f"Vướng mắc số {n}:" in joined for n in range(60))
    horizon = late.date() + timedelta(days=14)
    listed = sum(1 for line in "\n".join(unit).splitlines() if line.startswith("   ["))
    assert listed == sum(1 for o in open_rows if o.due <= horizon)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # IHDR comes first
    return width, height


def test_chart_is_a_png_built_from_compute_progress_without_missing_glyphs(db: Engine) -> None:
    _bundled(db)
    _random_statuses(db, 3)
    with Session(db) as s, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = chart_data(s, NOW, ZONE)
        png = overview_chart(s, NOW, ZONE)
        p = compute_progress(s, NOW.date())
    assert [str(w.message) for w in caught] == []
    assert data.title == "Tiến độ kế hoạch CCHC năm 2019 (đến 14/11/2019)"
    assert [b.counts for b in data.areas] == list(p.areas.values())
    assert data.areas[0].label == "1. Công tác chỉ đạo điều hành"
    assert [(b.label, b.counts) for b in data.units] == [(unit_short(p.unit_names[u]), c) for u, c in p.units.items()]
    assert "P. Khảo thí và Kiểm định…" in {b.label for b in data.units}  # names, not codes (KTKD): WORDING M5
    width, height = _png_size(png)
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (width, height)
    assert width == 1000 and 600 < height < 2000


def test_chart_draws_the_units_with_most_overdue_work_when_there_are_many(db: Engine) -> None:
    sync_plan(db, parse_plan(MINI_PLAN.read_text(encoding="utf-8"), "mini.yaml"), WorkCalendar(), local(1, 10, 8))
    with Session(db) as s, s.begin():
        s.execute(insert(UnitRow), [dict(id=f"U{i:02d}", name=f"Trường {i}", retired=False) for i in range(45)])
        s.execute(insert(OccurrenceRow), [
            dict(key=f"1.1/x/U{i:02d}/{n}", task_id="1.1", deadline_id="x", unit=f"U{i:02d}", period=str(n),
                 label="Báo cáo", source="seed", lead_units="", due=NOW.date() - timedelta(days=1 + n), status="open")
            for i in range(45) for n in range(1 + i % 9)])
    with Session(db) as s, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = chart_data(s, NOW, ZONE)
        png = render_chart(data)
        p = compute_progress(s, NOW.date())
    assert not caught and _png_size(png)[0] == 1000
    assert data.units_total == len(p.units) == 48 and len(data.units) == MAX_UNITS
    worst = sorted(p.units.items(), key=lambda kv: (-kv[1].overdue, -(kv[1].open + kv[1].awaiting_review), kv[0]))
    assert {b.label for b in data.units} == {p.unit_names[u] for u, _ in worst[:MAX_UNITS]}  # "Trường 7", not U07
    assert all(b.counts == p.units[f"U{int(b.label.split()[1]):02d}"] for b in data.units)


def test_long_area_names_are_wrapped_and_cut() -> None:
    label = wrap_label("8. Nâng cao chất lượng hoạt động của cơ chế Một cửa, Một cửa liên thông và những điều khác nữa")
    lines = label.split("\n")
    assert len(lines) == 2 and all(len(x) <= 36 for x in lines) and lines[-1].endswith("…")


@pytest.mark.parametrize(("day", "expected"), [((14, 11, 2019), "19/11/2019"), ((19, 11, 2019), "19/11/2019"),
                                               ((20, 11, 2019), "19/11/2020"), ((1, 12, 2020), "20/11/2021")])
def test_results_countdown_finds_the_next_20_11(db: Engine, day: tuple[int, int, int], expected: str) -> None:
    from datetime import date

    from bot.digest.week import results_countdown
    from bot.texts import fmt_date

    sync_plan(db, parse_plan(MINI_PLAN.read_text(encoding="utf-8"), "mini.yaml"), WorkCalendar(), local(1, 10, 8))
    d, m, y = day
    with Session(db) as s:
        due, days = results_countdown(s, date(y, m, d))
    assert fmt_date(due) == expected and days == WorkCalendar().working_days_between(date(y, m, d), due)  # working days
