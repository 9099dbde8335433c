"""The plan without a shell: upload the Director's plan (.docx/.xlsx/.txt) and see the import draft with its
checklist (bot/importer); close everything due before a date (bot/services/closing.py), after a preview."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from aiohttp import web
from sqlalchemy.orm import Session

from bot.console import publish
from bot.db.audit import audit
from bot.i18n import _
from bot.importer.cli import run_import
from bot.importer.reading import ReadError
from bot.importer.roll import roll_plan
from bot.services import closing
from bot.services.access import Refused, require_admin
from bot.services.archive import safe_file_name

if TYPE_CHECKING:
    from bot.console.app import Console, Ctx

PLAN_TYPES = (".docx", ".xlsx", ".txt")
T = TypeVar("T")
MAX_PLAN_BYTES = 10 * 1024 * 1024


def _date(raw: str) -> date:
    try:
        return datetime.strptime(raw.strip(), "%d/%m/%Y").date()
    except ValueError:
        try:
            return date.fromisoformat(raw.strip())  # <input type="date"> sends yyyy-mm-dd
        except ValueError:
            raise Refused("console_bad_date", value=raw[:20]) from None


def preview_or_do(ctx: Ctx, confirm: bool, act: Callable[[Session], T]) -> T:
    """Run a change: kept when the office confirmed it, otherwise only shown (rolled back, nothing stored)."""
    with Session(ctx.services.engine, expire_on_commit=False) as session:
        result = act(session)
        if confirm:
            session.commit()
        else:
            session.rollback()
    return result


def read_uploaded(name: str, data: bytes, read: Callable[[Path], Any],
                  cannot: Callable[[str], str]) -> tuple[Any, str]:
    """Read an uploaded file from a temporary folder: (what `read` made, "") or (None, the sentence saying why
    not); a broken file is named, never a traceback."""
    with tempfile.TemporaryDirectory(prefix="nhacviec-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            return read(path), ""
        except ReadError as exc:
            return None, cannot(_(exc.message).format(**{**exc.params, "file": name}))
        except Exception as exc:
            return None, _("The file {name} cannot be read: {why}.").format(name=name, why=type(exc).__name__)


def add_routes(app: web.Application, console: Console) -> None:
    def show(ctx: Ctx, **extra: Any) -> web.Response:
        values = {"draft": None, "rolled": None, "preview": None, "closed": None, "error": "", "file": "", "before": "",
                  "checks": [], "reason": "", "editing": "", "problems": [], "checked": "", "applied": None, **extra}
        return ctx.render("plan.html", **values)

    def upload(ctx: Ctx) -> web.Response:
        field = ctx.form.get("file")
        if field is None or not hasattr(field, "file"):
            return show(ctx, error=_("Choose the plan's file first."), status=400)
        name = safe_file_name(field.filename, "ke-hoach")
        if Path(name).suffix.lower() not in PLAN_TYPES:
            raise Refused("console_file_type", types=".docx, .xlsx, .txt")
        data = field.file.read(MAX_PLAN_BYTES + 1)
        if len(data) > MAX_PLAN_BYTES:
            return show(ctx, error=_("The file is larger than 10 MB."), status=413)
        year = str(ctx.form.get("year", "")).strip()
        draft, error = read_uploaded(name, data, lambda path: run_import(
            path, None, int(year) if year.isdigit() and 1990 <= int(year) <= 2100 else None),
                                     lambda reason: _("Cannot import: {reason}").format(reason=reason))
        if error:
            return show(ctx, error=error, status=400)
        with ctx.services.tx() as session:
            require_admin(ctx.viewer.actor)
            audit(session, ctx.ev.now, f"member:{ctx.viewer.member_id}", "plan_draft_made", name,
                  {"tasks": draft.tasks, "deadlines": draft.deadlines})
        items = [line.strip()[2:] for line in draft.checks if line.strip().startswith("- ")]
        return show(ctx, draft=draft, file=name, checks=items, editing=draft.text)

    def close(ctx: Ctx) -> web.Response:
        """Without `confirm`: how many would close (nothing stored); with it: close them (audited)."""
        before, reason = _date(str(ctx.form.get("before", ""))), str(ctx.form.get("reason", ""))
        confirm = ctx.form.get("confirm") == "1"
        result = preview_or_do(ctx, confirm, lambda session: closing.close_before(session, ctx.viewer.actor, before,
                                                                                   reason, ctx.ev))
        if confirm:
            return show(ctx, closed=result, flash=_("Closed {count} deadlines due before {day}; {reminders} reminders "
                                                    "cancelled.").format(count=result.closed, day=before.strftime(
                                                        "%d/%m/%Y"), reminders=result.reminders_cancelled))
        return show(ctx, preview=result, before=before.strftime("%d/%m/%Y"), reason=result.reason)

    def roll(ctx: Ctx) -> web.StreamResponse:
        """A plan (.yaml) copied to a new year: its dates moved, each deadline to confirm, and the terms and units
        that no longer exist since 01/07/2025; shown, or downloaded to hand to whoever runs the server."""
        field = ctx.form.get("file")
        if field is None or not hasattr(field, "file"):
            return show(ctx, error=_("Choose the plan's file first."), status=400)
        name = safe_file_name(field.filename, "ke-hoach.yaml")
        if Path(name).suffix.lower() not in (".yaml", ".yml"):
            raise Refused("console_file_type", types=".yaml")
        data = field.file.read(MAX_PLAN_BYTES + 1)
        if len(data) > MAX_PLAN_BYTES:
            return show(ctx, error=_("The file is larger than 10 MB."), status=413)
        year = str(ctx.form.get("year", "")).strip()
        if not (year.isdigit() and 1990 <= int(year) <= 2100):
            return show(ctx, error=_("\"{value}\" is not a year: write it with four digits, such as 2026.").format(
                value=year[:10]), status=400)
        rolled, error = read_uploaded(name, data, lambda path: roll_plan(path, int(year)),
                                      lambda reason: _("Cannot roll the plan: {reason}").format(reason=reason))
        if error:
            return show(ctx, error=error, status=400)
        text, count, stale = rolled
        with ctx.services.tx() as session:
            require_admin(ctx.viewer.actor)
            audit(session, ctx.ev.now, f"member:{ctx.viewer.member_id}", "plan_rolled", name,
                  {"year": int(year), "deadlines": count, "stale": len(stale)})
        out = f"{Path(name).stem}-{year}.yaml"
        if ctx.form.get("how") == "download":
            return web.Response(body=text.encode("utf-8"), content_type="application/x-yaml", charset="utf-8",
                                headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(out)}",
                                         "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
        return show(ctx, rolled={"file": name, "year": int(year), "count": count, "stale": stale, "text": text})

    app.router.add_get("/plan", console.route("edit", show))
    app.router.add_post("/plan/roll", console.route("edit", roll))
    app.router.add_post("/plan/import", console.route("edit", upload))
    app.router.add_post("/plan/close", console.route("edit", close))
    publish.add_routes(app, console, show)
