"""A second channel for a person: `/lienket` makes a one-day, single-use code; sent from the other app
(Telegram or Zalo), it links that chat to the person, so both act as them (bot.db.addresses).

A code is an InviteRow with role "link" made by one of the person's members: not an invite, never listed
with them. It is short and typed by hand on a phone: ten letters and digits without look-alikes.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import addresses
from bot.db.audit import audit
from bot.db.models import InviteRow, MemberRow
from bot.db.notices import queue_notice
from bot.services.access import Actor, Refused, require_known
from bot.services.tasks import Event

LINK_ROLE = "link"
LINK_TTL = timedelta(days=1)
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off one screen, typed on another
_LENGTH = 10  # 31^10 ≈ 2^49, single use, for one day
_CODE = re.compile(rf"^[{_ALPHABET}]{{{_LENGTH}}}$")
CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo"}


@dataclass(frozen=True)
class LinkCode:
    code: str
    expires_at: datetime

    @property
    def shown(self) -> str:
        """`ABCDE-FGHJK`: easier to copy by hand (the dash and the case do not matter)."""
        return f"{self.code[:5]}-{self.code[5:]}"


@dataclass(frozen=True)
class Linked:
    """A chat now acting as a person: the new chat's key and channel, and the person's name."""

    key: int
    channel: str
    name: str


def normalize_code(text: str) -> str | None:
    """The code in a message (`abcde-fghjk`, `ABCDE FGHJK`...), or None when the text is not one."""
    code = re.sub(r"[\s\-]", "", text).upper()
    return code if _CODE.match(code) else None


def create_link_code(session: Session, actor: Actor, ev: Event) -> LinkCode:
    """`/lienket`: any member; the code works once, for one day."""
    require_known(actor)
    code = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
    row = InviteRow(code=code, role=LINK_ROLE, unit=None, created_by=actor.member_id, created_at=ev.now,
                    expires_at=ev.now + LINK_TTL)
    session.add(row)
    session.flush()
    audit(session, ev.now, f"member:{actor.member_id}", "link_code_created", f"invite:{row.id}",
          {"invite_id": row.id, "user_id": actor.user_id}, ev.update_id)
    return LinkCode(code, row.expires_at)


def find_link_code(session: Session, text: str) -> InviteRow | None:
    code = normalize_code(text)
    if code is None:
        return None
    return session.scalar(select(InviteRow).where(InviteRow.code == code, InviteRow.role == LINK_ROLE))


def accept_link(session: Session, invite: InviteRow, key: int, ev: Event) -> Linked:
    """The chat `key` (the sender's user id) acts as the code's maker from now on; the maker is told."""
    if invite.used_at is not None:
        raise Refused("link_used")
    creator = session.get(MemberRow, invite.created_by)
    if creator is None or not creator.active:
        raise Refused("link_revoked")
    if invite.expires_at < ev.now:
        raise Refused("link_expired")
    person = creator.user_id if creator.user_id is not None else creator.chat_id
    if key == person or key == creator.chat_id:
        raise Refused("link_same_chat")
    current = addresses.identity(session, key)
    own = session.scalar(select(MemberRow.id).where(MemberRow.active, (MemberRow.user_id == key)
                                                    | (MemberRow.chat_id == key)).limit(1))
    if (current != key and current != person) or (current == key and own is not None):
        raise Refused("link_taken")  # another person's chat, or a member in its own right
    channel = addresses.channel_of(key)
    if channel == "zalo" and addresses.address_of(session, key) is None:
        raise Refused("invite_invalid")  # a Zalo chat the bot never saw: the key was not made by it
    addresses.link(session, key, channel, str(key), person, ev.now)
    invite.used_by, invite.used_at = creator.id, ev.now
    audit(session, ev.now, f"user:{key}", "channel_linked", str(key),
          {"invite_id": invite.id, "channel": channel, "user_id": person, "member_id": creator.id}, ev.update_id)
    queue_notice(session, ev.now, f"linked:{key}", f"chat:{creator.chat_id}",
                 facts={"notice": "linked", "channel": CHANNEL_NAMES[channel]})
    return Linked(key, channel, creator.name)
