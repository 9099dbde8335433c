"""Placeholder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from bot.console.app import Console


def add_routes(app: web.Application, console: Console) -> None:
    return None
