"""Chat keys for channels other than Telegram, and the identity behind each chat.

The bot works with integer chat and user ids (Telegram's). A Zalo chat gets a stable integer key in a range
Telegram never uses: Telegram ids have at most 52 significant bits, so Zalo keys live in [2^52, 2^52 + 2^48)
(derived from the Zalo id, probing on the rare clash; JavaScript-safe for the sandbox page). A person with
several channels has one identity (members.user_id); a linked chat records it in `user_id`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import ChatAddressRow, MemberRow

ZALO_BASE = 1 << 52
ZALO_SPAN = 1 << 48


def channel_of(key: int) -> str:
    """`zalo` for a key in the Zalo range, else `telegram`."""
    return "zalo" if ZALO_BASE <= key < ZALO_BASE + ZALO_SPAN else "telegram"


def _candidate(address: str, attempt: int) -> int:
    digest = hashlib.sha256(f"{address}|{attempt}".encode()).digest()
    return ZALO_BASE + int.from_bytes(digest[:8], "big") % ZALO_SPAN


def zalo_key(session: Session, address: str, name: str, now: datetime) -> int:
    """The key of a Zalo chat, created on first contact."""
    row = session.scalar(select(ChatAddressRow).where(ChatAddressRow.channel == "zalo",
                                                      ChatAddressRow.address == address))
    if row is not None:
        if name and row.name != name[:200]:
            row.name = name[:200]
        return row.key
    for attempt in range(8):
        key = _candidate(address, attempt)
        if session.get(ChatAddressRow, key) is not None:
            continue
        try:
            with session.begin_nested():
                session.add(ChatAddressRow(key=key, channel="zalo", address=address, name=name[:200],
                                           created_at=now))
        except IntegrityError:  # another process created it at the same instant
            row = session.scalar(select(ChatAddressRow).where(ChatAddressRow.channel == "zalo",
                                                              ChatAddressRow.address == address))
            if row is not None:
                return row.key
            continue
        return key
    raise RuntimeError("no free Zalo chat key")  # 8 clashes in 2^48: not reachable in practice


def address_of(session: Session, key: int) -> ChatAddressRow | None:
    return session.get(ChatAddressRow, key)


def identity(session: Session, key: int) -> int:
    """The identity (members.user_id) a chat's user acts as: its own key unless it was linked to a person."""
    row = session.get(ChatAddressRow, key)
    return row.user_id if row is not None and row.user_id is not None else key


def link(session: Session, key: int, channel: str, address: str, user_id: int, now: datetime) -> None:
    """Make the chat `key` act as the person `user_id` (a second channel of the same member)."""
    row = session.get(ChatAddressRow, key)
    if row is None:
        row = ChatAddressRow(key=key, channel=channel, address=address, created_at=now)
        session.add(row)
    row.user_id = user_id


def chats_of(session: Session, user_id: int) -> list[ChatAddressRow]:
    """Every chat of a person besides the one its members were created with."""
    return list(session.scalars(select(ChatAddressRow).where(ChatAddressRow.user_id == user_id)
                                .order_by(ChatAddressRow.key)))


def remember_menu(session: Session, key: int, menu: dict[str, str]) -> None:
    row = session.get(ChatAddressRow, key)
    if row is not None:
        row.menu = dict(menu) if menu else None


def menu_choice(session: Session, key: int, reply: str) -> str | None:
    row = session.get(ChatAddressRow, key)
    return (row.menu or {}).get(reply.strip()) if row is not None else None


def person_members(session: Session, user_id: int) -> list[MemberRow]:
    return list(session.scalars(select(MemberRow).where(MemberRow.user_id == user_id)))


def fallback_address(own: str | None, unit_email: str | None) -> str:
    """Where a member's messages go by e-mail: their own address, else their unit's ("" for none)."""
    return (own or unit_email or "").strip().lower()
