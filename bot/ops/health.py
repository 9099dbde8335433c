"""Health and metrics on the web port: `/healthz`, `/readyz` (JSON, 503 when not ready) and `/metrics`.

`Watch` is the process's own view of itself: when the last sweep ran and how long it took, what each channel
did (sent, failed, retried, 429) and whether it answers now. It wraps the dispatcher's sweep and channels
without changing them; the figures the database knows (reminders due, outbox lag, deliveries by state) are read
at each scrape, so several processes on one database report the same queue.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.addresses import ZALO_BASE, ZALO_SPAN
from bot.db.models import DeliveryRow
from bot.domain.clock import Clock
from bot.engine.channel import Channel, Failure, OutMessage, SendError
from bot.i18n import _
from bot.ops.schema import head
from bot.ops.status import backlog

log = logging.getLogger("nhacviec.ops")
DB_TIMEOUT = 3.0
OPEN = ("pending", "claimed", "sending", "uncertain", "failed")


def channel_name(message: OutMessage) -> str:
    from bot.db.addresses import channel_of

    return "email" if message.address and message.chat_id == 0 else channel_of(message.chat_id)


@dataclass
class ChannelState:
    """Up or down, with the time of the change; one log line per change (weather, not a crash)."""

    name: str
    up: bool | None = None  # None: nothing tried yet
    since: float = field(default_factory=time.time)
    detail: str = ""

    def mark(self, up: bool, detail: str = "") -> bool:
        """Record the channel's state; True (and one log line) when it changed."""
        if up == self.up:
            return False
        was, self.up, self.since, self.detail = self.up, up, time.time(), detail
        shown = _("e-mail") if self.name == "email" else self.name.capitalize()
        if up and was is False:
            log.warning(_("Channel {name} answers again: sending resumes, the queue catches up.")
                        .format(name=shown))
        elif not up:
            log.warning(_("Channel {name} cannot be reached ({detail}); retrying with back-off, the other "
                          "channels and the page keep running.").format(name=shown, detail=detail or "?"))
        return True


class QuietRetries(logging.Filter):
    """Drops the dispatcher's line per failed send when the failure is weather (retry, retry_after…): while a
    channel is down every due delivery fails at each sweep; the Watch says it once per change instead."""

    WEATHER = tuple(f"({f.value})" for f in (Failure.RETRY, Failure.RETRY_UNCERTAIN, Failure.RETRY_AFTER))

    def filter(self, record: logging.LogRecord) -> bool:
        return not any(tag in record.getMessage() for tag in self.WEATHER)


class QuietZalo(logging.Filter):
    """Drops the Zalo adapter's line per failed call when Zalo did not answer (code 0), throttled (429) or failed
    (5xx): the Watch says it once per change."""

    WEATHER = re.compile(r": (0|429|5\d\d): ")

    def filter(self, record: logging.LogRecord) -> bool:
        return not self.WEATHER.search(record.getMessage())


QUIET = {"bot.engine.dispatcher": QuietRetries, "bot.zalo.adapter": QuietZalo, "bot.zalo.updates": QuietZalo}


def quiet_retries() -> None:
    """Install the filters above on their loggers (once)."""
    for name, kind in QUIET.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())


class Watch:
    """The metrics registry and the process's last sweep and channel states."""

    def __init__(self, engine: Engine, clock: Clock, sweep_interval: float) -> None:
        quiet_retries()
        self.engine, self.clock, self.sweep_interval = engine, clock, sweep_interval
        self.started = time.monotonic()
        self.last_sweep: float | None = None  # monotonic
        self.last_sweep_ok: bool | None = None
        self.channels: dict[str, ChannelState] = {}
        self.registry = CollectorRegistry()
        r = self.registry
        self.sent = Counter("nhacviec_messages_sent", "Messages sent, per channel", ["channel"], registry=r)
        self.failed = Counter("nhacviec_deliveries_failed", "Sends that failed, per channel and kind",
                              ["channel", "kind"], registry=r)
        self.retried = Counter("nhacviec_deliveries_retried", "Sends put back in the queue to retry, per channel",
                               ["channel"], registry=r)
        self.throttled = Counter("nhacviec_rate_limited", "429 Too Many Requests (flood control), per channel",
                                 ["channel"], registry=r)
        self.sweep_seconds = Histogram("nhacviec_sweep_duration_seconds", "Duration of one outbox sweep",
                                       registry=r, buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
        self.sweep_failures = Counter("nhacviec_sweep_failures", "Sweeps that failed (database away)", registry=r)
        self.due = Gauge("nhacviec_reminders_due", "Deliveries due now and not sent yet (outbox backlog)",
                         registry=r)
        self.lag = Gauge("nhacviec_outbox_lag_seconds", "How long the oldest due delivery has waited", registry=r)
        self.by_state = Gauge("nhacviec_deliveries", "Open deliveries (pending, claimed, sending, uncertain, failed) "
                              "by state and channel",
                              ["state", "channel"], registry=r)
        self.channel_up = Gauge("nhacviec_channel_up", "1 when the channel answers, 0 when it does not",
                                ["channel"], registry=r)
        self.last_sweep_age = Gauge("nhacviec_last_sweep_age_seconds", "Seconds since the last sweep", registry=r)
        self.database_up = Gauge("nhacviec_database_up", "1 when the database answers", registry=r)

    def channel(self, name: str) -> ChannelState:
        if name not in self.channels:
            self.channels[name] = ChannelState(name)
        return self.channels[name]

    def mark_channel(self, name: str, up: bool, detail: str = "") -> None:
        self.channel(name).mark(up, detail)
        self.channel_up.labels(name).set(1 if up else 0)

    # ---------------------------------------------------------------- wrapping the dispatcher

    def watch_sweep(self, sweep: Callable[[], Awaitable[Any]],
                    empty: Callable[[], Any]) -> Callable[[], Awaitable[Any]]:
        """The dispatcher's sweep, timed; a failure (the database away) is one log line per change, no traceback."""

        async def timed() -> Any:
            begin = time.monotonic()
            try:
                report = await sweep()
            except Exception as exc:  # noqa: BLE001 - weather: the next tick tries again
                self.sweep_failures.inc()
                if self.last_sweep_ok is not False:
                    log.error(_("The sweep cannot reach the database ({detail}); retrying at every tick.")
                              .format(detail=_short(exc)))
                self.last_sweep_ok = False
                return empty()
            if self.last_sweep_ok is False:
                log.warning(_("The database answers again: sweeps resume."))
            self.last_sweep_ok = True
            self.last_sweep = time.monotonic()
            self.sweep_seconds.observe(self.last_sweep - begin)
            return report

        return timed

    def watch_channel(self, channel: Channel, fixed: str | None = None) -> Channel:
        return _Watched(channel, self, fixed)

    # ---------------------------------------------------------------- readiness

    def _database_facts(self) -> dict[str, Any]:
        from bot.ops.schema import current_revision

        now = self.clock.now()
        with Session(self.engine) as session:
            revision = current_revision(session.connection())
            queue = backlog(session, now)
            d = DeliveryRow
            channel = case((d.address != "", "email"),
                           (d.chat_id.between(ZALO_BASE, ZALO_BASE + ZALO_SPAN - 1), "zalo"), else_="telegram")
            # Open states only: sent and skipped rows are history and grow without end (the counters say those).
            states = session.execute(select(d.state, channel, func.count()).where(d.state.in_(OPEN))
                                     .group_by(d.state, channel)).all()
        by = {(state, name): count for state, name, count in states}
        lag = max(0.0, (now - queue.oldest).total_seconds()) if queue.oldest else 0.0
        return {"revision": revision, "due": queue.due, "lag": lag, "by_state": by}

    async def check(self) -> tuple[bool, dict[str, Any]]:
        body: dict[str, Any] = {}
        ready = True
        try:
            facts = await asyncio.wait_for(asyncio.to_thread(self._database_facts), DB_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            self.database_up.set(0)
            body["database"] = {"ok": False, "error": _short(exc)}
            ready = False
        else:
            self.database_up.set(1)
            at_head = facts["revision"] == head()
            body["database"] = {"ok": True}
            body["migrations"] = {"ok": at_head, "revision": facts["revision"], "head": head()}
            body["outbox"] = {"due": facts["due"], "lag_seconds": round(facts["lag"], 1)}
            ready = ready and at_head
            self.due.set(facts["due"])
            self.lag.set(facts["lag"])
            self.by_state.clear()
            for (state, name), count in facts["by_state"].items():
                self.by_state.labels(state, name).set(count)
        limit = max(60.0, 6 * self.sweep_interval)
        if self.last_sweep is None:
            age = time.monotonic() - self.started
            fresh = age < limit and self.last_sweep_ok is not False  # starting: no sweep has succeeded yet
            body["sweep"] = {"ok": fresh, "last_seconds_ago": None}
        else:
            age = time.monotonic() - self.last_sweep
            fresh = age < limit and self.last_sweep_ok is not False  # the last one failed: not ready yet
            body["sweep"] = {"ok": fresh, "last_seconds_ago": round(age, 1)}
            self.last_sweep_age.set(age)
        ready = ready and fresh
        body["channels"] = {name: {"up": c.up, "since": datetime.fromtimestamp(c.since).isoformat(timespec="seconds"),
                                   **({"detail": c.detail} if c.detail and not c.up else {})}
                            for name, c in sorted(self.channels.items())}
        body["status"] = ("ok" if all(c.up is not False for c in self.channels.values()) else "degraded") \
            if ready else "unavailable"
        return ready, body

    # ---------------------------------------------------------------- routes

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.metrics)

    async def healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readyz(self, _request: web.Request) -> web.Response:
        ready, body = await self.check()
        return web.Response(text=json.dumps(body, ensure_ascii=False), status=200 if ready else 503,
                            content_type="application/json")

    async def metrics(self, _request: web.Request) -> web.Response:
        await self.check()  # refreshes the gauges the database knows
        return web.Response(body=generate_latest(self.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

    def app(self) -> web.Application:
        """An application with only these routes (when the personal page is off)."""
        app = web.Application()
        self.add_routes(app)
        return app


def _short(exc: BaseException) -> str:
    from sqlalchemy.exc import DBAPIError

    original = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = str(original).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:160]


class _Watched:
    """A channel that counts what it does and tells the Watch whether the channel answers."""

    def __init__(self, inner: Channel, watch: Watch, fixed: str | None) -> None:
        self.inner, self.watch, self.fixed = inner, watch, fixed

    def __getattr__(self, name: str) -> Any:  # the router's own attributes (telegram, zalo, engine…)
        return getattr(self.inner, name)

    async def send(self, message: OutMessage) -> int:
        name = self.fixed or channel_name(message)
        w = self.watch
        try:
            result = await self.inner.send(message)
        except SendError as exc:
            w.failed.labels(name, exc.failure.value).inc()
            if exc.failure is Failure.RETRY_AFTER:
                w.throttled.labels(name).inc()
            if exc.failure in (Failure.RETRY, Failure.RETRY_UNCERTAIN, Failure.RETRY_AFTER):
                w.retried.labels(name).inc()
            if exc.failure in (Failure.RETRY, Failure.RETRY_UNCERTAIN):
                w.mark_channel(name, False, exc.reason[:120])
            raise
        w.sent.labels(name).inc()
        w.mark_channel(name, True)
        return result
