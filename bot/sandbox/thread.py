"""The sandbox in a background thread with its own event loop: for browser tests and screenshot scripts.

`with SandboxThread(config) as box:` starts the sandbox (the page's address is `box.url`), `box.call(f)`
runs `f()` in the sandbox's loop and returns its result (`box.wait(f)` awaits it), and leaving the block
stops it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self, TypeVar

from bot.config import Config
from bot.sandbox.server import Sandbox

T = TypeVar("T")
START_TIMEOUT = 120.0


class SandboxThread:
    """A running Sandbox owned by a thread; the caller's thread talks to it through `call`."""

    def __init__(self, config: Config, **options: Any) -> None:
        self.config = config
        self.options = options
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="sandbox", daemon=True)
        self.sandbox: Sandbox | None = None

    def call(self, func: Callable[[], T], timeout: float = 60.0) -> T:
        """`func()` in the sandbox's loop; its result."""
        async def run() -> T:
            return func()
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout)

    def wait(self, func: Callable[[], Awaitable[T]], timeout: float = 60.0) -> T:
        """`await func()` in the sandbox's loop; its result."""
        async def run() -> T:
            return await func()
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout)

    @property
    def url(self) -> str:
        assert self.sandbox is not None
        return self.sandbox.url

    def __enter__(self) -> Self:
        self._thread.start()

        async def start() -> Sandbox:
            sandbox = Sandbox(self.config, **self.options)
            await sandbox.start()
            return sandbox
        self.sandbox = self.wait(start, START_TIMEOUT)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if self.sandbox is not None:
                self.wait(self.sandbox.stop)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
