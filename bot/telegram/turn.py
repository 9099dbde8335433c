"""A Turn on Telegram: built from an Update and its context, answers drawn with buttons, a press edits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.conversation.commands import commands_for
from bot.conversation.incoming import File
from bot.conversation.services import Services
from bot.i18n import language
from bot.services.access import Actor, load_actor
from bot.services.tasks import Event
from bot.telegram import draw, safety
from bot.telegram.context import BotContext
from bot.views.model import View

UPLOAD_TIMEOUT = 300  # seconds: a 45 MB export part over a provincial office's uplink


def event(update: Update, context: BotContext) -> Event:
    return Event(context.services.clock.now(), update.update_id)


def actor_of(update: Update, context: BotContext) -> Actor:
    """Who is acting: loaded by `dedupe` in its transaction, or now if it was not."""
    if context.actor is not None:
        return context.actor
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    with context.services.tx() as session:
        context.actor = load_actor(session, user.id, chat.id, context.services.today())
    return context.actor


async def set_chat_commands(bot: Bot, chat_id: int, roles: frozenset[str], lang: str) -> None:
    """The command menu of one chat: its person's roles (the default menu is a head's)."""
    with language(lang):
        commands = [BotCommand(name, text[:256]) for name, text in commands_for(roles)]
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:  # a menu is a convenience: never fail the answer for it
        draw.log.info("command menu of chat %s not set: %s", chat_id, exc)


@dataclass
class TelegramTurn:
    update: Update
    bot: Bot
    services: Services
    actor: Actor
    private: bool
    event: Event
    user_id: int
    chat_id: int
    name: str
    pressed: bool
    channel: str = "telegram"
    takes_documents: bool = True
    file_limit: int = 50 * 1024 * 1024  # the Bot API's upload limit

    @classmethod
    def of(cls, update: Update, context: BotContext) -> TelegramTurn:
        chat, user = update.effective_chat, update.effective_user
        assert chat is not None and user is not None
        return cls(update, context.bot, context.services, actor_of(update, context), chat.type == ChatType.PRIVATE,
                   event(update, context), user.id, chat.id, user.full_name, update.callback_query is not None)

    async def reply(self, view: View) -> None:
        await draw.answer(self.update)
        await draw.show(self.update, view, new=True)

    async def show(self, view: View) -> None:
        await draw.answer(self.update)
        await draw.show(self.update, view)

    async def refuse(self, text: str) -> None:
        if self.update.callback_query is not None:
            await self.update.callback_query.answer(text[:200], show_alert=True)
            return
        await draw.reply(self.update, text)

    async def send_file(self, data: bytes | Path, name: str, caption: str, photo: bool = False) -> None:
        await draw.answer(self.update)
        message = self.update.effective_message
        assert message is not None
        if photo:
            await message.reply_photo(data, caption=caption[:1024])
        else:
            await message.reply_document(data, filename=name, caption=caption[:1024],
                                         write_timeout=UPLOAD_TIMEOUT)

    async def fetch(self, file: File, limit: int) -> bytes:
        data, _digest = await safety.download_evidence(self.bot, file.ref, limit)
        return data

    async def set_commands(self, roles: frozenset[str], lang: str) -> None:
        await set_chat_commands(self.bot, self.chat_id, roles, lang)
