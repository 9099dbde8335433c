"""Build the python-telegram-bot Application: handlers, the sweeping job, error handler."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import (Application, ApplicationBuilder, CommandHandler, ContextTypes, Defaults,
                          MessageHandler, filters)

from bot.engine.dispatcher import Dispatcher

log = logging.getLogger(__name__)

HELP = ("Xin chào! Đây là bot nhắc việc kế hoạch nâng cao Chỉ số cải cách hành chính của Sở GDĐT.\n"
        "Bot gửi lời nhắc hạn chót cho trưởng các phòng, đơn vị và tổng hợp cho Văn phòng Sở.\n"
        "Để nhận nhắc việc, anh/chị cần đường mời từ Văn phòng Sở.")


async def _help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message:
        await update.effective_message.reply_text(HELP)


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("lỗi khi xử lý cập nhật", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message:
        await update.effective_message.reply_text("Xin lỗi, bot gặp lỗi khi xử lý yêu cầu. Văn phòng Sở đã được ghi nhận.")


def build_application(token: str, timezone: str, base_url: str | None = None,
                      base_file_url: str | None = None) -> Application:  # type: ignore[type-arg]
    """The Application with a time-zone default and the minimal chat handlers."""
    builder = ApplicationBuilder().token(token).defaults(Defaults(tzinfo=ZoneInfo(timezone)))
    if base_url:
        builder = builder.base_url(base_url)
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    app = builder.build()
    app.add_handler(CommandHandler(["start", "help", "huongdan"], _help))
    app.add_handler(MessageHandler(filters.ALL, _help))
    app.add_error_handler(_on_error)
    return app


def schedule_sweeps(app: Application, dispatcher: Dispatcher, interval: float) -> None:  # type: ignore[type-arg]
    """One repeating job; a late tick runs late instead of being dropped (APScheduler's default is 1 s grace)."""

    async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            report = await dispatcher.sweep()
            if report.claimed:
                log.info("sweep: %s deliveries claimed, %s messages sent", report.claimed, report.messages)
        except Exception:  # the database may be away: log and try at the next tick, never die
            log.exception("sweep failed; will retry at the next tick")

    assert app.job_queue is not None
    app.job_queue.run_repeating(tick, interval=interval, first=0.5, name="sweep",
                                job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1})
