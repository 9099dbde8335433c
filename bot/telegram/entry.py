"""Telegram into the conversation core: every update becomes a Turn and what it carries (bot.conversation)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.conversation import router
from bot.conversation.incoming import Choice, Command, File, Incoming, parse_text
from bot.telegram.context import BotContext
from bot.telegram.turn import TelegramTurn


async def dedupe(update: Update, context: BotContext) -> None:
    """Telegram can deliver an update twice: handle it once (bot.conversation.router.begin loads who acts)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    text = update.message.text if update.message is not None else None
    actor = router.begin(context.services, update.update_id, user.id, chat.id, bool(text and text.startswith("/")))
    if actor is None:
        raise ApplicationHandlerStop
    context.actor = actor


def incoming(update: Update) -> Incoming | None:
    """What the update carries: a choice (a button), a command or text, a document or a photo."""
    if update.callback_query is not None:
        return Choice(update.callback_query.data or "")
    message = update.effective_message
    if message is None:
        return None
    if message.document is not None:
        doc = message.document
        return File(doc.file_id, doc.file_name or "", doc.file_size or 0, "document", doc.file_unique_id,
                    message.caption)
    if message.photo:
        photo = message.photo[-1]
        return File(photo.file_id, "", photo.file_size or 0, "photo", photo.file_unique_id, message.caption)
    if message.text is not None:
        return parse_text(message.text)
    return Command("")  # a sticker, a voice message…: no command has no name, so the short help answers


async def on_update(update: Update, context: BotContext) -> None:
    """Any command, button, text or file: the conversation core answers it."""
    what = incoming(update)
    if what is None or update.effective_user is None or update.effective_chat is None:
        return
    await router.handle(TelegramTurn.of(update, context), what)
