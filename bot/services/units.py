"""Units the office manages from the console: add one, rename one, merge one into another with its history.

Units come from the plans (bot.engine.sync); the office may add a unit no plan names yet (kept by later syncs),
give a unit the name in force (kept by later syncs, `name_set`), and merge a unit that no plan names any more
(a reorganisation) into another. A merge moves the history: occurrences keep their keys (so evidence, reviews,
reminders and audit entries that name them still point at them) and now belong to the target, as do members,
open invites, acting heads, council items, reported figures and the criteria the unit owed; the source retires.
Every step is audited."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import (
    ActingHeadRow,
    CouncilItemRow,
    CriterionUnitRow,
    InviteRow,
    MemberRow,
    MetricValueRow,
    OccurrenceRow,
    ReminderRow,
    UnitRow,
)
from bot.domain.text import nfc
from bot.services.access import Actor, Refused, require_admin
from bot.services.tasks import Event

CODE = re.compile(r"[A-Za-z0-9_-]{1,24}")
NAME_CHARS = 200


@dataclass(frozen=True)
class Merged:
    source: str
    target: str
    occurrences: int
    members: int
    invites: int
    acting: int
    council: int
    figures: int
    criteria: int
    reminders: int


def _who(actor: Actor) -> str:
    return f"member:{actor.member_id}" if actor.member_id else "cli"


def _name(raw: str) -> str:
    name = " ".join(nfc(raw).split())
    if not name or len(name) > NAME_CHARS:
        raise Refused("unit_bad_name", limit=NAME_CHARS)
    return name


def _live(session: Session, code: str) -> UnitRow:
    row = session.get(UnitRow, code.strip()[:24])
    if row is None or row.retired:
        raise Refused("no_such_unit", unit=code.strip()[:24])
    return row


def add_unit(session: Session, actor: Actor, code: str, name: str, ev: Event) -> UnitRow:
    """A unit no plan names yet (a new school, say): members can be invited to it at once."""
    require_admin(actor)
    code = nfc(code).strip()
    if not CODE.fullmatch(code):
        raise Refused("unit_bad_code", unit=code[:24])
    if session.get(UnitRow, code) is not None:
        raise Refused("unit_exists", unit=code)
    row = UnitRow(id=code, name=_name(name), retired=False, office_added=True)
    session.add(row)
    session.flush()
    audit(session, ev.now, _who(actor), "unit_added", code, {"name": row.name}, ev.update_id)
    return row


def rename_unit(session: Session, actor: Actor, code: str, name: str, ev: Event) -> UnitRow:
    """The unit's name in force (after a decision renaming it); a plan's sync keeps it."""
    require_admin(actor)
    row = _live(session, code)
    before, row.name = row.name, _name(name)
    row.name_set = row.name
    audit(session, ev.now, _who(actor), "unit_renamed", row.id, {"from": before, "to": row.name}, ev.update_id)
    return row


def _swap(listed: str, source: str, target: str) -> str:
    """A comma-separated list of units with `source` replaced by `target` (once)."""
    items = [target if part == source else part for part in listed.split(",")] if listed else []
    return ",".join(dict.fromkeys(items))


def merge_units(session: Session, actor: Actor, source: str, target: str, ev: Event) -> Merged:
    """Merge `source` into `target`: its history now belongs to the target, and the source retires.

    A unit a plan in force still names cannot be merged (the next sync would bring it back): the plan is
    changed first, then its history merged.
    """
    require_admin(actor)
    src = session.get(UnitRow, source.strip()[:24])
    if src is None:
        raise Refused("no_such_unit", unit=source.strip()[:24])
    dst = _live(session, target)
    if src.id == dst.id:
        raise Refused("unit_merge_self")
    in_plan = session.scalar(select(OccurrenceRow.id).where(OccurrenceRow.unit == src.id,
                                                            OccurrenceRow.retired_at.is_(None),
                                                            OccurrenceRow.source != "council").limit(1))
    if in_plan is not None and not src.office_added:
        raise Refused("unit_in_plan", unit=src.id)
    moved = {}
    for name, table in (("occurrences", OccurrenceRow), ("members", MemberRow), ("acting", ActingHeadRow),
                        ("council", CouncilItemRow), ("figures", MetricValueRow)):
        moved[name] = session.execute(update(table).where(table.unit == src.id)
                                      .values(unit=dst.id)).rowcount  # type: ignore[attr-defined]
    moved["invites"] = session.execute(update(InviteRow).where(InviteRow.unit == src.id, InviteRow.used_at.is_(None))
                                       .values(unit=dst.id)).rowcount  # type: ignore[attr-defined]
    for occ in session.scalars(select(OccurrenceRow).where(OccurrenceRow.lead_units.contains(src.id))):
        occ.lead_units = _swap(occ.lead_units, src.id, dst.id)
    owed = set(session.scalars(select(CriterionUnitRow.criterion_id).where(CriterionUnitRow.unit == dst.id)))
    both = [c for c in session.scalars(select(CriterionUnitRow.criterion_id).where(CriterionUnitRow.unit == src.id))
            if c in owed]
    if both:
        session.execute(delete(CriterionUnitRow).where(CriterionUnitRow.unit == src.id,
                                                       CriterionUnitRow.criterion_id.in_(both)))
    moved["criteria"] = session.execute(update(CriterionUnitRow).where(CriterionUnitRow.unit == src.id)
                                        .values(unit=dst.id)).rowcount + len(both)  # type: ignore[attr-defined]
    reminders = 0
    for rem in session.scalars(select(ReminderRow).where(ReminderRow.state == "pending",
                                                         ReminderRow.target.contains(src.id))):
        swapped = _swap(rem.target, src.id, dst.id)
        if swapped != rem.target:
            rem.target, reminders = swapped, reminders + 1
    src.retired = True
    src.office_added = False
    session.flush()
    result = Merged(src.id, dst.id, moved["occurrences"], moved["members"], moved["invites"], moved["acting"],
                    moved["council"], moved["figures"], moved["criteria"], reminders)
    audit(session, ev.now, _who(actor), "units_merged", src.id,
          {"into": dst.id, **{k: v for k, v in result.__dict__.items() if k not in ("source", "target")}},
          ev.update_id)
    return result
