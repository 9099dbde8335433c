"""Wiring for `sync` and `run`: config → plan → database → dispatcher → Telegram and/or Zalo (+ the personal page)."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError

from bot.config import Config, ConfigError, engine_config_error
from bot.db.engine import DatabaseVanished, is_sqlite, make_engine, on_vanished
from bot.db.lock import AlreadyRunning, InstanceLock
from bot.db.members import ensure_member
from bot.domain.clock import Clock, SystemClock
from bot.domain.workdays import WorkCalendar
from bot.engine.digests import DigestSchedule, digest_renderer
from bot.engine.dispatcher import Dispatcher, DispatchSettings, SweepReport
from bot.engine.outbox import EmailRouting
from bot.engine.prune import Retention, prune
from bot.engine.ratelimit import RateLimiter, SharedBudget
from bot.engine.sync import SyncReport, combined, sync_plans
from bot.i18n import _
from bot.logsafe import setup_logging
from bot.mail import SmtpSettings
from bot.ops import logwords
from bot.ops.faults import DatabaseUnreachable, missing_token_text, url_password, wait_for_database
from bot.ops.health import Watch
from bot.ops.logwords import migrate_logged, plan_synced
from bot.ops.weather import start_zalo
from bot.plans.loader import PlanError, load_plans
from bot.telegram.ratelimit import TelegramRateLimiter
from bot.telegram.weather import start_without_telegram, watch_polling

log = logging.getLogger(__name__)


class MissingToken(Exception):
    """No bot token configured."""


class BotStopped(Exception):
    """The bot could not start or stopped on an error; the message never contains the token."""

    exit_code = 1


class DatabaseGone(BotStopped):
    """The SQLite file vanished or was replaced while running: stopped before confirming anything unstored."""

    exit_code = 2


def sync_only(config: Config) -> SyncReport:
    """`nhacviec sync`: migrate, then sync the plan into the database."""
    plans = load_plans(config.plan_paths())
    engine = make_engine(config.database.url)
    migrate_logged(engine)
    clock = config.make_clock()
    report = combined(sync_plans(engine, plans, WorkCalendar(), clock.now()))
    engine.dispose()
    return report


def dispatch_settings(config: Config) -> DispatchSettings:
    d, g = config.dispatch, config.digest
    hh, mm = (int(x) for x in g.time.split(":"))
    digests = DigestSchedule(weekday=g.weekday, at=time(hh, mm), zone=ZoneInfo(config.timezone),
                             chats=tuple(config.digest_chats)) if g.enabled else None
    return DispatchSettings(stale_after=timedelta(days=d.stale_after_days),
                            late_after=timedelta(minutes=d.late_after_minutes),
                            lease=timedelta(seconds=d.lease_seconds), batch_size=d.batch_size,
                            concurrency=d.concurrency, leadership_chats=tuple(config.leadership_chats),
                            digests=digests, email=email_routing(config),
                            shutdown_grace=timedelta(seconds=d.shutdown_grace_seconds))


def email_routing(config: Config) -> EmailRouting | None:
    e = config.email
    return EmailRouting(tuple(e.office), tuple(e.leadership), e.reminders) if e.enabled else None


def smtp_settings(config: Config) -> SmtpSettings | None:
    """The SMTP settings when `email.enabled`; its password is redacted from logs like the token."""
    e = config.email
    if not e.enabled:
        return None
    return SmtpSettings(e.host, e.port, e.starttls, e.user, e.password(), e.sender)


def run_bot(config: Config) -> None:
    """`nhacviec run`: start the bot on Telegram and/or Zalo (long polling, or webhooks when configured)."""
    token, zalo_token = config.token(), config.zalo_token()
    secrets = [token or "", zalo_token or "", config.email.password() or "", config.web.signing_key() or "",
               url_password(config.database.url)]
    setup_logging(config.log_level, secrets, config.logging.format, logwords.translate)
    if not token and not zalo_token:
        raise MissingToken(missing_token_text())
    if config.web.base_url and not config.web.signing_key():
        raise ConfigError(str(config.web.secret_env), [_("web.base_url is set but the page has no signing key: set "
                                                          "the environment variable {env} (or web.secret)").format(
                                                            env=config.web.secret_env)])
    try:
        _run(config, token, zalo_token)
    except (PlanError, AlreadyRunning, ConfigError, DatabaseGone):
        raise
    except DatabaseUnreachable as exc:  # one sentence naming database.url, no traceback: exit 2
        raise DatabaseGone(str(exc)) from None
    except (ArgumentError, ZoneInfoNotFoundError) as exc:  # a bad database.url or timezone: exit 2, not 1
        raise engine_config_error(exc, config) from None
    except Exception as exc:  # a token may sit in a URL inside the message
        log.exception("bot stopped: %s", exc)
        text = str(exc)
        for secret in secrets:
            text = text.replace(secret, "***") if secret else text
        raise BotStopped(_("The bot stopped on an error ({kind}): {error}").format(
            kind=type(exc).__name__, error=text)) from None


def shared_limiter(engine: Engine, url: str, per_second: int) -> RateLimiter:
    """PostgreSQL: every process on the database shares the bot's budget; SQLite: one process, a local one."""
    return RateLimiter(per_second=per_second,
                       budget=None if is_sqlite(url) else SharedBudget(engine, per_second))


def stop_on_signals(loop: asyncio.AbstractEventLoop, dispatcher: Dispatcher, stop: Callable[[], Any]) -> None:
    """SIGTERM/SIGINT: the dispatcher stops claiming at once (in-flight sends get their grace), then `stop`."""

    def on_signal(number: int) -> None:
        log.info("signal %s: stopping; in-flight sends get %s s", number,
                 dispatcher.settings.shutdown_grace.total_seconds())
        dispatcher.request_stop()
        stop()

    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, on_signal, number)


def schedule_pruning(app: Any, engine: Engine, clock: Clock, exports_dir: Path, keep: Retention,
                     every: float = 3600, archive_dir: Path | None = None) -> None:
    """A repeating job: old update ids and export folders; old rows archived (bot.engine.prune)."""

    async def tick(_context: object) -> None:
        try:
            await asyncio.to_thread(prune, engine, clock.now(), SystemClock().now(), exports_dir, keep, archive_dir)
        except Exception:  # housekeeping never stops the bot
            log.exception("pruning failed; will retry at the next tick")

    app.job_queue.run_repeating(tick, interval=every, first=60, name="prune")


def _run(config: Config, token: str | None, zalo_token: str | None) -> None:
    from bot.app import TelegramSetup, ZaloSetup, build_channels
    from bot.conversation.services import Services
    from bot.telegram.application import schedule_sweeps

    plans = load_plans(config.plan_paths())
    plan = plans[0]  # the office and the send time come from the first plan
    engine = make_engine(config.database.url)
    wait_for_database(engine, config.database.url, config.database.start_wait_seconds)
    migrate_logged(engine)  # refuses a database newer than the code (exit 2)
    lock = InstanceLock(engine, config.database.url)
    polling = config.telegram.webhook is None if token else config.zalo.webhook is None
    if polling:
        lock.acquire()
    clock = config.make_clock()
    report = sync_plans(engine, plans, WorkCalendar(), clock.now())
    log.info("%s", plan_synced(report))
    for admin in config.admins:
        ensure_member(engine, clock.now(), chat_id=admin, user_id=admin, role="admin", unit=plan.plan.office,
                      name=_("Administrator (from the configuration)"))
    evidence_dir = Path(config.storage.evidence_dir)
    links = link_maker(config, engine, clock)
    services = Services(engine, clock, WorkCalendar(), ZoneInfo(config.timezone), evidence_dir,
                        plan.plan.ladder.send_time, zalo=zalo_token is not None, links=links)
    limiter = shared_limiter(engine, config.database.url, config.dispatch.rate_per_second)
    channels = build_channels(
        services,
        TelegramSetup(token, config.telegram.base_url, config.telegram.base_file_url,
                      TelegramRateLimiter(limiter)) if token else None,
        ZaloSetup(zalo_token, config.zalo.base_url, RateLimiter(per_second=config.zalo.rate_per_second,
                                                                private_interval=1.0),
                  config.zalo.webhook, file_hosts=tuple(config.zalo.file_hosts)) if zalo_token else None,
        smtp_settings(config))
    app, zalo, router, mail = channels.telegram, channels.zalo, channels.outbound, channels.email
    watch = Watch(engine, clock, config.dispatch.interval_seconds)  # /readyz, /metrics (bot.ops.health)
    dispatcher = Dispatcher(engine, watch.watch_channel(router), clock, limiter, dispatch_settings(config),
                            digest_renderer=digest_renderer(engine, services.zone),
                            email_channel=watch.watch_channel(mail, "email") if mail else None,  # type: ignore[arg-type]
                            timer=SystemClock(),  # leases and back-off: real time, even in a rehearsal
                            links=links)
    dispatcher.sweep = watch.watch_sweep(dispatcher.sweep, SweepReport)  # type: ignore[method-assign,assignment]
    if polling:
        dispatcher.recover_all()
    vanished: list[DatabaseVanished] = []
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    primary: Any = app if app is not None else Alone(Jobs(services.zone))  # Zalo alone: APScheduler itself
    extras = Extras(zalo if app is not None else None, web_page(config, services),
                    (watch, config.web.listen, config.web.port))
    stopped = asyncio.Event()

    def stop_now() -> None:
        dispatcher.request_stop()
        if app is not None:
            app.stop_running()
        stopped.set()

    def database_gone(error: DatabaseVanished) -> None:  # from the loop or a worker thread (pruning)
        if not vanished:
            vanished.append(error)
            log.critical("%s", error)
            loop.call_soon_threadsafe(stop_now)

    on_vanished(engine, database_gone)
    schedule_sweeps(primary, dispatcher, config.dispatch.interval_seconds)
    d = config.dispatch
    schedule_pruning(primary, engine, clock, evidence_dir.resolve().parent / "exports",
                     Retention(timedelta(days=d.keep_updates_days), timedelta(days=d.keep_exports_days),
                               timedelta(days=d.keep_deliveries_days), timedelta(days=d.keep_reminders_days),
                               timedelta(days=d.keep_audit_days)),
                     archive_dir=evidence_dir.resolve().parent / "archive")
    stop_on_signals(loop, dispatcher, stop_now)
    try:
        if app is None:
            assert zalo is not None
            loop.run_until_complete(_run_alone(zalo, primary.job_queue, extras, stopped))
        elif loop.run_until_complete(start_without_telegram(  # Telegram down at start: weather (bot.telegram.weather)
                app, watch, stopped, extras.start, dispatcher.sweep, config.dispatch.interval_seconds)):
            watch_polling(app, watch)
            _run_telegram(config, app, extras)
        else:
            loop.run_until_complete(extras.stop())
    finally:
        if not vanished:
            dispatcher.release_all()  # whatever the last sweep still held goes back to the queue
        lock.close()
        engine.dispose()
    if vanished:
        raise DatabaseGone(str(vanished[0]))


@dataclass
class Extras:
    """What runs beside the main Application in its event loop: the Zalo channel and the personal page."""

    zalo: Any
    web: Any
    watch: Any = None  # (bot.ops.health.Watch, listen, port): /healthz, /readyz, /metrics on the web port
    _runner: Any = None
    _started: bool = False
    _zalo_later: Any = None

    async def start(self, _app: object = None) -> None:
        if self._started:  # already started while Telegram did not answer
            return
        self._started = True
        if self.zalo is not None:
            self._zalo_later = await start_zalo(self.zalo, self.watch[0])  # Zalo down: started when it answers
        if self.web is not None or self.watch is not None:
            from bot.ops.web import serve

            self._runner = await serve(self.web, self.watch)

    async def stop(self, _app: object = None) -> None:
        self._started = False
        if self._zalo_later is not None:
            self._zalo_later.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.zalo is not None:
            await self.zalo.stop()
            self.zalo = None


def _run_telegram(config: Config, app: Any, extras: Extras) -> None:
    first_init = app.post_init

    async def post_init(application: Any) -> None:
        if first_init is not None:
            await first_init(application)
        await extras.start()

    app.post_init = post_init
    app.post_stop = extras.stop
    hook = config.telegram.webhook
    if hook is None:
        app.run_polling(allowed_updates=["message", "callback_query"], stop_signals=None)
    else:
        secret = hook.secret_token.get_secret_value() if hook.secret_token else None
        app.run_webhook(listen=hook.listen, port=hook.port, webhook_url=hook.url, secret_token=secret,
                        allowed_updates=["message", "callback_query"], stop_signals=None)


class Jobs:
    """The repeating jobs (sweep, pruning) on APScheduler when no Telegram Application carries them: the one
    call the runner makes of PTB's JobQueue, `run_repeating`, on an AsyncIOScheduler of the bot's loop."""

    def __init__(self, zone: ZoneInfo) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self.scheduler = AsyncIOScheduler(timezone=zone)

    def run_repeating(self, callback: Callable[[Any], Any], interval: float, first: float = 0.0,
                      name: str | None = None, job_kwargs: dict[str, Any] | None = None) -> None:
        start = datetime.now(self.scheduler.timezone) + timedelta(seconds=first)
        self.scheduler.add_job(callback, "interval", args=(None,), seconds=interval, next_run_time=start,
                               id=name, **(job_kwargs or {}))


@dataclass
class Alone:
    """What the jobs hang on when Zalo runs without Telegram (the place of Telegram's Application)."""

    job_queue: Jobs


async def _run_alone(zalo: Any, jobs: Jobs, extras: Extras, stopped: asyncio.Event) -> None:
    """Zalo without Telegram: the channel and the jobs run until a signal (or a vanished database) stops them."""
    jobs.scheduler.start()
    later = await start_zalo(zalo, extras.watch[0])  # Zalo down at start: started when it answers
    await extras.start()
    try:
        await stopped.wait()
    finally:
        if later is not None:
            later.cancel()
        jobs.scheduler.shutdown(wait=False)
        await extras.stop()
        await zalo.stop()


def web_page(config: Config, services: Any) -> tuple[Any, str, int] | None:
    """The personal page (bot.web) and the office console (bot.console, under /console/) when web.base_url is set."""
    w = config.web
    key = w.signing_key()
    if not w.base_url or not key:
        return None
    from bot.console.app import Console, ConsoleServices, Mounted
    from bot.web.app import PersonalPage, WebServices

    page = PersonalPage(WebServices(services.engine, services.clock, services.zone, services.evidence_dir,
                                    key.encode(), w.base_url, link_days=w.link_days))
    console = Console(ConsoleServices(services.engine, services.clock, services.zone, services.evidence_dir,
                                      w.base_url, calendar=services.calendar, plan_paths=config.plan_paths()))
    return Mounted(page, console), w.listen, w.port


def link_maker(config: Config, engine: Engine, clock: Clock) -> Any:
    """Personal page addresses for Zalo cards and e-mails, when the page is on (web.base_url)."""
    key = config.web.signing_key()
    if not config.web.base_url or not key:
        return None
    from bot.web.personal import LinkMaker

    return LinkMaker(engine, key.encode(), config.web.base_url, clock, config.web.link_days)
