"""`nhacviec run` without a token: start the sandbox, say where it is, stop cleanly on Ctrl+C or SIGTERM."""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import sys
from contextlib import suppress

from bot.config import Config
from bot.i18n import _
from bot.logsafe import setup_logging
from bot.sandbox.options import sandbox_clock_settings
from bot.sandbox.server import TOKEN, Sandbox

EXIT_OK, EXIT_FAILURE = 0, 1


def banner(sandbox: Sandbox) -> str:
    """What the person at the terminal reads: where the page is and what to do there."""
    start, speed = sandbox_clock_settings(sandbox.config)
    local = start.astimezone(sandbox.zone)
    pace = _("in real time") if speed == 1 else \
        _("{speed} times faster (1 real minute = {speed} rehearsal minutes)").format(speed=f"{speed:g}")
    return "\n".join([
        _("Sandbox mode: there is no Telegram or Zalo token, so the bot runs with fake Telegram and Zalo servers "
          "on this machine."),
        "  " + _("Open {url} in a browser.").format(url=sandbox.url),
        "  " + _("Rehearsal clock: starts at {start}, {pace}.").format(start=f"{local:%H:%M %d/%m/%Y}", pace=pace),
        "  " + _("Plan: {plan}; sandbox database: {database} (new at every start, apart from the real data).")
        .format(plan=sandbox.config.plan, database=sandbox.config.sandbox.database),
        *(["  " + note] if (note := sandbox.closing_note()) else []),
        "  " + _("On the page: pick \"You are\" (the office, the leadership, a head of unit, the newcomer), "
                 "type /help,"),
        "  " + _("press the buttons under the messages, send evidence documents; ⏩ next reminder; "
                 "↺ start again."),
        "  " + _("Stop: Ctrl+C. Run the real bot: set TELEGRAM_BOT_TOKEN and/or ZALO_BOT_TOKEN (see README)."),
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
        print(_("Port {port} on {host} is busy: choose another one, e.g. nhacviec run --port 8090").format(
            port=config.sandbox.port, host=config.sandbox.host), file=sys.stderr)
        return EXIT_FAILURE
    print(banner(sandbox), flush=True)
    try:
        await stop.wait()
    finally:
        print(_("Stopping the sandbox…"), flush=True)
        await sandbox.stop()
    return EXIT_OK


def run_sandbox(config: Config) -> int:
    """Entry point from `nhacviec run` when no token is configured."""
    from bot.ops.logwords import translate

    setup_logging(config.log_level, [TOKEN], config.logging.format, translate)  # the operator's language
    # Every start and reset migrates an empty database, and the first sweep of a rehearsal may outlast
    # the 1 s tick: neither is news for someone trying the bot.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    return asyncio.run(serve(config))
