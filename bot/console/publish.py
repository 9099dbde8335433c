"""The plan applied without a shell: the draft's YAML edited in the console, checked with the loader of
`nhacviec check`, written into the folder the configuration reads its plans from (the previous file kept as a
dated backup) and synced into the database, as `nhacviec sync` would."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from bot.db.audit import audit
from bot.domain.plan import Plan
from bot.engine.sync import SyncReport, sync_plans
from bot.i18n import _, current_lang
from bot.plans.loader import PlanError, load_plan, load_plans, parse_plan, plan_files
from bot.services.access import require_admin
from bot.services.archive import safe_file_name

if TYPE_CHECKING:
    from bot.console.app import Console, Ctx

MAX_TEXT = 2 * 1024 * 1024


class NotApplied(Exception):
    """The plan cannot be written where the configuration reads it: the sentence says why."""


@dataclass(frozen=True)
class Applied:
    plan: str
    file: str
    backup: str  # "" when the file is new
    report: SyncReport


def _text(ctx: Ctx) -> str:
    return str(ctx.form.get("text", "")).replace("\r\n", "\n").replace("\r", "\n")


def checked(text: str, file: str) -> tuple[Plan | None, list[str]]:
    """The plan, or every problem in the viewer's language (the loader of `nhacviec check`)."""
    try:
        return parse_plan(text, file), []
    except PlanError as exc:
        return None, exc.lines(current_lang())


def target_for(paths: list[str], plan: Plan, replace: bool) -> Path:
    """Where the plan goes: the file of the plan in force with its id (only when told to replace it), otherwise
    `<id>.yaml` in the folder the configuration reads; NotApplied when that cannot be."""
    ident = plan.plan.id
    if not paths:
        raise NotApplied(_("The console does not know where the server reads its plans; ask whoever runs the "
                           "server to apply it (nhacviec check, then nhacviec sync)."))
    files = plan_files(paths)
    for file in files:
        try:
            other = load_plan(file).plan.id
        except PlanError:
            continue
        if other == ident:
            if not replace:
                raise NotApplied(_("A plan with the id {id} is already in force (file {file}). Change plan.id, "
                                   "or tick \"Replace the plan in force with the same id\".").format(
                                       id=ident, file=file.name))
            return file
    first = Path(paths[0])
    folder = next((Path(p) for p in paths if Path(p).is_dir()), first if first.is_dir() else first.parent)
    target = folder / safe_file_name(f"{ident}.yaml", "ke-hoach.yaml")
    if target.exists():
        raise NotApplied(_("The file {file} already holds another plan; change plan.id.").format(file=target.name))
    if not any(Path(p).is_dir() and Path(p).resolve() == folder.resolve() for p in paths):
        raise NotApplied(_("The server reads only the plan files its configuration names ({files}), so a new "
                           "plan would not be read; ask whoever runs the server to set plans: to the folder "
                           "{folder}.").format(files=", ".join(Path(p).name for p in paths), folder=folder))
    return target


def write_plan(target: Path, text: str, stamp: str) -> str:
    """Write the plan (whole or not at all); the previous file kept next to it as `<name>.<stamp>.bak`."""
    folder = target.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise NotApplied(_("The plans folder {folder} cannot be written by the server; nothing was changed. Ask "
                           "whoever runs the server to let it write there.").format(folder=folder))
    backup = ""
    temporary = folder / f".{target.name}.tmp"
    try:
        if target.exists():
            backup = f"{target.name}.{stamp}.bak"
            shutil.copy2(target, folder / backup)
        temporary.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise NotApplied(_("The plan could not be written into {folder} ({why}); nothing was changed.").format(
            folder=folder, why=exc.strerror or type(exc).__name__)) from None
    return backup


def undo_write(target: Path, backup: str) -> None:
    if backup:
        shutil.copy2(target.parent / backup, target)
    else:
        target.unlink(missing_ok=True)


def add_routes(app: web.Application, console: Console, show: Callable[..., web.Response]) -> None:
    def check(ctx: Ctx) -> web.Response:
        text, file = _text(ctx), safe_file_name(str(ctx.form.get("file", "")), "ke-hoach.yaml")
        if len(text) > MAX_TEXT:
            return show(ctx, error=_("The file is larger than 10 MB."), editing=text[:MAX_TEXT], file=file, status=413)
        plan, problems = checked(text, file)
        if plan is None:
            return show(ctx, editing=text, file=file, problems=problems, status=400)
        return show(ctx, editing=text, file=file, checked=_(
            "The plan {id} checks clean: {tasks} tasks, {units} units.").format(
                id=plan.plan.id, tasks=len(plan.tasks), units=len(plan.units)))

    def apply(ctx: Ctx) -> web.Response:
        text, file = _text(ctx), safe_file_name(str(ctx.form.get("file", "")), "ke-hoach.yaml")
        with ctx.services.tx():
            require_admin(ctx.viewer.actor)
        if len(text) > MAX_TEXT:
            return show(ctx, error=_("The file is larger than 10 MB."), editing=text[:MAX_TEXT], file=file, status=413)
        plan, problems = checked(text, file)
        if plan is None:
            return show(ctx, editing=text, file=file, problems=problems, status=400,
                        error=_("The plan was not applied: fix the problems listed below, then check again."))
        paths, now, who = ctx.services.plan_paths, ctx.ev.now, f"member:{ctx.viewer.member_id}"
        try:
            target = target_for(paths, plan, ctx.form.get("replace") == "1")
            backup = write_plan(target, text, now.astimezone(ctx.services.zone).strftime("%Y%m%d-%H%M%S"))
        except NotApplied as exc:
            return show(ctx, editing=text, file=file, error=str(exc), status=409)
        try:
            plans = load_plans(paths)  # every plan the server reads, as `nhacviec sync` loads them
            reports = sync_plans(ctx.services.engine, plans, ctx.services.calendar, now, who)
        except PlanError as exc:
            undo_write(target, backup)
            return show(ctx, editing=text, file=file, problems=exc.lines(current_lang()), status=400,
                        error=_("The plans in force do not load together with this one; nothing was changed."))
        except Exception:
            undo_write(target, backup)
            raise
        report = next(r for p, r in zip(plans, reports, strict=True) if p.plan.id == plan.plan.id)
        with ctx.services.tx() as session:
            audit(session, now, who, "plan_applied", target.name,
                  {"plan": plan.plan.id, "backup": backup, "added": report.occurrences_added,
                   "updated": report.occurrences_updated, "retired": report.occurrences_retired,
                   "reminders_added": report.reminders_added})
        done = Applied(plan.plan.id, target.name, backup, report)
        return show(ctx, editing=text, file=file, applied=done)

    app.router.add_post("/plan/check", console.route("edit", check))
    app.router.add_post("/plan/apply", console.route("edit", apply))


__all__ = ["Applied", "NotApplied", "add_routes", "checked", "target_for", "write_plan"]
