"""Buttons not yet on the conversation core, and a code typed alone (the rest goes to bot.telegram.entry).

Routing is a table: callback prefix → (argument pattern, handler). Another module adds a route with
`ROUTES["xyz"] = Route(re.compile(...), handler)`; unknown, malformed or forged data is refused.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Update

from bot.conversation import router
from bot.db.models import ChatStateRow
from bot.services import linking, par
from bot.services.access import Refused
from bot.services.guards import CLOSED_EVIDENCE
from bot.telegram import actions, entry
from bot.telegram.context import BotContext
from bot.telegram.handlers import accept_code, guarded

ID = re.compile(r"^\d{1,12}$")
PAGE = re.compile(r"^\d{1,4}$")


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    handler: Callable[[Update, BotContext, str], Awaitable[None]]


# Kinds not yet on the conversation core (bot.conversation.router.CHOICES has the others).
ROUTES: dict[str, Route] = {
    "rm": Route(ID, actions.on_remove_ask), "rmy": Route(ID, actions.on_remove),
}


@guarded
async def on_button(update: Update, context: BotContext) -> None:
    """Every inline button: the route of its prefix, if its argument has the route's shape."""
    query = update.callback_query
    assert query is not None
    prefix, _sep, args = (query.data or "").partition(":")
    if prefix in router.CHOICES or prefix not in ROUTES:
        await entry.on_update(update, context)
        return
    route = ROUTES.get(prefix)
    if route is None or len((query.data or "").encode()) > 64 or not route.pattern.match(args):
        raise Refused("bad_request")
    await route.handler(update, context, args)


@guarded
async def on_message(update: Update, context: BotContext) -> None:
    """Text, documents, photos: the conversation core (its waits: evidence, document details...); only a
    /lienket or invite code typed alone outside an evidence wait is still answered here."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if message.text and linking.normalize_code(message.text):
        with context.services.tx() as session:
            state = session.get(ChatStateRow, chat.id)
            evidence = state is not None and state.kind in ("evidence", CLOSED_EVIDENCE, par.STATE)
        if not evidence:  # in an evidence wait the text is evidence (or refused, naming the closed task)
            await accept_code(update, context, message.text)
            return
    await entry.on_update(update, context)
