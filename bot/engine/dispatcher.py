"""The sweep: recover abandoned claims, materialise due reminders, claim, bundle per chat, send, settle."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import timedelta

from sqlalchemy.engine import Engine

from bot.domain.clock import Clock
from bot.engine import outbox
from bot.engine.channel import Channel, Failure, OutMessage, SendError
from bot.engine.digests import DigestSchedule, Renderer, schedule_digests
from bot.engine.messages import render_catch_up, render_notice, render_reminders
from bot.engine.ratelimit import RateLimiter

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


@dataclass
class SweepReport:
    materialized: int = 0
    claimed: int = 0
    messages: int = 0
    sent: int = 0
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** min(attempts, 7), 3600))


class Dispatcher:
    """Sends what is due through a channel; safe to run in several processes at once."""

    def __init__(self, engine: Engine, channel: Channel, clock: Clock, limiter: RateLimiter,
                 settings: DispatchSettings = DispatchSettings(), worker: str | None = None,
                 digest_renderer: Renderer | None = None, email_channel: Channel | None = None) -> None:
        self.engine = engine
        self.channel = channel
        self.clock = clock
        self.limiter = limiter
        self.settings = settings
        self.worker = worker or f"w-{uuid.uuid4().hex[:12]}"
        self._semaphore = asyncio.Semaphore(settings.concurrency)
        self.digest_renderer = digest_renderer
        self.email_channel = email_channel

    def recover_all(self) -> int:
        """At start of the only polling instance: every claim left behind is abandoned."""
        return outbox.recover(self.engine, self.clock.now(), lease=None)

    async def sweep(self) -> SweepReport:
        """One tick of the repeating job."""
        report = SweepReport()
        now = self.clock.now()
        outbox.recover(self.engine, now, self.settings.lease)
        if self.settings.digests is not None:
            schedule_digests(self.engine, now, self.settings.digests)
        report.materialized = outbox.materialize(self.engine, now, self.settings.late_after,
                                                 self.settings.leadership_chats,
                                                 email=self.settings.email if self.email_channel else None)
        claimed = outbox.claim(self.engine, now, self.worker, self.settings.batch_size)
        report.claimed = len(claimed)
        by_chat: dict[tuple[int, str], list[outbox.Claimed]] = defaultdict(list)
        for item in claimed:
            by_chat[(item.chat_id, item.address)].append(item)
        await asyncio.gather(*(self._deliver_chat(chat, items, report, address)
                               for (chat, address), items in by_chat.items()))
        return report

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
                batches.append(([item], [render_notice(chat_id, item, self.engine)]))
        if fresh:
            batches.append((fresh, [OutMessage(chat_id, t, b) for t, b in render_reminders(fresh, now, self.engine)]))
        if stale:
            batches.append((stale, [OutMessage(chat_id, t, b) for t, b in render_catch_up(stale, now, self.engine)]))
        if address:  # e-mail: the same texts, addressed to a mailbox
            batches = [(group, [replace(m, address=address) for m in messages]) for group, messages in batches]
        for index, (group, messages) in enumerate(batches):
            if not await self._send(chat_id, group, messages, report):
                remaining = [i.delivery_id for later, _ in batches[index + 1:] for i in later]
                if remaining:
                    outbox.reschedule(self.engine, remaining, self.clock.now(), "not sent: earlier message failed")
                return

    async def _send(self, chat_id: int, group: list[outbox.Claimed], messages: list[OutMessage],
                    report: SweepReport) -> bool:
        ids = [i.delivery_id for i in group]
        async with self._semaphore:
            message_id = None
            try:
                for message in messages:
                    if message.address:  # e-mail: no Telegram limits
                        assert self.email_channel is not None
                        outbox.mark(self.engine, ids, self.clock.now(), state="sending")
                        message_id = await self.email_channel.send(message)
                    else:
                        async with self.limiter.sending(chat_id):
                            # Persist "in flight" before the request: a crash now leaves a row we know may be
                            # a duplicate.
                            outbox.mark(self.engine, ids, self.clock.now(), state="sending")
                            message_id = await self.channel.send(message)
                    report.messages += 1
            except SendError as exc:
                self._settle_failure(chat_id, group, exc, report)
                return False
            outbox.mark(self.engine, ids, self.clock.now(), state="sent", sent_at=self.clock.now(),
                        message_id=message_id)
            report.sent += len(ids)
            return True

    def _settle_failure(self, chat_id: int, group: list[outbox.Claimed], exc: SendError, report: SweepReport) -> None:
        ids = [i.delivery_id for i in group]
        now = self.clock.now()
        report.failures[exc.failure.value] += 1
        log.warning("send to chat %s failed (%s): %s", chat_id, exc.failure.value, exc.reason)
        if exc.failure is Failure.RETRY_AFTER:
            self.limiter.pause(exc.retry_after)
            outbox.reschedule(self.engine, ids, now + timedelta(seconds=exc.retry_after), exc.reason)
        elif exc.failure is Failure.UNREACHABLE and group[0].address:
            outbox.mark_address_refused(self.engine, group[0].address, ids, exc.reason, now)
        elif exc.failure is Failure.UNREACHABLE:
            outbox.mark_unreachable(self.engine, chat_id, ids, exc.reason, now)
        elif exc.failure is Failure.UNCERTAIN:
            outbox.mark(self.engine, ids, now, state="uncertain", uncertain=True, error=exc.reason)
        elif exc.failure is Failure.PERMANENT:
            outbox.mark(self.engine, ids, now, state="failed", error=exc.reason)
        elif max(i.attempts for i in group) + 1 >= self.settings.max_attempts:
            outbox.mark(self.engine, ids, now, state="failed", error=f"gave up after retries: {exc.reason}")
        else:
            attempts = max(i.attempts for i in group)
            outbox.reschedule(self.engine, ids, now + _backoff(attempts), exc.reason,
                              uncertain=exc.failure is Failure.RETRY_UNCERTAIN)
