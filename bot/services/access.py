"""Who is acting: members of a Telegram user, their roles and units; refusals carry a message key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from bot.db.addresses import identity
from bot.db.models import ActingHeadRow, ChatAddressRow, MemberRow, OccurrenceRow, UnitRow


class Refused(Exception):
    """An action the user may not do or that cannot be done now; `key` names the message to show."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Actor:
    """The member rows of one Telegram user."""

    user_id: int
    chat_id: int
    member_ids: tuple[int, ...]
    roles: frozenset[str]
    units: frozenset[str]
    name: str
    lang: str

    @property
    def known(self) -> bool:
        return bool(self.member_ids)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def can_read_all(self) -> bool:
        return bool(self.roles & {"admin", "leader"})

    @property
    def member_id(self) -> int:
        return self.member_ids[0]


def load_actor(session: Session, user_id: int, chat_id: int, today: date | None = None) -> Actor:
    """Active members of this user (matched on user id, or chat id for config-seeded admins).

    A chat linked to a person (a second channel, bot.db.addresses) acts as that person. With `today`, a
    member standing in for a unit's head that day (bot.services.delegation) acts for that unit too.
    """
    return actor_rows(session, user_id, chat_id, today)[0]


_ACTOR_COLUMNS = (MemberRow.id, MemberRow.role, MemberRow.unit, MemberRow.name, MemberRow.lang, MemberRow.chat_id,
                  MemberRow.reachable)


def actor_rows(session: Session, user_id: int, chat_id: int,
               today: date | None = None) -> tuple[Actor, list[Any]]:
    """load_actor, and the member rows it was made of (id, role, unit, name, lang, chat_id, reachable). One
    statement for a member, of plain columns (it runs on every update): the linked identity is a subquery and
    the stand-ins an outer join; a stranger costs one more."""
    ident = func.coalesce(select(ChatAddressRow.user_id).where(ChatAddressRow.key == user_id).scalar_subquery(),
                          user_id)
    query = select(*_ACTOR_COLUMNS, ident.label("ident"))
    if today is not None:
        query = query.add_columns(ActingHeadRow.unit.label("acting")).outerjoin(ActingHeadRow, and_(
            ActingHeadRow.member_id == MemberRow.id, ActingHeadRow.cancelled_at.is_(None),
            ActingHeadRow.starts <= today, ActingHeadRow.ends >= today))
    result = session.execute(query.where(MemberRow.active, (MemberRow.user_id == ident) | (MemberRow.chat_id == ident))
                             .order_by(MemberRow.id)).all()
    rows: list[Any] = []
    acting: set[str] = set()
    for found in result:
        if not rows or rows[-1].id != found.id:
            rows.append(found)
        if today is not None and found.acting is not None:
            acting.add(found.acting)
    ident_value = int(result[0].ident) if result else identity(session, user_id)
    units = frozenset(r.unit for r in rows if r.role == "head" and r.unit) | acting
    return Actor(ident_value, chat_id, tuple(r.id for r in rows), frozenset(r.role for r in rows), units,
                 rows[0].name if rows else "", rows[0].lang if rows else "vi"), rows


def require_known(actor: Actor) -> None:
    if not actor.known:
        raise Refused("stranger")


def require_admin(actor: Actor) -> None:
    require_known(actor)
    if not actor.is_admin:
        raise Refused("admin_only")


def own_occurrence(session: Session, actor: Actor, occurrence_id: int) -> OccurrenceRow:
    """The occurrence, if it belongs to one of the actor's units (forged ids for other units are refused)."""
    require_known(actor)
    occ = session.get(OccurrenceRow, occurrence_id)
    check_own(actor, occ)
    assert occ is not None
    return occ


def check_own(actor: Actor, occ: Any) -> None:
    """Refuse an occurrence (a row, or columns with retired_at, unit, assignee_id) none of the actor's units has."""
    if occ is None or occ.retired_at is not None:
        raise Refused("no_such_task")
    if occ.unit not in actor.units and occ.assignee_id not in actor.member_ids:  # or handed to them
        raise Refused("not_your_unit", unit=occ.unit)


def unit_by_code(session: Session, code: str, *, active_only: bool = True) -> UnitRow | None:
    """The unit whose id is `code` in any letter case: an exact match, never a LIKE pattern (`%`, `_`)."""
    query = select(UnitRow).where(func.upper(UnitRow.id) == code.strip().upper())
    if active_only:
        query = query.where(UnitRow.retired.is_(False))
    return session.scalar(query)
