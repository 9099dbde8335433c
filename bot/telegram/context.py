"""What handlers need, typed: `context.services` instead of string keys in bot_data."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.conversation.services import Services
from bot.services.access import Actor

__all__ = ["BotContext", "Services"]  # Services lives in bot.conversation.services (channel-neutral)


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with the application's services."""

    def __init__(self, application: Application, chat_id: int | None = None,  # type: ignore[type-arg]
                 user_id: int | None = None) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.actor: Actor | None = None  # loaded once per update, with the dedupe insert

    @property
    def services(self) -> Services:
        return self.bot_data["services"]  # type: ignore[no-any-return]
