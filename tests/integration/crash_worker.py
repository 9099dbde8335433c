"""A dispatcher in its own process for the crash tests: `python crash_worker.py DB_URL LOG MODE`.

MODE: normal; kill_before_send (SIGKILL after the claim, before the request);
kill_after_send (SIGKILL after the message was delivered, before it was recorded).
Delivered messages are appended (and fsynced) to LOG, one chat id per line.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import datetime, timezone

from bot.db.engine import make_engine
from bot.domain.clock import FixedClock
from bot.engine.channel import OutMessage
from bot.engine.dispatcher import Dispatcher, DispatchSettings
from bot.engine.ratelimit import NoLimit

NOW = datetime(2019, 11, 20, 2, 0, tzinfo=timezone.utc)


class FileChannel:
    def __init__(self, log: str, mode: str) -> None:
        self.log, self.mode, self.count = log, mode, 0

    async def send(self, message: OutMessage) -> int:
        self.count += 1
        if self.mode == "kill_before_send" and self.count == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        with open(self.log, "a", encoding="utf-8") as fh:
            fh.write(f"{message.chat_id}\n")
            fh.flush()
            os.fsync(fh.fileno())
        if self.mode == "kill_after_send" and self.count == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return self.count


async def main(url: str, log: str, mode: str) -> None:
    engine = make_engine(url)
    dispatcher = Dispatcher(engine, FileChannel(log, mode), FixedClock(NOW), NoLimit(),
                            DispatchSettings(concurrency=1), worker=f"pid-{os.getpid()}")
    dispatcher.recover_all()  # the polling instance's start-up
    await dispatcher.sweep()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
