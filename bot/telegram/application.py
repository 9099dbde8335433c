"""Build the python-telegram-bot Application: handlers, the sweeping job, error handler."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.engine.dispatcher import Dispatcher, SweepReport
from bot.i18n.refusals import t
from bot.logsafe import redact_secrets
from bot.telegram import entry, handlers
from bot.telegram.context import BotContext, Services
from bot.telegram.lanes import ChatLanes

log = logging.getLogger(__name__)


async def _on_error(update: object, context: BotContext) -> None:
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update):
        if update.callback_query is not None:
            await update.callback_query.answer(t("error")[:200], show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(t("error"))


async def _post_init(app: Application) -> None:  # type: ignore[type-arg]
    await app.bot.set_my_commands(handlers.bot_commands())
    await handlers.set_role_commands(app.bot, app.bot_data["services"].engine)
    app.bot_data["services"].telegram_username = app.bot.username  # invites give t.me links to this bot


def build_application(token: str, services: Services, base_url: str | None = None,
                      base_file_url: str | None = None,
                      rate_limiter: BaseRateLimiter | None = None) -> Application:  # type: ignore[type-arg]
    """The Application with the chat handlers and the services in a typed context."""
    # PTB logs its base URL (token inside) at DEBUG, httpx every request URL at INFO: redact at record level.
    redact_secrets([token, token.partition(":")[2] if len(token.partition(":")[2]) >= 8 else ""])
    builder = (ApplicationBuilder().token(token).defaults(Defaults(tzinfo=services.zone))
               .context_types(ContextTypes(context=BotContext)).post_init(_post_init)
               .concurrent_updates(ChatLanes(workers=8)))
    if base_url:
        builder = builder.base_url(base_url)
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    if rate_limiter is not None:  # replies share the dispatcher's limiter, with a bounded RetryAfter retry
        builder = builder.rate_limiter(rate_limiter)
    app = builder.build()
    app.bot_data["services"] = services
    app.add_handler(TypeHandler(Update, entry.dedupe), group=-1)
    # Every command, button, text and file: the conversation core's one routing table (bot.conversation.router).
    app.add_handler(CallbackQueryHandler(entry.on_update))  # type: ignore[arg-type]
    app.add_handler(MessageHandler(filters.ALL, entry.on_update))  # type: ignore[arg-type]
    app.add_error_handler(_on_error)  # type: ignore[arg-type]
    return app


async def sweep_tick(dispatcher: Dispatcher) -> SweepReport | None:
    """The body of one scheduled tick: sweep, and on any error log it and return None (never raise)."""
    try:
        report = await dispatcher.sweep()
        if report.claimed:
            log.info("sweep: %s deliveries claimed, %s messages sent", report.claimed, report.messages)
        return report
    except Exception:  # the database may be away: log and try at the next tick, never die
        log.exception("sweep failed; will retry at the next tick")
        return None


def schedule_sweeps(app: Application, dispatcher: Dispatcher, interval: float) -> None:  # type: ignore[type-arg]
    """One repeating job; a late tick runs late instead of being dropped (APScheduler's default is 1 s grace)."""

    async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
        await sweep_tick(dispatcher)

    assert app.job_queue is not None
    app.job_queue.run_repeating(tick, interval=interval, first=0.5, name="sweep",
                                job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1})
