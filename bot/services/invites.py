"""Invites (one-time deep links, listed and revocable), membership list, removal, language.

An invite works only while whoever made it is an active admin: removing an admin revokes their open
invites, and an invite of an admin removed in any other way is refused on use.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.addresses import identity
from bot.db.audit import audit
from bot.db.models import AuditRow, InviteRow, MemberRow, UnitRow
from bot.db.notices import queue_notice
from bot.services import linking
from bot.services.access import Actor, Refused, require_admin, unit_by_code
from bot.services.linking import Linked
from bot.services.tasks import Event
from bot.texts import role_text as role_text  # its home now; kept for the chat topics moving in parallel

INVITE_TTL = timedelta(days=7)
ROLE_WORDS = {"lanhdao": "leader", "leader": "leader", "quantri": "admin", "admin": "admin"}


def create_invite(session: Session, actor: Actor, target: str, ev: Event) -> InviteRow:
    """`/moi TCCB` (head of a unit), `/moi lanhdao` (leader), `/moi quantri` (admin)."""
    require_admin(actor)
    word, _sep, role_id = target.strip().partition(":")
    role = ROLE_WORDS.get(word.lower())
    unit = None
    if role == "leader" and role_id.strip():  # `/moi lanhdao:pgd-1`: the plan's role in charge of some areas
        unit = role_id.strip()[:24]
    if role is None:
        row = unit_by_code(session, word)  # exact (any case): `/moi %` or `/moi T_CB` are not patterns
        if row is None:
            known = ", ".join(session.scalars(select(UnitRow.id).where(UnitRow.retired.is_(False))
                                              .order_by(UnitRow.id)))
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


def accept_invite(session: Session, code: str, user_id: int, chat_id: int, name: str,
                  ev: Event) -> Joined | Linked:
    """`/start <code>`: become what the invite says (the inviting admin is told), or, with a `/lienket`
    code, link this chat to the person who made it."""
    invite = session.scalar(select(InviteRow).where(InviteRow.code == code[:64])) \
        or linking.find_link_code(session, code[:64])
    if invite is None:
        raise Refused("invite_invalid")
    if invite.role == linking.LINK_ROLE:
        return linking.accept_link(session, invite, user_id, ev)
    user_id = identity(session, user_id)  # a chat linked to a person joins as that person
    if invite.used_at is not None:
        raise Refused("invite_used")
    creator = session.get(MemberRow, invite.created_by)
    # a head's invite of a staff member of their own unit counts like the office's (bot.services.delegation)
    staff_by_head = (invite.role == "staff" and creator is not None and creator.role == "head"
                     and creator.unit == invite.unit)
    if creator is None or not creator.active or (creator.role != "admin" and not staff_by_head) \
            or _revoked(session, invite.id):
        raise Refused("invite_revoked")
    if invite.expires_at < ev.now:
        raise Refused("invite_expired")
    # Only an ACTIVE row of this chat is reused (the same person accepting twice): a removed member's row keeps
    # its history, and whoever joins from that chat now is a new member, with none of its links or rights.
    member = session.scalar(select(MemberRow).where(MemberRow.chat_id == chat_id, MemberRow.role == invite.role,
                                                    MemberRow.active,
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
    if creator.chat_id != 0:  # 0: the command line's placeholder admin (bot.services.bootstrap), never messaged
        queue_notice(session, ev.now, f"joined:{member.id}", f"chat:{creator.chat_id}",
                     facts={"notice": "joined", "name": name, "role": invite.role,
                            "unit": unit.name if unit else invite.unit or ""})
    else:
        from bot.services.bootstrap import retire_placeholder

        retire_placeholder(session, creator, invite.role, ev)
    return Joined(invite.role, invite.unit, unit.name if unit else None)


def _revoked(session: Session, invite_id: int) -> bool:
    return session.scalar(select(AuditRow.id).where(AuditRow.action == "invite_revoked",
                                                    AuditRow.subject == f"invite:{invite_id}").limit(1)) is not None


@dataclass(frozen=True)
class OpenInvite:
    id: int
    role: str
    unit: str | None
    created_by: str
    created_at: datetime
    expires_at: datetime
    unit_name: str | None = None  # what the words say (the title follows the unit's kind), not the code


def _open_rows(session: Session, now: datetime) -> list[InviteRow]:
    """Unused, unexpired, not revoked, made by an active admin: the invites that work (not `/lienket` codes)."""
    query = (select(InviteRow).join(MemberRow, MemberRow.id == InviteRow.created_by)
             .where(InviteRow.used_at.is_(None), InviteRow.expires_at >= now, MemberRow.active,
                    MemberRow.role == "admin", InviteRow.role != linking.LINK_ROLE).order_by(InviteRow.id))
    return [row for row in session.scalars(query) if not _revoked(session, row.id)]


def open_invites(session: Session, actor: Actor, now: datetime) -> list[OpenInvite]:
    """`/loimoi`: the invites that would still work now, oldest first."""
    require_admin(actor)
    names = {m.id: m.name for m in session.scalars(select(MemberRow).where(MemberRow.role == "admin"))}
    units = {u.id: u.name for u in session.scalars(select(UnitRow))}
    return [OpenInvite(r.id, r.role, r.unit, names.get(r.created_by, "?"), r.created_at, r.expires_at,
                       units.get(r.unit or ""))
            for r in _open_rows(session, now)]


def revoke_invite(session: Session, actor: Actor, invite_id: int, ev: Event) -> OpenInvite:
    """`/huyloimoi <id>` or 🗑 then confirm: the link stops working at once (audited)."""
    require_admin(actor)
    found = [r for r in _open_rows(session, ev.now) if r.id == invite_id]
    if not found:
        raise Refused("no_such_invite", invite=invite_id)
    row = found[0]
    _revoke(session, row, ev, f"member:{actor.member_id}", "revoked")
    creator = session.get(MemberRow, row.created_by)
    return OpenInvite(row.id, row.role, row.unit, creator.name if creator else "?", row.created_at, ev.now)


def _revoke(session: Session, row: InviteRow, ev: Event, who: str, why: str) -> None:
    row.expires_at = min(row.expires_at, ev.now)
    audit(session, ev.now, who, "invite_revoked", f"invite:{row.id}",
          {"invite_id": row.id, "role": row.role, "unit": row.unit, "why": why}, ev.update_id)


def remove_member(session: Session, actor: Actor, member_id: int, ev: Event) -> MemberRow:
    """An admin deactivates a member (kept for history)."""
    require_admin(actor)
    member = session.get(MemberRow, member_id)
    if member is None or not member.active:
        raise Refused("no_such_member")
    if member.id in actor.member_ids and member.role == "admin":
        raise Refused("cannot_remove_self")
    member.active = False
    member.link_version += 1  # its personal links die for good, whatever happens to the chat later
    audit(session, ev.now, f"member:{actor.member_id}", "member_removed", str(member.chat_id),
          {"member_id": member.id, "role": member.role, "unit": member.unit}, ev.update_id)
    if member.role == "admin":  # the links they handed out die with their role
        for row in _open_rows_of_removed(session, member.id, ev.now):
            _revoke(session, row, ev, f"member:{actor.member_id}", "issuer_removed")
    if member.chat_id != 0:  # told through the outbox, on whichever channel reaches them (Zalo too), retried
        queue_notice(session, ev.now, f"removed:{member.id}", f"chat:{member.chat_id}",
                     facts={"notice": "removed", "name": member.name or str(member.chat_id), "role": member.role,
                            "unit": member.unit or ""})
    return member


def _open_rows_of_removed(session: Session, member_id: int, now: datetime) -> list[InviteRow]:
    return list(session.scalars(select(InviteRow).where(InviteRow.created_by == member_id,
                                                        InviteRow.used_at.is_(None), InviteRow.expires_at >= now)))


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
