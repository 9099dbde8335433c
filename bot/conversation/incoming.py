"""What a person sent, whatever the channel: a command, a choice (a button or a numbered reply), text, a file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    name: str  # without the slash: "viec"
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Choice:
    data: str  # action data (bot.views.actions): what the chosen action does


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class File:
    ref: str  # the channel's own reference (Telegram file_id, a downloaded Zalo photo's key)
    name: str = ""  # the file's own name, if it has one (photos have none)
    size: int = 0  # as declared by the channel (the bytes are counted when fetched)
    kind: str = "document"  # "document" | "photo"
    unique: str = ""  # the channel's id of the same bytes (Telegram file_unique_id), to refuse a copy early
    caption: str | None = None


Incoming = Command | Choice | Text | File


def parse_text(text: str) -> Command | Text:
    """A typed message: a command (`/viec`, `/nhiemvu 5.2`, `/viec@bot`) or plain text."""
    stripped = text.strip()
    if stripped.startswith("/") and len(stripped) > 1:
        head, *args = stripped[1:].split()
        return Command(head.split("@", 1)[0].lower(), tuple(args))
    return Text(text)
