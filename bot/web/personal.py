"""The one home of personal page addresses: `{base_url}/p/{token}` for a member, or for a unit's head.

The dispatcher puts such a link on messages sent by channels without buttons (e-mail, text-only chats),
the page (`WebServices.link_for`) and `/trang` hand them out; each call signs a fresh token with the
member's current `link_version`, so revoking (bumping it) kills every address made before.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.models import MemberRow
from bot.domain.clock import Clock
from bot.web.links import sign_link


class LinkMaker:
    """Signs personal page addresses valid for `days` from the clock's now."""

    def __init__(self, engine: Engine, secret: bytes, base_url: str, clock: Clock, days: int = 30) -> None:
        self.engine = engine
        self.secret = secret
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.days = days

    def url_of(self, member: MemberRow) -> str:
        """The address of a member row already loaded (no check of `active`: the page checks it on open)."""
        token = sign_link(self.secret, member.id, member.link_version, self.clock.now() + timedelta(days=self.days))
        return f"{self.base_url}/p/{token}"

    def for_member(self, member_id: int) -> str:
        """A fresh address of an active member's page; "" for an unknown or inactive member."""
        with Session(self.engine) as session:
            member = session.get(MemberRow, member_id)
            return self.url_of(member) if member is not None and member.active else ""

    def for_unit(self, unit_id: str) -> str:
        """The address of the unit's first active head (lowest member id); "" when the unit has none."""
        with Session(self.engine) as session:
            head = session.scalars(select(MemberRow).where(MemberRow.unit == unit_id, MemberRow.role == "head",
                                                           MemberRow.active).order_by(MemberRow.id)).first()
            return self.url_of(head) if head is not None else ""

    def for_chat(self, chat_id: int) -> str:
        """The address of the first active member the bot reaches at this chat (a head before others)."""
        with Session(self.engine) as session:
            rows = session.scalars(select(MemberRow).where(MemberRow.chat_id == chat_id, MemberRow.active)
                                   .order_by(MemberRow.id)).all()
            rows = sorted(rows, key=lambda m: m.role != "head")
            return self.url_of(rows[0]) if rows else ""
