"""A small office for the console's tests: the mini plan, the office, leadership, two heads, and completions
waiting for review with a PDF and a photo attached (through the chat's own services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.console import sessions
from bot.console.app import Console, ConsoleServices
from bot.db.members import ensure_member
from bot.db.models import MemberRow, OccurrenceRow
from bot.domain.clock import FixedClock
from bot.domain.workdays import WorkCalendar
from bot.engine.sync import sync_plan
from bot.plans.loader import parse_plan
from bot.services import par, tasks
from bot.services.access import load_actor
from bot.services.archive import archive
from tests.conftest import MINI_PLAN

T0 = datetime(2019, 11, 12, 2, 0, tzinfo=UTC)
ADMIN, LEADER, HEAD, OTHER = 10, 11, 20, 30


def _pdf() -> bytes:
    """A real one-page PDF (matplotlib), so a browser's viewer shows it."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8.27, 11.69))
    lines = ["ỦY BAN NHÂN DÂN TỈNH", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Số: 45/KH-TCCB", "",
             "KẾ HOẠCH", "Cải cách hành chính năm 2019", "", "I. MỤC ĐÍCH, YÊU CẦU", "II. NHIỆM VỤ TRỌNG TÂM"]
    for n, line in enumerate(lines):
        figure.text(0.5 if n < 7 else 0.1, 0.92 - n * 0.04, line, ha="center" if n < 7 else "left", fontsize=13)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="pdf")
    return buffer.getvalue()


PDF = _pdf()
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


CRITERIA = """
format: 2
set:
  year: 2019
  name: "Chỉ số CCHC năm 2019 của các sở, ban, ngành"
  source: "Quyết định số 123/QĐ-UBND ngày 15/01/2019"
  total_points: 12
  last_year: {points: "70,69", rank: 15, of: 21}
criteria:
  - {code: "1", level: linh_vuc, parent: null, name: "Công tác chỉ đạo, điều hành CCHC", max_points: 4}
  - {code: "1.1", level: tieu_chi, parent: "1", name: "Kế hoạch CCHC", max_points: 4}
  - code: "1.1.1"
    level: tieu_chi_thanh_phan
    parent: "1.1"
    name: "Ban hành kế hoạch CCHC năm"
    max_points: 2
    method: "Ban hành đúng thời hạn: 1 điểm; chậm: 0,5"
    evidence: "Kế hoạch CCHC năm"
    tasks: ["1.1"]
    units: ["TCCB", "KHTC"]
  - {code: "1.1.2", level: tieu_chi_thanh_phan, parent: "1.1", name: "Mức độ hài lòng", max_points: 2,
     survey: true}
  - {code: "2", level: linh_vuc, parent: null, name: "Cải cách thủ tục hành chính", max_points: 8}
  - {code: "2.1", level: tieu_chi, parent: "2", name: "Công khai thủ tục hành chính", max_points: 8, units: ["VP"]}
"""


def load_criteria(db: Engine) -> dict[str, int]:
    """The 2019 criteria tree (format 2); its ids by code."""
    from bot.db.models import CriterionRow
    from bot.dossier import tree
    from bot.dossier.criteria_file import parse_criteria_file

    with Session(db) as s, s.begin():
        tree.load_file(s, parse_criteria_file(CRITERIA), T0, source="criteria-2019.yaml")
        return {row.code: row.id for row in s.scalars(select(CriterionRow))}


@dataclass
class World:
    base: str
    services: ConsoleServices
    clock: FixedClock
    members: dict[str, int]  # admin, leader, TCCB, KHTC
    reviews: dict[str, list[int]]  # unit → review ids


def build(db: Engine, evidence_dir: Path, port: int, reviews_per_unit: int = 2) -> World:
    """The office's data, then completions of TCCB and KHTC awaiting review."""
    sync_plan(db, parse_plan(MINI_PLAN.read_text(encoding="utf-8"), "mini.yaml"), WorkCalendar(), T0)
    ids = {"admin": ensure_member(db, T0, chat_id=ADMIN, user_id=ADMIN, role="admin", unit="VP",
                                  name="Nguyễn Văn An"),
           "leader": ensure_member(db, T0, chat_id=LEADER, user_id=LEADER, role="leader", name="Phạm Thị Dung"),
           "TCCB": ensure_member(db, T0, chat_id=HEAD, user_id=HEAD, role="head", unit="TCCB", name="Trần Thị Bình"),
           "KHTC": ensure_member(db, T0, chat_id=OTHER, user_id=OTHER, role="head", unit="KHTC", name="Lê Văn Cường")}
    made: dict[str, list[int]] = {}
    ev = tasks.Event(T0)
    with Session(db) as s, s.begin():
        for unit, chat in (("TCCB", HEAD), ("KHTC", OTHER)):
            actor = load_actor(s, chat, chat)
            occs = s.scalars(select(OccurrenceRow).where(OccurrenceRow.unit == unit, OccurrenceRow.status == "open")
                             .order_by(OccurrenceRow.due, OccurrenceRow.id)).all()[:reviews_per_unit]
            for n, occ in enumerate(occs):
                data, name = ((PDF, f"Kế hoạch CCHC năm 2019 - {unit}.pdf") if n % 2 == 0
                              else (PNG, f"Ảnh hội nghị triển khai - {unit}.png"))
                stored = archive(evidence_dir, occ.key, data + str(n).encode() * (n % 2 == 0), name)
                row = tasks.add_evidence(s, actor, occ.id, ev, kind="document" if n % 2 == 0 else "photo",
                                         file_name=name, size=stored.size, sha256=stored.sha256,
                                         stored_path=str(stored.path))
                par.set_document_meta(s, actor, row.id, par.DocumentMeta(
                    f"{45 + n}/KH-{unit}", date(2019, 3, 12), "Kế hoạch cải cách hành chính năm 2019",
                    "Sở Giáo dục và Đào tạo"), ev, keep=False)
                made.setdefault(unit, []).append(tasks.confirm_done(s, actor, occ.id, ev).id)
    clock = FixedClock(T0)
    services = ConsoleServices(db, clock, ZoneInfo("Asia/Ho_Chi_Minh"), evidence_dir, f"http://127.0.0.1:{port}")
    return World(services.base_url, services, clock, ids, made)


def sign_in_link(world: World, who: str) -> str:
    """A fresh one-time link, as `nhacviec console-link` makes it."""
    with Session(world.services.engine) as s, s.begin():
        member = s.get(MemberRow, world.members[who])
        assert member is not None
        return world.services.login_url(sessions.make_link_token(s, member, world.clock.now(), "test"))


async def serve(world: World, port: int) -> web.AppRunner:
    app = web.Application()
    app.add_subapp("/console/", Console(world.services).app())
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


class Served:
    """The console served from a thread of its own (for a synchronous browser driver or a bench)."""

    def __init__(self, world: World, port: int) -> None:
        import asyncio
        import threading

        self.loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        started = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self._runner = self.loop.run_until_complete(serve(world, port))
            started.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        started.wait(30)

    def stop(self) -> None:
        import asyncio

        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)
