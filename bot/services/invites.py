"""Invites (one-time deep links), membership list, removal, language."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import InviteRow, MemberRow, UnitRow
from bot.engine.outbox import queue_notice
from bot.services.access import Actor, Refused, require_admin
from bot.services.tasks import Event

INVITE_TTL = timedelta(days=7)
ROLE_WORDS = {"lanhdao": "leader", "leader": "leader", "quantri": "admin", "admin": "admin"}


def create_invite(session: Session, actor: Actor, target: str, ev: Event) -> InviteRow:
    """`/moi TCCB` (head of a unit), `/moi lanhdao` (leader), `/moi quantri` (admin)."""
    require_admin(actor)
    word = target.strip()
    role = ROLE_WORDS.get(word.lower())
    unit = None
    if role is None:
        row = session.scalar(select(UnitRow).where(UnitRow.id.ilike(word), UnitRow.retired.is_(False)))
        if row is None:
            known = ", ".join(u for u in session.scalars(select(UnitRow.id).where(UnitRow.retired.is_(False))))
            raise Refused("unknown_unit", unit=word[:40], known=known)
        role, unit = "head", row.id
    invite = InviteRow(code=secrets.token_urlsafe(18), role=role, unit=unit, created_by=actor.member_id,
                       created_at=ev.now, expires_at=ev.now + INVITE_TTL)
    session.add(invite)
    session.flush()
    audit(session, ev.now, f"member:{actor.member_id}", "invite_created", unit or role,
          {"invite_id": invite.id, "role": role}, ev.update_id)
    return invite


@dataclass(frozen=True)
class Joined:
    role: str
    unit: str | None
    unit_name: str | None


def accept_invite(session: Session, code: str, user_id: int, chat_id: int, name: str, ev: Event) -> Joined:
    """`/start <code>`: become what the invite says; the inviting admin is told."""
    invite = session.scalar(select(InviteRow).where(InviteRow.code == code[:64]))
    if invite is None:
        raise Refused("invite_invalid")
    if invite.used_at is not None:
        raise Refused("invite_used")
    if invite.expires_at < ev.now:
        raise Refused("invite_expired")
    member = session.scalar(select(MemberRow).where(MemberRow.chat_id == chat_id, MemberRow.role == invite.role,
                                                    MemberRow.unit == invite.unit if invite.unit
                                                    else MemberRow.unit.is_(None)))
    if member is None:
        member = MemberRow(user_id=user_id, chat_id=chat_id, name=name[:200], role=invite.role, unit=invite.unit,
                           reachable=True, active=True, created_at=ev.now)
        session.add(member)
    else:
        member.active, member.reachable, member.user_id, member.name = True, True, user_id, name[:200]
    session.flush()
    invite.used_by, invite.used_at = member.id, ev.now
    audit(session, ev.now, f"member:{member.id}", "invite_accepted", invite.unit or invite.role,
          {"invite_id": invite.id, "role": invite.role}, ev.update_id)
    unit = session.get(UnitRow, invite.unit) if invite.unit else None
    creator = session.get(MemberRow, invite.created_by)
    what = {"head": f"trưởng đơn vị {unit.name if unit else invite.unit}", "leader": "Lãnh đạo Sở",
            "admin": "quản trị (Văn phòng Sở)"}[invite.role]
    if creator is not None:
        queue_notice(session, ev.now, f"joined:{member.id}", f"chat:{creator.chat_id}",
                     f"👤 {name} đã nhận lời mời và trở thành {what}.")
    return Joined(invite.role, invite.unit, unit.name if unit else None)


def remove_member(session: Session, actor: Actor, member_id: int, ev: Event) -> MemberRow:
    """An admin deactivates a member (kept for history)."""
    require_admin(actor)
    member = session.get(MemberRow, member_id)
    if member is None or not member.active:
        raise Refused("no_such_member")
    if member.id in actor.member_ids and member.role == "admin":
        raise Refused("cannot_remove_self")
    member.active = False
    audit(session, ev.now, f"member:{actor.member_id}", "member_removed", str(member.chat_id),
          {"member_id": member.id, "role": member.role, "unit": member.unit}, ev.update_id)
    return member


def set_language(session: Session, actor: Actor, lang: str, ev: Event) -> None:
    """`/lang vi|en` for every member row of this person."""
    if lang not in ("vi", "en"):
        raise Refused("bad_lang")
    for member in session.scalars(select(MemberRow).where(MemberRow.id.in_(actor.member_ids))):
        member.lang = lang
    audit(session, ev.now, f"member:{actor.member_id}" if actor.known else f"user:{actor.user_id}",
          "language_set", lang, {}, ev.update_id)


def members_by_unit(session: Session, actor: Actor) -> tuple[list[MemberRow], list[UnitRow]]:
    """Active members, and the units that have no reachable head."""
    require_admin(actor)
    members = list(session.scalars(select(MemberRow).where(MemberRow.active)
                                   .order_by(MemberRow.role, MemberRow.unit, MemberRow.id)))
    covered = {m.unit for m in members if m.role == "head" and m.reachable}
    units = [u for u in session.scalars(select(UnitRow).where(UnitRow.retired.is_(False)).order_by(UnitRow.id))
             if u.id not in covered]
    return members, units
