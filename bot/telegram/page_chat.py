"""`/trang`: the reader's personal page address (documents, figures), in a private chat only."""

from __future__ import annotations

from telegram import Update

from bot.conversation import waits
from bot.telegram.context import BotContext
from bot.telegram.handlers import guarded
from bot.telegram.turn import TelegramTurn


@guarded
async def trang(update: Update, context: BotContext) -> None:
    await waits.page_link(TelegramTurn.of(update, context))
