"""Screens on Telegram: the handlers of bot/conversation/screens.py (one line each) and the evidence file.

`keyboard`, `show` and `answer` (bot/telegram/draw.py) are re-exported here for the other handlers.
"""

from __future__ import annotations

from telegram import Update

from bot.conversation import screens as flows
from bot.telegram.context import BotContext
from bot.telegram.draw import answer, keyboard, show
from bot.telegram.turn import TelegramTurn
from bot.views.model import Action

__all__ = ["Action", "answer", "keyboard", "show"]


def _turn(update: Update, context: BotContext) -> TelegramTurn:
    return TelegramTurn.of(update, context)


async def open_list(update: Update, context: BotContext, kind: str, f: str, page: int, new: bool = False) -> None:
    await flows.open_list(_turn(update, context), kind, f, page, new)












