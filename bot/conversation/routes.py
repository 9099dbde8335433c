"""The shapes of the routing table: each topic of the conversation declares its commands, choices and waits.

A topic module ends with `TOPIC = Topic(...)`; `bot.conversation.router` joins the topics into the one table
every adapter uses. A choice's prefix is a kind of `bot.views.actions.KINDS`; its argument must match the
route's pattern (forged or malformed data is refused); a wait is what a chat's pending prompt
(chat_states.kind) does with the next text or file.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.conversation.incoming import File, Text
from bot.conversation.turn import Turn

CommandFlow = Callable[[Turn, tuple[str, ...]], Awaitable[None]]
ChoiceFlow = Callable[[Turn, str], Awaitable[None]]
WaitFlow = Callable[[Turn, int, Text | File], Awaitable[None]]

ID = re.compile(r"^\d{1,12}$")
PAGE = re.compile(r"^\d{1,4}$")


@dataclass(frozen=True)
class ChoiceRoute:
    pattern: re.Pattern[str]
    flow: ChoiceFlow


@dataclass(frozen=True)
class Topic:
    commands: dict[str, CommandFlow] = field(default_factory=dict)  # every name and alias, without the slash
    choices: dict[str, ChoiceRoute] = field(default_factory=dict)  # action prefix → route
    waits: dict[str, WaitFlow] = field(default_factory=dict)  # chat_states.kind → what the next message does


def by_id(flow: Callable[[Turn, int], Awaitable[None]]) -> ChoiceRoute:
    """A choice whose argument is one id: `done:12`."""

    async def run(turn: Turn, args: str) -> None:
        await flow(turn, int(args))

    return ChoiceRoute(ID, run)


def by_page(flow: Callable[[Turn, int], Awaitable[None]]) -> ChoiceRoute:
    """A choice whose argument is a page number: `rq:2`."""

    async def run(turn: Turn, args: str) -> None:
        await flow(turn, int(args))

    return ChoiceRoute(PAGE, run)


def bare(flow: Callable[[Turn], Awaitable[None]]) -> CommandFlow:
    """A command that takes no argument (extra words are ignored)."""

    async def run(turn: Turn, args: tuple[str, ...]) -> None:
        await flow(turn)

    return run


def text_only(flow: Callable[[Turn, int, str], Awaitable[None]]) -> WaitFlow:
    """A wait answered by text; a file there is not understood (the wait stays)."""

    async def run(turn: Turn, ref: int, message: Text | File) -> None:
        if isinstance(message, File):
            from bot.conversation.commands import unknown  # commands imports the topics' tables

            await unknown(turn)
            return
        await flow(turn, ref, message.text)

    return run
