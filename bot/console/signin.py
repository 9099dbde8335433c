"""Sign-in from a one-time link, sign-out, and the office's list of open sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.console import sessions
from bot.console.sessions import SignInError
from bot.i18n import _

if TYPE_CHECKING:
    from bot.console.app import Console, Ctx


def add_routes(app: web.Application, console: Console) -> None:
    from bot.console.app import COOKIE, PREFIX, Denied, message, render

    async def show(request: web.Request) -> web.Response:
        """GET only shows a button: link previews (Telegram fetches links) must not use the link up."""
        if request.host != console.host:
            return message(request, None, _("Page not found."), 404)
        return render(request, "signin.html", None, token=request.match_info["token"])

    async def sign_in(request: web.Request) -> web.Response:
        try:
            console.check_origin(request)
        except Denied as denied:
            return message(request, None, denied.text, denied.status_code)
        try:
            with console.s.tx() as session:
                cookie, row = sessions.redeem(session, request.match_info["token"], console.s.clock.now())
        except SignInError as exc:
            texts = {"used": _("This sign-in link was already used. Ask the bot for a new one (/bangdieukhien)."),
                     "expired": _("This sign-in link has expired. Ask the bot for a new one (/bangdieukhien)."),
                     "ended": _("This member was removed by the department office."),
                     "bad": _("This sign-in link is not valid.")}
            return message(request, None, texts[exc.reason], 410 if exc.reason in ("used", "expired") else 403)
        response = web.Response(status=303, headers={"Location": PREFIX + "/"})
        response.set_cookie(COOKIE, cookie, path=PREFIX + "/", httponly=True, samesite="Lax", secure=console.secure,
                            max_age=int(sessions.SESSION_TTL.total_seconds()))
        return response

    def sign_out(ctx: Ctx) -> web.Response:
        with ctx.services.tx() as session:
            sessions.end(session, ctx.viewer.session_id, f"member:{ctx.viewer.member_id}", ctx.ev.now)
        response = message(ctx.request, None, _("You have signed out."), 200)
        response.del_cookie(COOKIE, path=PREFIX + "/")
        return response

    def listing(ctx: Ctx, flash: str = "") -> web.Response:
        with ctx.services.tx() as session:
            rows = sessions.live_sessions(session, ctx.viewer.actor, ctx.ev.now)
        return ctx.render("sessions.html", rows=rows, flash=flash)

    def end_one(ctx: Ctx) -> web.Response:
        with ctx.services.tx() as session:
            sessions.revoke(session, ctx.viewer.actor, int(ctx.request.match_info["id"]), ctx.ev.now)
        return listing(ctx, _("The session was ended: that person must sign in again."))

    app.router.add_get("/login/{token:[A-Za-z0-9_-]{1,100}}", show)
    app.router.add_post("/login/{token:[A-Za-z0-9_-]{1,100}}", sign_in)
    app.router.add_post("/logout", console.route("signed", sign_out))
    app.router.add_get("/sessions", console.route("edit", listing))
    app.router.add_post("/sessions/{id:\\d{1,12}}/end", console.route("edit", end_one))
