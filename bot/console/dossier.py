"""Criteria and the dossier (bot/dossier): the tree per set, one (sub)criterion's page (units owing it,
documents with their details and section/page, self-score and explanation, what is missing from whom, links to
tasks and units), and the overview. Leadership reads; the office edits."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web
from sqlalchemy import select

from bot.console.review import serve_file
from bot.db.audit import audit
from bot.db.models import TaskRow, UnitRow
from bot.dossier import documents, editing, facts, files, outline, tree
from bot.dossier import overview as dossier_overview
from bot.services import criteria, par
from bot.services.access import Refused
from bot.services.archive import archive, safe_file_name

if TYPE_CHECKING:
    from bot.console.app import Console, Ctx

MAX_CRITERIA_BYTES = 2 * 1024 * 1024
OFFICE_TYPES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".ods", ".jpg", ".jpeg", ".png"}
TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "zip": "application/zip",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _set_id(ctx: Ctx) -> int | None:
    raw = ctx.request.query.get("set", "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def add_routes(app: web.Application, console: Console) -> None:
    def overview(ctx: Ctx) -> web.Response:
        today = ctx.ev.now.astimezone(ctx.services.zone).date()
        with ctx.services.tx() as session:
            sets = tree.criteria_sets(session)
            if not sets:
                return ctx.render("dossier_empty.html", nav="dossier", problems=[], warnings=[])
            facts.require_reader(ctx.viewer.actor)
            chosen = _set_id(ctx)
            view = ctx.services.shared(("overview", chosen, today),
                                       lambda: dossier_overview.overview(session, ctx.viewer.actor, today, chosen))
        return ctx.render("dossier.html", view=view, sets=sets, nav="dossier")

    def criteria_tree(ctx: Ctx, flash: str = "", problems: list[str] | None = None, warnings: list[str] | None = None,
                      status: int = 200) -> web.Response:
        with ctx.services.tx() as session:
            facts.require_reader(ctx.viewer.actor)
            sets = tree.criteria_sets(session)
            if not sets:
                return ctx.render("dossier_empty.html", nav="criteria", problems=problems or [], warnings=[],
                                  status=status)
            chosen, nodes = tree.tree(session, _set_id(ctx))
            scores = facts.latest_scores(session, [n.id for n in nodes])
        return ctx.render("criteria.html", chosen=chosen, nodes=nodes, sets=sets, scores=scores, nav="criteria",
                          flash=flash, problems=problems or [], warnings=warnings or [], status=status)

    def one(ctx: Ctx, flash: str = "", status: int = 200) -> web.Response:
        today = ctx.ev.now.astimezone(ctx.services.zone).date()
        with ctx.services.tx() as session:
            found = facts.criterion_dossier(session, ctx.viewer.actor, int(ctx.request.match_info["id"]), today)
            units = {u.id: u.name for u in session.scalars(select(UnitRow))}
            tasks = [(t.id, t.title) for t in session.scalars(select(TaskRow).where(TaskRow.retired_at.is_(None)))]
        tasks.sort(key=lambda t: tuple(int(p) if p.isdigit() else 10**6 for p in t[0].split(".")))
        return ctx.render("criterion.html", c=found, units=units, all_tasks=tasks, nav="criteria", flash=flash,
                          status=status, editable=ctx.viewer.edits)

    def change(ctx: Ctx, act: Any, flash: str) -> web.Response:
        criterion_id = int(ctx.request.match_info["id"])
        with ctx.services.tx() as session:
            act(session, criterion_id)
        return one(ctx, flash)

    def score(ctx: Ctx) -> web.Response:
        def act(session: Any, criterion_id: int) -> None:
            editing.record_score(session, ctx.viewer.actor, criterion_id, str(ctx.form.get("score", ""))[:20],
                                 str(ctx.form.get("explanation", ""))[:4000], ctx.ev)
        return change(ctx, act, _words("score"))

    def edit(ctx: Ctx) -> web.Response:
        """The row's name, maximum, scoring method, evidence asked for and survey flag (each audited)."""
        form = {key: str(ctx.form.get(key, ""))[:2000] for key in ("name", "max_points", "method", "evidence")}

        def act(session: Any, criterion_id: int) -> None:
            actor, ev = ctx.viewer.actor, ctx.ev
            editing.rename_criterion(session, actor, criterion_id, form["name"], ev)
            editing.set_max_points(session, actor, criterion_id, form["max_points"], ev)
            editing.set_details(session, actor, criterion_id, form["method"], form["evidence"],
                                ctx.form.get("survey") == "1", ev)
        return change(ctx, act, _words("edited"))

    def load(ctx: Ctx) -> web.Response:
        """A criteria file (format 2 or the old list) uploaded by the office; every problem listed, nothing
        loaded when there is one."""
        upload = ctx.form.get("file")
        if upload is None or not hasattr(upload, "file") or not str(upload.filename or "").lower().endswith(
                (".yaml", ".yml")):
            raise Refused("console_file_type", types=".yaml")
        raw = upload.file.read(MAX_CRITERIA_BYTES + 1)
        try:
            text = raw[:MAX_CRITERIA_BYTES].decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Refused("console_bad_file", name=upload.filename, why="UTF-8") from None
        try:
            with ctx.services.tx() as session:
                result = editing.import_criteria(session, ctx.viewer.actor, text, safe_file_name(upload.filename,
                                                                                                  "tieu-chi.yaml"),
                                                 ctx.ev)
        except criteria.CriteriaError as exc:
            return criteria_tree(ctx, problems=exc.problems, status=400)
        return criteria_tree(ctx, flash=_words("loaded").format(count=result.loaded, year=result.year),
                             warnings=list(result.warnings))

    def link(ctx: Ctx) -> web.Response:
        kind, value = str(ctx.form.get("kind", "")), str(ctx.form.get("value", "")).strip()[:24]
        linking = ctx.request.match_info["how"] == "link"

        def act(session: Any, criterion_id: int) -> None:
            if kind == "task":
                (editing.link_task if linking else editing.unlink_task)(session, ctx.viewer.actor, criterion_id, value,
                                                                  ctx.ev)
            elif kind == "unit":
                (editing.link_unit if linking else editing.unlink_unit)(session, ctx.viewer.actor, criterion_id, value,
                                                                  ctx.ev)
            else:
                raise Refused("bad_request")
        return change(ctx, act, _words("linked" if linking else "unlinked"))

    async def export(ctx: Ctx) -> web.StreamResponse:
        """The dossier as the office hands it in: .xlsx, ZIP (one folder per criterion) or the .docx draft."""
        kind, today = ctx.request.match_info["kind"], ctx.ev.now.astimezone(ctx.services.zone).date()
        with ctx.services.tx() as session:
            found = outline.outline(session, ctx.viewer.actor, _set_id(ctx))
            audit(session, ctx.ev.now, f"member:{ctx.viewer.member_id}", "dossier_exported", kind,
                  {"set_id": found.set.id})
        name = {"xlsx": files.WORKBOOK, "zip": files.BUNDLE, "docx": files.REPORT}[kind]
        name = f"{Path(name).stem}-{found.set.year}{Path(name).suffix}"
        headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
                   "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
        if kind != "zip":
            data = await asyncio.to_thread(files.render_workbook if kind == "xlsx" else
                                           lambda o: files.render_report(o, today), found)
            return web.Response(body=data, content_type=TYPES[kind], headers=headers)
        with tempfile.TemporaryDirectory(prefix="nhacviec-dossier-") as folder:
            path = Path(folder) / name
            await asyncio.to_thread(files.write_bundle, found, path)
            response = web.StreamResponse(headers={**headers, "Content-Type": TYPES["zip"]})
            response.content_length = path.stat().st_size
            await response.prepare(ctx.request)
            with path.open("rb") as handle:
                while chunk := handle.read(256 * 1024):
                    await response.write(chunk)
            await response.write_eof()
            return response

    async def attach(ctx: Ctx) -> web.Response:
        """A document the office holds itself, with its details and section/page, attached to the criterion."""
        upload = ctx.form.get("file")
        if upload is None or not hasattr(upload, "file") or not upload.filename:
            raise Refused("console_file_type", types=", ".join(sorted(OFFICE_TYPES)))
        name = safe_file_name(upload.filename, "van-ban")
        if Path(name).suffix.lower() not in OFFICE_TYPES:
            raise Refused("console_file_type", types=", ".join(sorted(OFFICE_TYPES)))
        data = upload.file.read(ctx.services.max_bytes + 1)
        if not data or len(data) > ctx.services.max_bytes:
            raise Refused("console_file_size", mb=ctx.services.max_bytes // 2**20)
        form = {key: str(ctx.form.get(key, ""))[:2000] for key in ("doc_number", "doc_date", "doc_summary",
                                                                    "doc_issuer", "section")}

        def act(session: Any, criterion_id: int) -> None:
            meta = par.parse_meta_fields(form["doc_number"], form["doc_date"], form["doc_summary"],
                                         form["doc_issuer"], ctx.ev.now.astimezone(ctx.services.zone).date())
            stored = archive(ctx.services.evidence_dir / "office", f"criterion-{criterion_id}", data, name)
            documents.attach_office_document(session, ctx.viewer.actor, criterion_id, name, str(stored.path),
                                             stored.size, stored.sha256, meta, form["section"], ctx.ev)
        return await asyncio.to_thread(change, ctx, act, _words("attached"))

    def place(ctx: Ctx) -> web.Response:
        """section/page of a document, or leave it out of this criterion."""
        evidence = str(ctx.form.get("evidence_id", ""))
        office = str(ctx.form.get("office_document_id", ""))
        ids = {"evidence_id": int(evidence) if evidence.isdigit() else None,
               "office_document_id": int(office) if office.isdigit() else None}
        leave = ctx.request.match_info["how"] == "leave-out"

        def act(session: Any, criterion_id: int) -> None:
            if leave:
                documents.leave_out_document(session, ctx.viewer.actor, criterion_id, ev=ctx.ev, **ids)
            else:
                documents.link_document(session, ctx.viewer.actor, criterion_id, ev=ctx.ev,
                                        section=str(ctx.form.get("section", ""))[:200], **ids)
        return change(ctx, act, _words("left_out" if leave else "placed"))

    def office_file(ctx: Ctx) -> web.StreamResponse:
        with ctx.services.tx() as session:
            row = documents.office_document_file(session, ctx.viewer.actor, int(ctx.request.match_info["id"]))
        return serve_file(ctx, row.file_name, row.stored_path)

    app.router.add_post("/criteria/{id:\\d{1,12}}/document", console.route("edit", attach))
    app.router.add_post("/criteria/{id:\\d{1,12}}/{how:section|leave-out}", console.route("edit", place))
    app.router.add_get("/office-file/{id:\\d{1,12}}", console.route("direct", office_file))
    app.router.add_get("/dossier/export/{kind:xlsx|zip|docx}", console.route("direct", export))
    app.router.add_get("/dossier", console.route("direct", overview))
    app.router.add_get("/criteria", console.route("direct", criteria_tree))
    app.router.add_get("/criteria/{id:\\d{1,12}}", console.route("direct", one))
    app.router.add_post("/criteria/{id:\\d{1,12}}/score", console.route("edit", score))
    app.router.add_post("/criteria/{id:\\d{1,12}}/edit", console.route("edit", edit))
    app.router.add_post("/criteria/load", console.route("edit", load))
    app.router.add_post("/criteria/{id:\\d{1,12}}/{how:link|unlink}", console.route("edit", link))


def _words(key: str) -> str:
    from bot.i18n import _

    return {"score": _("Self-score recorded (the history is kept)."),
            "linked": _("Link added: it shows on both sides."),
            "unlinked": _("Link removed."),
            "attached": _("Document attached to the criterion."),
            "edited": _("Criterion saved."),
            "loaded": _("Loaded {count} rows into the criteria set of {year}."),
            "placed": _("Section/page recorded."),
            "left_out": _("The document no longer proves this criterion (it stays on its task).")}[key]
