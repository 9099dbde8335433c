"""Photos sent to the bot arrive as URLs: download them at once (links expire), counting the bytes.

Only the channel's own file hosts are fetched (issue 23, attack 5): an event naming any other URL is
refused, redirects are not followed, and a host that resolves to a private or loopback address is refused
unless it is listed by name in the configuration (the fake Zalo API in tests is).
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

from bot.config import ZALO_FILE_HOSTS as DEFAULT_FILE_HOSTS

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


def _listed(host: str, hosts: Iterable[str]) -> str | None:
    """The configured entry `host` falls under (itself or a parent domain), or None."""
    for entry in hosts:
        entry = entry.strip().lower().rstrip(".")
        if entry and (host == entry or host.endswith("." + entry)):
            return entry
    return None


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return not ip.is_global or ip.is_multicast


async def check_url(url: str, hosts: Iterable[str]) -> None:
    """Raise DownloadError("bad_url") unless `url` is http(s) on a listed host reaching a public address."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        raise DownloadError("bad_url")
    entry = _listed(host, hosts)
    if entry is None:
        raise DownloadError("bad_url")
    if host == entry and entry not in DEFAULT_FILE_HOSTS:
        return  # named explicitly in the configuration: trusted even on a private network
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
    except OSError:
        raise DownloadError("failed") from None
    if not infos or any(_private(str(info[4][0])) for info in infos):
        raise DownloadError("bad_url")


async def download(session: aiohttp.ClientSession, url: str, limit: int = MAX_BYTES,
                   hosts: Iterable[str] = DEFAULT_FILE_HOSTS) -> Downloaded:
    """The bytes at `url` (a listed file host only), refusing more than `limit` whatever the server declares."""
    await check_url(url, tuple(hosts))
    digest = hashlib.sha256()
    chunks: list[bytes] = []
    size = 0
    try:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=60), allow_redirects=False) as response:
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
