"""Wiring for `sync` and `run`: config → plan → database → dispatcher → Telegram."""

from __future__ import annotations

import logging
from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import ArgumentError

from bot.config import Config, ConfigError, engine_config_error
from bot.db.engine import make_engine, migrate
from bot.db.lock import AlreadyRunning, InstanceLock
from bot.db.members import ensure_member
from bot.domain.workdays import WorkCalendar
from bot.engine.digests import DigestSchedule, digest_renderer
from bot.engine.dispatcher import Dispatcher, DispatchSettings
from bot.engine.email import EmailChannel, SmtpSettings
from bot.engine.outbox import EmailRouting
from bot.engine.ratelimit import RateLimiter
from bot.engine.sync import SyncReport, combined, sync_plans
from bot.logsafe import setup_logging
from bot.plans.loader import PlanError, load_plans

log = logging.getLogger(__name__)


class MissingToken(Exception):
    """No bot token configured."""


class BotStopped(Exception):
    """The bot could not start or stopped on an error; the message never contains the token."""


def sync_only(config: Config) -> SyncReport:
    """`nhacviec sync`: migrate, then sync the plan into the database."""
    plans = load_plans(config.plan_paths())
    engine = make_engine(config.database.url)
    migrate(engine)
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
                            digests=digests, email=email_routing(config))


def email_routing(config: Config) -> EmailRouting | None:
    e = config.email
    return EmailRouting(tuple(e.office), tuple(e.leadership), e.reminders) if e.enabled else None


def email_channel(config: Config) -> EmailChannel | None:
    """The SMTP channel when `email.enabled`; its password is redacted from logs like the token."""
    e = config.email
    if not e.enabled:
        return None
    return EmailChannel(SmtpSettings(e.host, e.port, e.starttls, e.user, e.password(), e.sender))


def run_bot(config: Config) -> None:
    """`nhacviec run`: start the bot (long polling, or webhook when configured)."""
    token = config.token()
    setup_logging(config.log_level, [token or "", config.email.password() or ""])
    if not token:
        raise MissingToken("Chưa có token của bot: đặt biến môi trường TELEGRAM_BOT_TOKEN "
                           "hoặc telegram.token trong tệp cấu hình.")
    try:
        _run(config, token)
    except (PlanError, AlreadyRunning, ConfigError):
        raise
    except (ArgumentError, ZoneInfoNotFoundError) as exc:  # a bad database.url or timezone: exit 2, not 1
        raise engine_config_error(exc, config) from None
    except Exception as exc:  # the token may sit in a URL inside the message
        log.error("bot stopped: %s", exc, exc_info=True)
        raise BotStopped(f"Bot dừng vì lỗi ({type(exc).__name__}): {str(exc).replace(token, '***')}") from None


def _run(config: Config, token: str) -> None:
    from bot.telegram.application import build_application, schedule_sweeps
    from bot.telegram.channel import TelegramChannel
    from bot.telegram.context import Services

    plans = load_plans(config.plan_paths())
    plan = plans[0]  # the office and the send time come from the first plan
    engine = make_engine(config.database.url)
    migrate(engine)
    lock = InstanceLock(engine, config.database.url)
    if config.telegram.webhook is None:
        lock.acquire()
    clock = config.make_clock()
    report = sync_plans(engine, plans, WorkCalendar(), clock.now())
    log.info("plan synced: %s", report)
    for admin in config.admins:
        ensure_member(engine, clock.now(), chat_id=admin, user_id=admin, role="admin", unit=plan.plan.office,
                      name="Quản trị (cấu hình)")
    services = Services(engine, clock, WorkCalendar(), ZoneInfo(config.timezone), Path(config.storage.evidence_dir),
                        plan.plan.ladder.send_time)
    app = build_application(token, services, config.telegram.base_url, config.telegram.base_file_url)
    limiter = RateLimiter(per_second=config.dispatch.rate_per_second)
    dispatcher = Dispatcher(engine, TelegramChannel(app.bot), clock, limiter,
                            dispatch_settings(config),
                            digest_renderer=digest_renderer(engine, services.zone), email_channel=email_channel(config))
    if config.telegram.webhook is None:
        dispatcher.recover_all()
    schedule_sweeps(app, dispatcher, config.dispatch.interval_seconds)
    try:
        hook = config.telegram.webhook
        if hook is None:
            app.run_polling(allowed_updates=["message", "callback_query"])
        else:
            secret = hook.secret_token.get_secret_value() if hook.secret_token else None
            app.run_webhook(listen=hook.listen, port=hook.port, webhook_url=hook.url, secret_token=secret,
                            allowed_updates=["message", "callback_query"])
    finally:
        lock.close()
        engine.dispose()
