"""The web port: the personal page (when web.base_url is set) and, always, /healthz, /readyz and /metrics."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from bot.i18n import _

log = logging.getLogger("nhacviec.ops")


async def serve(page: tuple[Any, str, int] | None, watch: tuple[Any, str, int] | None) -> web.AppRunner | None:
    """Start the site; the page's own address and port win. Health alone on a busy port: a warning, no stop."""
    app = page[0].app() if page is not None else web.Application()
    if watch is not None:
        watch[0].add_routes(app)
    listen, port = (page[1], page[2]) if page is not None else (watch[1], watch[2]) if watch else ("", 0)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, listen, port).start()
    except OSError as exc:
        await runner.cleanup()
        if page is not None:
            raise
        log.warning(_("Health and metrics not served: cannot listen on {listen}:{port} ({detail}); set web.port.")
                    .format(listen=listen, port=port, detail=exc.strerror or exc))
        return None
    what = _("personal page, health and metrics") if page is not None else _("health and metrics")
    log.info(_("Web port {listen}:{port}: {what} (/healthz, /readyz, /metrics).").format(
        listen=listen, port=port, what=what))
    return runner
