"""`/solieu` and the 📈 check-in on Telegram: handlers of bot/conversation/metrics.py."""

from __future__ import annotations

from telegram import Update

from bot.conversation import metrics as flows
from bot.conversation.metrics import button_label, current_text, prompt_text, target_text
from bot.services.access import Actor
from bot.telegram.context import BotContext
from bot.telegram.handlers import guarded
from bot.telegram.turn import TelegramTurn

__all__ = ["button_label", "current_text", "on_metric", "on_value", "prompt_text", "sochieu", "target_text"]


@guarded
async def sochieu(update: Update, context: BotContext) -> None:
    """/solieu (alias /sochieu, /metric)."""
    await flows.listing(TelegramTurn.of(update, context))


@guarded
async def on_metric(update: Update, context: BotContext, args: str) -> None:
    await flows.ask(TelegramTurn.of(update, context), int(args))


async def on_value(update: Update, context: BotContext, actor: Actor, metric_id: int) -> None:
    """The text answering the 📈 question (called by the chat's text waits, which handle refusals)."""
    message = update.effective_message
    assert message is not None and message.text is not None
    await flows.record(TelegramTurn.of(update, context), metric_id, message.text)
