"""The numbered replies of each Zalo chat's last message, kept in chat_addresses.menu (survive restarts)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.models import ChatAddressRow

MESSAGE = "msg"  # the menu's own key for the message id it came with (reply keys are digits)


class DbMenus:
    """MenuStore on the database: a reply "N" after a restart still means what the last message offered."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _row(self, session: Session, chat: str) -> ChatAddressRow | None:
        return session.scalar(select(ChatAddressRow).where(ChatAddressRow.channel == "zalo",
                                                           ChatAddressRow.address == chat))

    def remember(self, chat: str, replies: dict[str, str], message_id: int = 0) -> None:
        if not replies:  # a message without actions keeps the previous menu usable
            return
        with Session(self.engine) as session, session.begin():
            row = self._row(session, chat)
            if row is not None:
                row.menu = {**replies, MESSAGE: str(message_id)}

    def menu(self, chat: str) -> tuple[dict[str, str], int]:
        """The replies and the message they came with."""
        with Session(self.engine) as session:
            row = self._row(session, chat)
            menu = dict(row.menu or {}) if row is not None else {}
        message = menu.pop(MESSAGE, "0")
        return menu, int(message) if message.isdigit() else 0

    def lookup(self, chat: str, reply: str) -> str | None:
        return self.menu(chat)[0].get(reply.strip())
