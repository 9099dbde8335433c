"""A dispatcher in its own process for the SIGKILL-at-random-moments test: `python kill_worker.py DB_URL LOG`.

Like tests/integration/crash_worker.py, but it sweeps until nothing is pending, and each message is
appended (and fsynced) to LOG with a tiny sleep so that a kill can land anywhere: between claim and
send, during the send, between the send and its `sent` record. One line per delivered message:
the chat id.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime, timedelta, timezone

from bot.db.engine import make_engine
from bot.domain.clock import FixedClock
from bot.engine import outbox
from bot.engine.channel import OutMessage
from bot.engine.dispatcher import Dispatcher, DispatchSettings
from bot.engine.ratelimit import NoLimit

NOW = datetime(2019, 11, 20, 2, 0, tzinfo=timezone.utc)


class FileChannel:
    def __init__(self, log: str) -> None:
        self.log, self.count = log, 0

    async def send(self, message: OutMessage) -> int:
        await asyncio.sleep(0.003)  # the request leaves...
        with open(self.log, "a", encoding="utf-8") as fh:
            fh.write(f"{message.chat_id}\n")
            fh.flush()
            os.fsync(fh.fileno())
        await asyncio.sleep(0.003)  # ...and its answer takes a moment
        self.count += 1
        return self.count


async def main(url: str, log: str) -> None:
    engine = make_engine(url)
    clock = FixedClock(NOW)
    # One message in flight at a time: a kill can then duplicate at most one message.
    dispatcher = Dispatcher(engine, FileChannel(log), clock, NoLimit(),
                            DispatchSettings(concurrency=1, batch_size=20), worker=f"pid-{os.getpid()}")
    print("ready", flush=True)  # the test's random delay starts here, not at interpreter start-up
    dispatcher.recover_all()  # the polling instance's start-up: every claim left behind is abandoned
    for _ in range(10_000):
        report = await dispatcher.sweep()
        if report.claimed == 0 and report.materialized == 0:
            due = outbox.next_due(engine)
            if due is None:
                break
            clock.set(max(due, clock.now() + timedelta(seconds=1)))
    engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:3]))
