"""`nhacviec run` without a token: start the sandbox, say where it is, stop cleanly on Ctrl+C or SIGTERM."""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import sys
from contextlib import suppress

from bot.config import Config
from bot.logsafe import setup_logging
from bot.sandbox.options import sandbox_clock_settings
from bot.sandbox.server import TOKEN, Sandbox

EXIT_OK, EXIT_FAILURE = 0, 1


def banner(sandbox: Sandbox) -> str:
    """What the person at the terminal reads: where the page is and what to do there."""
    start, speed = sandbox_clock_settings(sandbox.config)
    local = start.astimezone(sandbox.zone)
    pace = "theo thời gian thật" if speed == 1 else f"nhanh gấp {speed:g} lần (1 phút thật = {speed:g} phút diễn tập)"
    return "\n".join([
        "Chế độ thử (sandbox): chưa có token Telegram, nên bot chạy với một máy chủ Bot API giả ngay trên máy này.",
        f"  Mở {sandbox.url} trong trình duyệt.",
        f"  Đồng hồ diễn tập: bắt đầu {local:%H:%M %d/%m/%Y}, {pace}.",
        f"  Kế hoạch: {sandbox.config.plan}; cơ sở dữ liệu thử: {sandbox.config.sandbox.database} "
        "(làm mới mỗi lần chạy, tách khỏi dữ liệu thật).",
        "  Trên trang: chọn \"Bạn là\" (Văn phòng Sở, Lãnh đạo Sở, trưởng các đơn vị, Người mới), gõ /help,",
        "  bấm các nút dưới tin nhắn, gửi tệp minh chứng; ⏩ tới lời nhắc kế tiếp; ↺ làm lại từ đầu.",
        "  Dừng: Ctrl+C. Chạy bot thật: đặt TELEGRAM_BOT_TOKEN (xem README).",
    ])


async def serve(config: Config) -> int:
    """Run until SIGINT/SIGTERM; the exit code."""
    sandbox = Sandbox(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):  # Windows: Ctrl+C still raises KeyboardInterrupt
            loop.add_signal_handler(sig, stop.set)
    try:
        await sandbox.start()
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        print(f"Cổng {config.sandbox.port} trên {config.sandbox.host} đang bận: chọn cổng khác, "
              "ví dụ nhacviec run --port 8090", file=sys.stderr)
        return EXIT_FAILURE
    print(banner(sandbox), flush=True)
    try:
        await stop.wait()
    finally:
        print("Đang dừng chế độ thử…", flush=True)
        await sandbox.stop()
    return EXIT_OK


def run_sandbox(config: Config) -> int:
    """Entry point from `nhacviec run` when no token is configured."""
    setup_logging(config.log_level, [TOKEN])
    # Every start and reset migrates an empty database, and the first sweep of a rehearsal may outlast
    # the 1 s tick: neither is news for someone trying the bot.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    return asyncio.run(serve(config))
