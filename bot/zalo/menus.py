"""The numbered replies of each Zalo chat's last menu, kept in chat_addresses.menu (survive restarts).

Besides the replies ("1" → action data) the row keeps the menu's labels and text (to show it again when an
old number arrives), the id of the message that carried it and the id of the last message sent to the chat
at all: a number answers the latest menu only, and an irreversible one asks to confirm when other messages
came after that menu.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.conversation.menus import Menu
from bot.db.models import ChatAddressRow

MESSAGE = "msg"  # the menu's own key for the message id it came with (reply keys are digits)
LAST = "last"  # the last message sent to the chat, with or without replies
TEXT = "text"  # the menu message's text, shown again after an old number
KIND = "kind"  # "group" for a Zalo group chat (bot.db.addresses.is_group)
LABEL = "l"  # "l3": the label of reply 3


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def parse(raw: dict[str, str] | None) -> Menu:
    raw = raw or {}
    return Menu({k: v for k, v in raw.items() if k.isdigit()},
                {k[len(LABEL):]: v for k, v in raw.items() if k.startswith(LABEL) and k[len(LABEL):].isdigit()},
                _int(raw.get(MESSAGE)), _int(raw.get(LAST)), raw.get(TEXT, ""))


def updated(raw: dict[str, str] | None, replies: dict[str, str], message_id: int,
            labels: dict[str, str] | None = None, text: str = "") -> dict[str, str]:
    """The stored menu after sending `message_id` (with `replies`, or none: the old menu stays, no longer latest)."""
    raw = dict(raw or {})
    if replies:
        raw = {KIND: raw[KIND]} if KIND in raw else {}
        raw.update(replies)
        raw.update({LABEL + k: v[:200] for k, v in (labels or {}).items()})
        raw[MESSAGE], raw[TEXT] = str(message_id), text[:1500]
    raw[LAST] = str(message_id)
    return raw


class DbMenus:
    """MenuStore on the database: a reply "N" after a restart still means what the last menu offered."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _row(self, session: Session, chat: str) -> ChatAddressRow | None:
        return session.scalar(select(ChatAddressRow).where(ChatAddressRow.channel == "zalo",
                                                           ChatAddressRow.address == chat))

    def remember(self, chat: str, replies: dict[str, str], message_id: int = 0,
                 labels: dict[str, str] | None = None, text: str = "") -> None:
        with Session(self.engine) as session, session.begin():
            row = self._row(session, chat)
            if row is not None:
                row.menu = updated(row.menu, replies, message_id, labels, text)

    def current(self, chat: str) -> Menu:
        with Session(self.engine) as session:
            row = self._row(session, chat)
            return parse(row.menu if row is not None else None)

    def is_group(self, chat: str) -> bool:
        with Session(self.engine) as session:
            row = self._row(session, chat)
            return row is not None and (row.menu or {}).get(KIND) == "group"

    def address_of(self, key: int) -> str | None:
        """The Zalo chat id of a chat key (bot.db.addresses)."""
        with Session(self.engine) as session:
            row = session.get(ChatAddressRow, key)
            return row.address if row is not None and row.channel == "zalo" else None
