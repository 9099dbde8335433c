"""The Zalo Bot API over HTTP: `{base_url}/bot{token}/{method}`, answers `{"ok": ..., "result"|"error_code"}`.

The platform publishes no error table; `classify` maps what the API and HTTP can say to the outbox's
failure policy conservatively: only an answer that certainly refused the message is permanent.
"""

from __future__ import annotations

from typing import Any, Self

import aiohttp

from bot.engine.channel import Failure, SendError

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"


class ZaloError(Exception):
    """An API call that did not succeed; `code` is Zalo's error_code or the HTTP status (0: no answer)."""

    def __init__(self, code: int, description: str, *, sent: bool | None) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.sent = sent  # False: the request certainly never arrived; None: unknown


class ZaloApi:
    """Calls Zalo Bot API methods; the token never appears in an error or a log line."""

    def __init__(self, token: str, base_url: str = DEFAULT_BASE_URL, *, timeout: float = 15.0,
                 session: aiohttp.ClientSession | None = None) -> None:
        self._token = token
        self._base = base_url.rstrip("/")
        self._timeout = timeout
        self._session = session
        self._own_session = session is None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "<token>") if self._token else text

    async def call(self, method: str, read_timeout: float | None = None, **params: Any) -> Any:
        """POST `params` as JSON to `method`; the `result`, or ZaloError."""
        url = f"{self._base}/bot{self._token}/{method}"
        limit = aiohttp.ClientTimeout(total=None, connect=5.0, sock_read=read_timeout or self._timeout)
        try:
            async with self._client().post(url, json=params, timeout=limit) as response:
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    raise ZaloError(response.status, f"HTTP {response.status}", sent=None) from None
                if not isinstance(body, dict):
                    raise ZaloError(response.status, f"HTTP {response.status}", sent=None)
        except aiohttp.ClientConnectorError as exc:
            raise ZaloError(0, self._redact(f"connect: {exc.os_error}"), sent=False) from None
        except (TimeoutError, aiohttp.ServerTimeoutError):
            raise ZaloError(0, "read timeout", sent=None) from None
        except aiohttp.ClientError as exc:
            raise ZaloError(0, self._redact(f"{type(exc).__name__}"), sent=None) from None
        if body.get("ok") is True:
            return body.get("result")
        code = body.get("error_code")
        raise ZaloError(int(code) if isinstance(code, int) else response.status,
                        self._redact(str(body.get("description") or "")), sent=True)


def classify(error: ZaloError) -> SendError:
    """What the outbox does after a failed send."""
    code, reason = error.code, f"zalo {error.code}: {error.description}"
    if code == 429:
        return SendError(Failure.RETRY_AFTER, reason, retry_after=5.0)
    if code == 0:
        return SendError(Failure.RETRY if error.sent is False else Failure.UNCERTAIN, reason)
    if code >= 500 or error.sent is None:
        return SendError(Failure.RETRY, reason)
    if code in (403, 404) or "not found" in error.description.lower():
        return SendError(Failure.UNREACHABLE, reason)  # blocked the bot, unknown chat
    return SendError(Failure.PERMANENT, reason)  # 400 bad request, 401 bad token
