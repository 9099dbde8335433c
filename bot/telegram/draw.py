"""How a view is drawn on Telegram: an inline keyboard; a press edits the message it came from."""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.views.model import Action, View, telegram_parts

log = logging.getLogger(__name__)


async def reply(update: Update, texts: str | list[str], markup: Any = None) -> None:
    """New messages answering the update (the markup under the last)."""
    message = update.effective_message
    if message is None:
        return
    parts = [texts] if isinstance(texts, str) else texts
    for i, text in enumerate(parts):
        await message.reply_text(text, reply_markup=markup if i == len(parts) - 1 else None)


def keyboard(rows: tuple[tuple[Action, ...], ...]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(a.label, callback_data=a.data) for a in row]
                                 for row in rows])


async def show(update: Update, view: View, new: bool = False) -> None:
    """A press edits the message it came from (navigation); a command, or `new`, sends a message."""
    text, rows = telegram_parts(view)
    query = update.callback_query
    if query is not None and query.message is not None and not new:
        try:
            await query.edit_message_text(text, reply_markup=keyboard(rows))
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            log.info("cannot edit message (%s): sending a new one", exc)
    await reply(update, text, keyboard(rows))


async def answer(update: Update) -> None:
    """Answer a press (stops the button's spinner); nothing for a message."""
    if update.callback_query is not None:
        await update.callback_query.answer()
