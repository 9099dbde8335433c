"""Ready-made people of the sandbox: the office, a leader, one head per unit, and a newcomer."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from bot.db.members import ensure_member
from bot.domain.plan import Plan
from bot.i18n import _

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


PEOPLE = Path(__file__).resolve().parent / "people.json"


@lru_cache(maxsize=1)
def people() -> dict[str, Any]:
    """Names and titles of the sandbox's people (Vietnamese data, like a plan's unit names)."""
    return dict(json.loads(PEOPLE.read_text(encoding="utf-8")))


def head_title(unit_name: str) -> str:
    """How the head of a unit is called, from the titles in people.json (chief of the office, head of a division…)."""
    for prefix, title in people()["titles"]:
        if unit_name.startswith(prefix + " "):
            return f"{title} {unit_name[len(prefix) + 1:]}"
    return f"{people()['default_title']} {unit_name}"


def personas_for(plan: Plan) -> list[Persona]:
    """Office (admin of the office unit), leadership, one head per unit in plan order, and a newcomer."""
    office, top, names = plan.plan.office, _("Department office, leadership"), people()
    found = [
        Persona(ADMIN_ID, _("Department office (administrator)"), names["office_clerk"], "admin", office, top),
        Persona(LEADER_ID, _("The department's leadership"), names["leader"], "leader", None, top),
    ]
    for index, unit in enumerate(plan.units):
        found.append(Persona(FIRST_HEAD_ID + index, _("Head of {unit} — {name}").format(unit=unit.id, name=unit.name),
                             head_title(unit.name), "head", unit.id, _("Heads of units")))
    found.append(Persona(NEWCOMER_ID, _("Newcomer — {name}").format(name=names["newcomer"]), names["newcomer"],
                         None, None, _("Others")))
    return found


def seed_personas(engine: Engine, now: datetime, personas: list[Persona]) -> None:
    """Register everyone who has a role, so reminders flow at once; the newcomer waits for an invite."""
    for p in personas:
        if p.role is not None:
            ensure_member(engine, now, chat_id=p.id, user_id=p.id, role=p.role, unit=p.unit, name=p.name,
                          actor="sandbox")
