"""Photos sent to the bot arrive as URLs: download them at once (links expire), counting the bytes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import aiohttp

MAX_BYTES = 20 * 1024 * 1024


class DownloadError(Exception):
    """The photo could not be fetched: `reason` is `too_big`, `empty`, `bad_url` or `failed`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Downloaded:
    content: bytes
    sha256: str
    content_type: str


async def download(session: aiohttp.ClientSession, url: str, limit: int = MAX_BYTES) -> Downloaded:
    """The bytes at `url`, refusing more than `limit` whatever the server declares."""
    if not url.startswith(("https://", "http://")):
        raise DownloadError("bad_url")
    digest = hashlib.sha256()
    chunks: list[bytes] = []
    size = 0
    try:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=60)) as response:
            if response.status != 200:
                raise DownloadError("failed")
            async for chunk in response.content.iter_chunked(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise DownloadError("too_big")
                digest.update(chunk)
                chunks.append(chunk)
            kind = response.headers.get("Content-Type", "application/octet-stream")
    except (aiohttp.ClientError, TimeoutError):
        raise DownloadError("failed") from None
    if size == 0:
        raise DownloadError("empty")
    return Downloaded(b"".join(chunks), digest.hexdigest(), kind)
