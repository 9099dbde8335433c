"""The sweep: recover abandoned claims, materialise due reminders, claim, bundle per chat, send, settle.

Two clocks: `clock` is the plan's (dates, due times, "late", stale; a rehearsal clock may run 60x);
`timer` is real wall-clock time for everything that measures the machine, not the plan: leases, back-off,
RetryAfter, the shutdown grace. Delivery policy: docs/delivery.md.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from bot.db.addresses import channel_of
from bot.domain.clock import Clock, SystemClock
from bot.engine import outbox
from bot.engine.channel import Channel, Failure, OutMessage, SendError
from bot.engine.digests import DigestSchedule, Renderer, schedule_digests
from bot.engine.messages import render_catch_up, render_notice, render_reminders
from bot.engine.ratelimit import RateLimiter
from bot.i18n import _

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchSettings:
    stale_after: timedelta = timedelta(days=7)
    late_after: timedelta = timedelta(minutes=15)
    lease: timedelta = timedelta(minutes=2)
    batch_size: int = 500
    concurrency: int = 4
    max_attempts: int = 20
    leadership_chats: tuple[int, ...] = ()
    digests: DigestSchedule | None = None
    email: outbox.EmailRouting | None = None
    shutdown_grace: timedelta = timedelta(seconds=10)  # in-flight sends may finish this long after a stop
    resend_uncertain_reminders: bool = True  # a reminder is resent once after a read timeout, flagged


@dataclass
class SweepReport:
    materialized: int = 0
    claimed: int = 0
    messages: int = 0
    sent: int = 0
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** min(attempts, 7), 3600))


# Templates in bot.ops.logwords (the operator's language): a failure to record an outcome is an ERROR, with the
# deliveries it leaves claimed; `recover` returns them to the queue once their lease runs out, flagged uncertain.
SETTLE_FAILED = ("could not record the failed send of deliveries %s to chat %s (%s); they return to the queue "
                 "when their lease runs out")
LEFT_CLAIMED = "deliveries %s to chat %s left claimed by an error; they return to the queue when their lease runs out"


class _Unsettled(Exception):
    """Settling a failed send raised (logged there): the sweep goes on with the other chats."""

    def __init__(self, ids: list[int]) -> None:
        super().__init__(ids)
        self.ids = ids


class _Stopped(Exception):
    """The dispatcher is stopping: this send was not started."""


def possibly_received(message: OutMessage) -> OutMessage:
    """A resent notice says it may be a duplicate (a reminder bundle says so per task)."""
    return replace(message, text=message.text + "\n\n" + _("(You may have received this message already.)"))


class Links(Protocol):
    """Personal page addresses (bot.web.personal.LinkMaker)."""

    def for_chat(self, chat_id: int) -> str: ...

    def for_unit(self, unit_id: str) -> str: ...


class Dispatcher:
    """Sends what is due through a channel; safe to run in several processes at once."""

    def __init__(self, engine: Engine, channel: Channel, clock: Clock, limiter: RateLimiter,
                 settings: DispatchSettings = DispatchSettings(), worker: str | None = None,
                 digest_renderer: Renderer | None = None, email_channel: Channel | None = None,
                 timer: Clock | None = None, links: Links | None = None) -> None:
        self.engine = engine
        self.channel = channel
        self.clock = clock
        self.timer: Clock = timer or SystemClock()
        self.limiter = limiter
        self.settings = settings
        self.worker = worker or f"w-{uuid.uuid4().hex[:12]}"
        self._semaphore = asyncio.Semaphore(settings.concurrency)
        self.digest_renderer = digest_renderer
        self.email_channel = email_channel
        self.links = links  # personal page addresses for text-only channels (bot.web.personal.LinkMaker)
        self.stopping = False
        self._stop = asyncio.Event()
        self._in_flight: set[asyncio.Task[object]] = set()

    def recover_all(self) -> int:
        """At start of the only polling instance: every claim left behind is abandoned."""
        return outbox.recover(self.engine, self.clock.now(), None)

    def request_stop(self) -> None:
        """Stop claiming at once; sends in flight get `shutdown_grace`, the rest go back to the queue."""
        self.stopping = True
        self._stop.set()

    def release_all(self) -> int:
        """After the last sweep: whatever this worker still holds goes back to the queue."""
        return outbox.release(self.engine, self.worker)

    async def sweep(self) -> SweepReport:
        """One tick of the repeating job."""
        report = SweepReport()
        if self.stopping:
            return report
        now = self.clock.now()
        outbox.recover(self.engine, now, self.timer.now())
        if self.settings.digests is not None:
            schedule_digests(self.engine, now, self.settings.digests)
        report.materialized = outbox.materialize(self.engine, now, self.settings.late_after,
                                                 self.settings.leadership_chats,
                                                 email=self.settings.email if self.email_channel else None)
        if self.stopping:
            return report
        claimed = outbox.claim(self.engine, now, self.worker, self.settings.batch_size, self.timer.now(),
                               self.settings.lease)
        report.claimed = len(claimed)
        by_chat: dict[tuple[int, str], list[outbox.Claimed]] = defaultdict(list)
        for item in claimed:
            by_chat[(item.chat_id, item.address)].append(item)
        await self._bounded([asyncio.ensure_future(self._deliver_chat(chat, items, report, address))
                             for (chat, address), items in by_chat.items()])
        return report

    def _with_links(self, chat_id: int, address: str,
                    batches: list[tuple[list[outbox.Claimed], list[OutMessage]]]
                    ) -> list[tuple[list[outbox.Claimed], list[OutMessage]]]:
        """Cards and a unit's digest, on channels without buttons, carry the reader's personal page."""
        assert self.links is not None
        out = []
        for group, messages in batches:
            mine = [i for i in group if i.kind != "notice" and (i.kind != "digest" or i.rung.startswith("unit:"))]
            link = ""
            if mine and not address:
                link = self.links.for_chat(chat_id)
            elif mine:
                unit = next((i.unit or i.rung.partition(":")[2] for i in mine if i.unit or i.kind == "digest"), "")
                link = self.links.for_unit(unit) if unit else ""
            if link and messages:  # once per group: a digest's chart or a second card need not repeat it
                messages = [replace(messages[0], link=link), *messages[1:]]
            out.append((group, messages))
        return out

    async def _bounded(self, tasks: list[asyncio.Future[None]]) -> None:
        """Run the chats' deliveries; after a stop, cut waiting ones at once and in-flight ones after the grace."""
        if not tasks:
            return
        everything: asyncio.Future[list[object]] = asyncio.gather(*tasks, return_exceptions=True)
        stop: asyncio.Future[object] = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait([everything, stop], return_when=asyncio.FIRST_COMPLETED)  # type: ignore[type-var]
            if everything.done():
                return
            for task in tasks:  # waiting for a slot, the semaphore or a retry: nothing sent yet
                if task not in self._in_flight:
                    task.cancel()
            await asyncio.wait(tasks, timeout=self.settings.shutdown_grace.total_seconds())
            for task in tasks:
                task.cancel()
            await everything
        finally:
            stop.cancel()

    async def _render(self, render: Callable[[list[outbox.Claimed], datetime, Engine], list[tuple[str, Any]]],
                      items: list[outbox.Claimed], now: datetime) -> list[tuple[str, Any]]:
        """Cards on a worker thread, unless the database is one shared connection (SQLite in memory:
        `nhacviec simulate`), which must not be used from two threads at once."""
        if isinstance(self.engine.pool, StaticPool):
            return render(items, now, self.engine)
        return await asyncio.to_thread(render, items, now, self.engine)

    async def _deliver_chat(self, chat_id: int, items: list[outbox.Claimed], report: SweepReport,
                            address: str = "") -> None:
        now = self.clock.now()
        alone = [i for i in items if i.kind in ("notice", "digest")]
        stale = [i for i in items if i not in alone and now - i.due_at > self.settings.stale_after]
        fresh = [i for i in items if i not in stale and i not in alone]
        batches: list[tuple[list[outbox.Claimed], list[OutMessage]]] = []
        for item in alone:  # a notice may carry its own buttons; a digest has its own chart
            if item.kind == "digest" and self.digest_renderer is not None:
                batches.append(([item], self.digest_renderer(chat_id, item, now)))
            else:
                message = render_notice(chat_id, item, self.engine)
                batches.append(([item], [possibly_received(message) if item.uncertain else message]))
        # Cards read the database (history, the checklist's counts): on a worker thread, so that a burst of
        # chats renders while the first ones are already sending, and the loop keeps answering.
        if fresh:
            texts = await self._render(render_reminders, fresh, now)
            batches.append((fresh, [OutMessage(chat_id, t, b) for t, b in texts]))
        if stale:
            texts = await self._render(render_catch_up, stale, now)
            batches.append((stale, [OutMessage(chat_id, t, b) for t, b in texts]))
        if address:  # e-mail: the same texts, addressed to a mailbox
            batches = [(group, [replace(m, address=address) for m in messages]) for group, messages in batches]
        if self.links is not None and (address or channel_of(chat_id) != "telegram"):
            batches = self._with_links(chat_id, address, batches)
        held = [i.delivery_id for i in items]  # claimed by us and not settled yet
        try:
            for index, (group, messages) in enumerate(batches):
                if self.stopping:
                    raise _Stopped
                ok = await self._send(chat_id, group, messages, report)
                held = [i.delivery_id for later, _ in batches[index + 1:] for i in later]
                if not ok:
                    if held:
                        outbox.reschedule(self.engine, held, self.clock.now(), "not sent: earlier message failed")
                    return
        except (_Stopped, asyncio.CancelledError):
            outbox.release(self.engine, self.worker, held)
            if self.stopping:
                return
            raise
        except _Unsettled as unsettled:  # logged with its ids; the chat's later messages wait for their lease too
            later = [i for i in held if i not in unsettled.ids]
            if later:
                log.error(LEFT_CLAIMED, ", ".join(map(str, later)), chat_id)
        except Exception:  # never swallowed by the gather: named, and left to the lease
            log.error(LEFT_CLAIMED, ", ".join(map(str, held)), chat_id, exc_info=True)

    async def _send(self, chat_id: int, group: list[outbox.Claimed], messages: list[OutMessage],
                    report: SweepReport) -> bool:
        ids = [i.delivery_id for i in group]
        async with self._semaphore:
            message_id = None
            try:
                for message in messages:
                    if message.address:  # e-mail: no Telegram limits
                        assert self.email_channel is not None
                        message_id = await self._in_flight_send(self.email_channel, message, ids)
                    else:
                        async with self.limiter.sending(chat_id):
                            message_id = await self._in_flight_send(self.channel, message, ids)
                    report.messages += 1
            except SendError as exc:
                try:
                    self._settle_failure(chat_id, group, exc, report)
                except Exception:  # the database, typically: the claims' lease brings them back, never lost
                    log.error(SETTLE_FAILED, ", ".join(map(str, ids)), chat_id, exc.failure.value, exc_info=True)
                    raise _Unsettled(ids) from None
                return False
            outbox.mark(self.engine, ids, self.clock.now(), state="sent", sent_at=self.clock.now(),
                        message_id=message_id)
            report.sent += len(ids)
            return True

    async def _in_flight_send(self, channel: Channel, message: OutMessage, ids: list[int]) -> int:
        if self.stopping:
            raise _Stopped
        # Persist "in flight" before the request (renewing the lease): a crash now leaves a row we know may
        # be a duplicate.
        outbox.mark(self.engine, ids, self.clock.now(), state="sending",
                    hold_until=self.timer.now() + self.settings.lease)
        task = asyncio.current_task()
        assert task is not None
        self._in_flight.add(task)
        try:
            return await channel.send(message)
        except asyncio.CancelledError:  # cut off by the shutdown grace: maybe delivered
            outbox.release(self.engine, self.worker, ids)
            raise
        finally:
            self._in_flight.discard(task)

    def _resend_uncertain(self, group: list[outbox.Claimed]) -> bool:
        """Read timeout: a notice carries a decision, resent until answered; a reminder is resent once."""
        if all(i.kind == "notice" for i in group):
            return True
        return self.settings.resend_uncertain_reminders and not any(i.uncertain for i in group)

    def _settle_failure(self, chat_id: int, group: list[outbox.Claimed], exc: SendError, report: SweepReport) -> None:
        ids = [i.delivery_id for i in group]
        now, real = self.clock.now(), self.timer.now()
        attempts = max(i.attempts for i in group)
        report.failures[exc.failure.value] += 1
        log.warning("send to chat %s failed (%s): %s", chat_id, exc.failure.value, exc.reason)
        if exc.failure is Failure.RETRY_AFTER:
            self.limiter.pause(exc.retry_after)
            outbox.reschedule(self.engine, ids, now, exc.reason, hold_until=real + timedelta(seconds=exc.retry_after))
        elif exc.failure is Failure.UNREACHABLE and group[0].address:
            outbox.mark_address_refused(self.engine, group[0].address, ids, exc.reason, now)
        elif exc.failure is Failure.UNREACHABLE:
            outbox.mark_unreachable(self.engine, chat_id, ids, exc.reason, now,
                                    email=self.settings.email if self.email_channel else None)
        elif (exc.failure is Failure.UNCERTAIN and self._resend_uncertain(group)
              and attempts + 1 < self.settings.max_attempts):
            outbox.reschedule(self.engine, ids, now, exc.reason, uncertain=True, hold_until=real + _backoff(attempts))
        elif exc.failure is Failure.UNCERTAIN:
            outbox.mark(self.engine, ids, now, state="uncertain", uncertain=True, error=exc.reason)
        elif exc.failure is Failure.PERMANENT:
            outbox.mark(self.engine, ids, now, state="failed", error=exc.reason)
        elif attempts + 1 >= self.settings.max_attempts:
            outbox.mark(self.engine, ids, now, state="failed", error=f"gave up after retries: {exc.reason}")
        else:
            outbox.reschedule(self.engine, ids, now, exc.reason, uncertain=exc.failure is Failure.RETRY_UNCERTAIN,
                              hold_until=real + _backoff(attempts))
