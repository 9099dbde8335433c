"""Files a person sends on Telegram: downloads count their bytes (the declared size is not trusted); an empty
file or one over the limit is refused, whatever it declared."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
from telegram import Bot
from telegram.error import BadRequest

from bot.services.access import Refused

MAX_DOWNLOAD = 20 * 1024 * 1024  # Bot API getFile limit



async def download_evidence(bot: Bot, file_id: str, limit: int = MAX_DOWNLOAD) -> tuple[bytes, str]:
    """Download a file counting its bytes (the declared file_size is not trusted): more than `limit` bytes
    stops the download and is refused as file_too_big, 0 bytes as empty_file. Returns bytes and SHA-256."""
    try:
        file = await bot.get_file(file_id)
    except BadRequest as exc:
        if "too big" in str(exc).lower():
            raise Refused("file_too_big") from None
        raise
    if file.file_size is not None and file.file_size > limit:
        raise Refused("file_too_big")
    path = file.file_path or ""
    if path.startswith(("http://", "https://")):
        data = await _fetch(path, limit)
    else:  # a local Bot API server (--local) hands out paths on its disk
        data = _read_local(Path(path), limit)
    if not data:
        raise Refused("empty_file")
    return data, hashlib.sha256(data).hexdigest()


async def _fetch(url: str, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    async with httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0)) as client:
        async with client.stream("GET", url) as response:
            response.raise_for_status()
            async for chunk in response.aiter_bytes():
                total += len(chunk)
                if total > limit:
                    raise Refused("file_too_big")
                chunks.append(chunk)
    return b"".join(chunks)


def _read_local(path: Path, limit: int) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise Refused("file_too_big")
    return data
