"""Sign-in without passwords: one-time links that open a server-side session (bot.db ConsoleLoginRow/SessionRow).

A link's token and a session's cookie are random; only their SHA-256 is stored, so a copy of the database
opens nothing. A link works once, for `LINK_TTL`; a session lasts `SESSION_TTL`, ends on sign-out, and the
office can end anyone's session. The role comes from the member's rows at every request (a member removed
in the chat is signed out at once).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import ConsoleLoginRow, ConsoleSessionRow, MemberRow
from bot.services.access import Actor, Refused, load_actor, require_admin
from bot.services.bootstrap import cli_admin
from bot.services.tasks import Event

LINK_TTL = timedelta(minutes=30)
SESSION_TTL = timedelta(hours=12)
ROLE_WORDS = {"quantri": "admin", "admin": "admin", "lanhdao": "leader", "leader": "leader"}


class SignInError(Exception):
    """A link or cookie that opens nothing: `reason` is bad, expired, used or ended."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Viewer:
    """Who is looking at the console: the session, the member, the role that decides what they may do."""

    session_id: int
    member_id: int
    name: str
    role: str  # office | leadership | unit
    units: frozenset[str]
    csrf: str
    actor: Actor
    lang: str

    @property
    def edits(self) -> bool:
        return self.role == "office"

    @property
    def reads_all(self) -> bool:
        return self.role in ("office", "leadership")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def role_of(actor: Actor) -> str | None:
    if actor.is_admin:
        return "office"
    if "leader" in actor.roles:
        return "leadership"
    return "unit" if actor.units else None


def member_for(session: Session, target: str, now: datetime) -> MemberRow:
    """`quantri` (the first active admin, or the command line's placeholder), `lanhdao` (the first active
    leader) or a member id: whom `nhacviec console-link` signs in."""
    word = target.strip().lower()
    if word in ROLE_WORDS:
        if ROLE_WORDS[word] == "admin":
            return cli_admin(session, Event(now))
        member = session.scalars(select(MemberRow).where(MemberRow.active, MemberRow.role == "leader")
                                 .order_by(MemberRow.id)).first()
        if member is None:
            raise Refused("console_no_member", target=target[:40])
        return member
    if not word.isdigit():
        raise Refused("console_bad_target", target=target[:40])
    member = session.get(MemberRow, int(word))
    if member is None or not member.active:
        raise Refused("console_no_member", target=target[:40])
    return member


def make_link_token(session: Session, member: MemberRow, now: datetime, made_by: str) -> str:
    """A fresh one-time sign-in token for `member` (audited; the raw token is returned once, never stored)."""
    if not member.active:
        raise Refused("console_no_member", target=str(member.id))
    actor = load_actor(session, member.user_id or member.chat_id, member.chat_id)
    if role_of(actor) is None:
        raise Refused("console_no_role")
    token = secrets.token_urlsafe(24)
    session.add(ConsoleLoginRow(token_hash=_hash(token), member_id=member.id, created_at=now,
                                expires_at=now + LINK_TTL, made_by=made_by))
    audit(session, now, made_by, "console_link_made", f"member:{member.id}", {})
    return token


def redeem(session: Session, token: str, now: datetime) -> tuple[str, ConsoleSessionRow]:
    """Use a sign-in link once: a new session (its cookie value returned, only the hash stored)."""
    login = session.scalar(select(ConsoleLoginRow).where(ConsoleLoginRow.token_hash == _hash(token[:100])))
    if login is None:
        raise SignInError("bad")
    if login.used_at is not None:
        raise SignInError("used")
    if login.expires_at <= now:
        raise SignInError("expired")
    member = session.get(MemberRow, login.member_id)
    if member is None or not member.active:
        raise SignInError("ended")
    login.used_at = now
    cookie = secrets.token_urlsafe(32)
    row = ConsoleSessionRow(token_hash=_hash(cookie), member_id=member.id, csrf=secrets.token_urlsafe(24),
                            created_at=now, expires_at=now + SESSION_TTL)
    session.add(row)
    session.flush()
    audit(session, now, f"member:{member.id}", "console_signed_in", f"session:{row.id}", {"login_id": login.id})
    return cookie, row


def viewer_of(session: Session, cookie: str, now: datetime) -> Viewer:
    """The viewer of a live session cookie (expired, ended or a removed member: SignInError)."""
    row = session.scalar(select(ConsoleSessionRow).where(ConsoleSessionRow.token_hash == _hash(cookie[:100])))
    if row is None:
        raise SignInError("bad")
    if row.ended_at is not None:
        raise SignInError("ended")
    if row.expires_at <= now:
        raise SignInError("expired")
    member = session.get(MemberRow, row.member_id)
    if member is None or not member.active:
        raise SignInError("ended")
    actor = load_actor(session, member.user_id or member.chat_id, member.chat_id)
    role = role_of(actor)
    if role is None:
        raise SignInError("ended")
    return Viewer(row.id, member.id, member.name, role, actor.units, row.csrf, actor, member.lang)


def end(session: Session, session_id: int, by: str, now: datetime) -> None:
    """Sign out (or the office's revocation): the cookie stops working at once."""
    row = session.get(ConsoleSessionRow, session_id)
    if row is None or row.ended_at is not None:
        raise Refused("console_no_session")
    row.ended_at, row.ended_by = now, by
    action = "console_signed_out" if by == f"member:{row.member_id}" else "console_session_revoked"
    audit(session, now, by, action, f"session:{row.id}", {"member_id": row.member_id})


@dataclass(frozen=True)
class LiveSession:
    id: int
    member_id: int
    name: str
    role: str
    unit: str | None
    created_at: datetime
    expires_at: datetime


def live_sessions(session: Session, actor: Actor, now: datetime) -> list[LiveSession]:
    """The office's list of open sessions (to end one)."""
    require_admin(actor)
    rows = session.execute(select(ConsoleSessionRow, MemberRow).join(MemberRow, MemberRow.id ==
                                                                     ConsoleSessionRow.member_id)
                           .where(ConsoleSessionRow.ended_at.is_(None), ConsoleSessionRow.expires_at > now)
                           .order_by(ConsoleSessionRow.created_at.desc())).all()
    return [LiveSession(s.id, m.id, m.name, m.role, m.unit, s.created_at, s.expires_at) for s, m in rows]


def revoke(session: Session, actor: Actor, session_id: int, now: datetime) -> None:
    """The office ends someone's session."""
    require_admin(actor)
    end(session, session_id, f"member:{actor.member_id}", now)
