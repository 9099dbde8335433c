"""`/kenh`: the office sees each person's channels (Telegram, Zalo, e-mail) and chooses where their
reminders go; it can also revoke their personal web links.

Where a person's messages go is `members.chat_id` (a Telegram chat id or a Zalo key) on every one of their
active member rows. Choosing e-mail keeps `chat_id` and sets `receive_by = "email"` with `members.email`:
the chat stays known, so messages go back to it when e-mail is off in the configuration (bot.engine.outbox).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import addresses
from bot.db.audit import audit
from bot.db.models import ChatAddressRow, MemberRow, UnitRow
from bot.db.notices import queue_notice
from bot.services.access import Actor, Refused, require_admin
from bot.services.linking import CHANNEL_NAMES
from bot.services.tasks import Event

CHOICES = {"telegram": "telegram", "tg": "telegram", "zalo": "zalo", "email": "email", "e-mail": "email",
           "mail": "email", "thuhoi": "revoke", "revoke": "revoke"}
_EMAIL = re.compile(r"^[^@\s<>,;\"']+@[^@\s<>,;\"']+\.[^@\s<>,;\"'.]{2,}$")


def revoke_links(session: Session, member: MemberRow) -> None:
    """Every personal page link made for this member so far stops working (`bot.web.links`)."""
    member.link_version += 1


@dataclass(frozen=True)
class Person:
    """One person (identity) with their member rows, channels, and where their messages go."""

    member_ids: tuple[int, ...]
    name: str
    roles: tuple[tuple[str, str | None], ...]  # (role, unit)
    telegram: bool
    zalo: str | None  # the Zalo chat's name (or id)
    email: str | None  # their own address
    unit_email: str | None
    receives: str  # telegram | zalo | email | email_fallback | none
    address: str  # the e-mail address used for email / email_fallback


@dataclass(frozen=True)
class ChannelSet:
    name: str
    member_ids: tuple[int, ...]
    choice: str  # telegram | zalo | email | revoke
    address: str = ""


def person_of(member: MemberRow) -> int:
    """The identity of a member row (config-seeded admins have only a chat id)."""
    return member.user_id if member.user_id is not None else member.chat_id


def people(session: Session, actor: Actor, unit: str | None = None) -> list[Person]:
    """`/kenh [unit]`: every active person (of one unit), in member order."""
    require_admin(actor)
    rows = session.scalars(select(MemberRow).where(MemberRow.active).order_by(MemberRow.id)).all()
    groups: dict[int, list[MemberRow]] = {}
    for row in rows:
        groups.setdefault(person_of(row), []).append(row)
    linked: dict[int, list[ChatAddressRow]] = {}
    for chat in session.scalars(select(ChatAddressRow).where(ChatAddressRow.user_id.is_not(None))):
        linked.setdefault(chat.user_id or 0, []).append(chat)
    unit_emails = {unit: address for unit, address in session.execute(select(UnitRow.id, UnitRow.email))}
    out = []
    for identity, members in groups.items():
        if unit is not None and not any((m.unit or "").upper() == unit.upper() for m in members):
            continue
        chats = linked.get(identity, [])
        own = addresses.address_of(session, identity)
        zalo = ([own] if own is not None and own.channel == "zalo" else []) + [c for c in chats if c.channel == "zalo"]
        first = members[0]
        unit_email = next((unit_emails[m.unit] for m in members if m.unit and unit_emails.get(m.unit)), None)
        address = addresses.fallback_address(first.email, unit_email)
        if first.receive_by == "email" and address:
            receives = "email"
        elif not first.reachable:
            receives = "email_fallback" if address else "none"
        else:
            receives = addresses.channel_of(first.chat_id)
        out.append(Person(tuple(m.id for m in members), first.name, tuple((m.role, m.unit) for m in members),
                          addresses.channel_of(identity) == "telegram" or any(c.channel == "telegram" for c in chats),
                          (zalo[0].name or zalo[0].address) if zalo else None, first.email, unit_email, receives,
                          address))
    return out


def set_channel(session: Session, actor: Actor, member_id: int, word: str, address: str, ev: Event) -> ChannelSet:
    """`/kenh <member> zalo|telegram|email [address]|thuhoi` for every active member row of that person."""
    require_admin(actor)
    choice = CHOICES.get(word.strip().lower())
    if choice is None:
        raise Refused("kenh_usage")
    member = session.get(MemberRow, member_id)
    if member is None or not member.active:
        raise Refused("kenh_no_member", member=member_id)
    identity = person_of(member)
    rows = list(session.scalars(select(MemberRow).where(
        MemberRow.active, (MemberRow.user_id == identity)
        | (MemberRow.user_id.is_(None) & (MemberRow.chat_id == identity))).order_by(MemberRow.id)))
    ids = tuple(r.id for r in rows)
    who = f"member:{actor.member_id}"
    if choice == "revoke":
        for row in rows:  # every link signed with an older version stops working (bot.web.links)
            row.link_version += 1
        audit(session, ev.now, who, "links_revoked", f"member:{member.id}", {"member_ids": list(ids)}, ev.update_id)
        _tell(session, member, ev, {"change": "links_revoked"})
        return ChannelSet(member.name, ids, choice)
    if choice == "email":
        chosen = (address or member.email or "").strip().lower()
        if not chosen:
            raise Refused("email_missing", member=member_id)
        if len(chosen) > 254 or not _EMAIL.match(chosen):
            raise Refused("bad_email", address=chosen[:80])
        for row in rows:
            row.email, row.receive_by = chosen, "email"
        audit(session, ev.now, who, "channel_set", f"member:{member.id}",
              {"channel": "email", "address": chosen, "member_ids": list(ids)}, ev.update_id)
        _tell(session, member, ev, {"change": "email", "address": chosen})
        return ChannelSet(member.name, ids, choice, chosen)
    key = _chat_key(session, identity, choice)
    if key is None:
        raise Refused("no_channel", name=member.name, channel=CHANNEL_NAMES[choice])
    for row in rows:
        taken = session.scalar(select(MemberRow.id).where(
            MemberRow.chat_id == key, MemberRow.role == row.role, MemberRow.id != row.id,
            MemberRow.unit == row.unit if row.unit else MemberRow.unit.is_(None)).limit(1))
        if taken is not None:
            raise Refused("channel_taken", member=taken)
    for row in rows:
        if row.user_id is None:  # keep the person recognised on the chat they had (bot.services.access)
            row.user_id = identity
        row.chat_id, row.receive_by, row.reachable = key, None, True
    audit(session, ev.now, who, "channel_set", f"member:{member.id}",
          {"channel": choice, "chat": key, "member_ids": list(ids)}, ev.update_id)
    _tell(session, member, ev, {"change": "chat", "channel": CHANNEL_NAMES[choice]})
    return ChannelSet(member.name, ids, choice)


def _chat_key(session: Session, identity: int, channel: str) -> int | None:
    """The person's chat on `channel`: their own identity, or a chat linked to it."""
    if addresses.channel_of(identity) == channel:
        return identity
    return next((c.key for c in addresses.chats_of(session, identity) if c.channel == channel), None)


def _tell(session: Session, member: MemberRow, ev: Event, facts: dict[str, str]) -> None:
    """The person affected hears of it on their chat (worded when sent, in their language)."""
    queue_notice(session, ev.now, f"channel:{member.id}", f"chat:{member.chat_id}",
                 facts={"notice": "channel", **facts})
