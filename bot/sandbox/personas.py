"""Ready-made people of the sandbox: the office, a leader, one head per unit, and a newcomer."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from bot.db.members import ensure_member
from bot.domain.plan import Plan

ADMIN_ID = 1001
LEADER_ID = 1002
NEWCOMER_ID = 9001
FIRST_HEAD_ID = 2001


@dataclass(frozen=True)
class Persona:
    """A simulated Telegram user; its private chat with the bot has the same id."""

    id: int
    label: str  # what the page's picker shows
    name: str  # the Telegram name the bot sees (and writes into its member list on /start)
    role: str | None  # admin, leader, head, or None for someone not registered yet
    unit: str | None = None
    group: str = ""

    def as_json(self) -> dict[str, Any]:
        """The persona for GET /api/personas."""
        return asdict(self)


_TITLES = (("Văn phòng", "Chánh"), ("Thanh tra", "Chánh"), ("Trường", "Hiệu trưởng"), ("Trung tâm", "Giám đốc"))


def head_title(unit_name: str) -> str:
    """How the head of a unit is called: Chánh Văn phòng, Hiệu trưởng Trường..., Trưởng Phòng..."""
    title = next((t for prefix, t in _TITLES if unit_name.startswith(prefix)), "Trưởng")
    return f"{title} {unit_name}"


def personas_for(plan: Plan) -> list[Persona]:
    """Office (admin of the office unit), leadership, one head per unit in plan order, and a newcomer."""
    office, top = plan.plan.office, "Văn phòng Sở, Lãnh đạo"
    people = [
        Persona(ADMIN_ID, "Văn phòng Sở (quản trị)", "Chuyên viên Văn phòng Sở", "admin", office, top),
        Persona(LEADER_ID, "Lãnh đạo Sở", "Phó Giám đốc Sở", "leader", None, top),
    ]
    for index, unit in enumerate(plan.units):
        people.append(Persona(FIRST_HEAD_ID + index, f"Trưởng {unit.id} — {unit.name}", head_title(unit.name),
                              "head", unit.id, "Trưởng đơn vị"))
    people.append(Persona(NEWCOMER_ID, "Người mới — Nguyễn Thị Mai", "Nguyễn Thị Mai", None, None, "Khác"))
    return people


def seed_personas(engine: Engine, now: datetime, personas: list[Persona]) -> None:
    """Register everyone who has a role, so reminders flow at once; the newcomer waits for an invite."""
    for p in personas:
        if p.role is not None:
            ensure_member(engine, now, chat_id=p.id, user_id=p.id, role=p.role, unit=p.unit, name=p.name,
                          actor="sandbox")
