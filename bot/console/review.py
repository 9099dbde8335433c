"""Review at a desk: the queue grouped by unit, one completion with its files shown in the page, accept
(several at once for one unit) or return with a reason, through bot/services/review.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from aiohttp import web
from sqlalchemy.orm import Session

from bot.console.app import Denied
from bot.dossier import checks
from bot.i18n import _, ngettext
from bot.services import review
from bot.services.access import Actor, Refused

if TYPE_CHECKING:
    from bot.console.app import Console, Ctx

INLINE = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
QUEUE_SIZE = 50


@dataclass(frozen=True)
class Document:
    """One attached item as the office checks it: the file and the details the scoring software asks for."""

    evidence_id: int
    kind: str
    name: str
    size: int | None
    inline: str  # pdf | image | "" (downloaded)
    number: str
    issued_on: date | None
    summary: str
    issuer: str
    text: str


def documents(session: Session, actor: Actor, card: review.ReviewCard) -> list[Document]:
    """The review's attached items, each read through the service's own check (evidence_file)."""
    found = []
    for item in card.attached:
        row = review.evidence_file(session, actor, item.evidence_id)
        ext = Path(row.file_name or "").suffix.lower()
        inline = "pdf" if ext == ".pdf" else "image" if ext in INLINE else ""
        found.append(Document(row.id, row.kind, item.name, row.size, inline if row.stored_path else "",
                              row.doc_number or "", row.doc_date, row.doc_summary or "", row.doc_issuer or "",
                              row.text or "" if row.kind in ("text", "link") else ""))
    return found


def serve_file(ctx: Ctx, file_name: str | None, stored_path: str | None) -> web.StreamResponse:
    """A stored file, PDF and photos inline (framed by the console only), others as a download; never a path
    outside the evidence folder."""
    root = ctx.services.evidence_dir.resolve()
    path = Path(stored_path).resolve() if stored_path else None
    if path is None or not path.is_relative_to(root) or not path.is_file():
        raise Denied(404, _("The file {name} is no longer on the server: ask the unit to send it again.")
                     .format(name=file_name or ""))
    name = file_name or path.name
    ext = Path(name).suffix.lower()
    how = "inline" if ext in INLINE else "attachment"
    return web.FileResponse(path, headers={
        "Content-Type": INLINE.get(ext, "application/octet-stream"),
        "Content-Disposition": f"{how}; filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff", "X-Frame-Options": "SAMEORIGIN", "Cache-Control": "private, no-store",
        # a PDF opens in the browser's own viewer, which a stricter policy would block
        "Content-Security-Policy": "frame-ancestors 'self'" if ext == ".pdf" else
                                   "default-src 'none'; img-src 'self'; frame-ancestors 'self'"})


def add_routes(app: web.Application, console: Console) -> None:
    def queue_page(ctx: Ctx, flash: str = "", status: int = 200) -> web.Response:
        with ctx.services.tx() as session:
            page = review.review_queue(session, ctx.viewer.actor, 0, QUEUE_SIZE)
        groups: dict[str, list[review.Pending]] = {}
        for item in page.items:
            groups.setdefault(item.subject.unit, []).append(item)
        return ctx.render("review_queue.html", groups=groups, total=page.total, shown=len(page.items), flash=flash,
                          status=status)

    def one(ctx: Ctx, flash: str = "") -> web.Response:
        review_id = int(ctx.request.match_info["id"])
        with ctx.services.tx() as session:
            card = review.review_card(session, ctx.viewer.actor, review_id)
            docs = documents(session, ctx.viewer.actor, card)
            warnings = checks.review_warnings(session, ctx.viewer.actor, review_id) if not card.decision else []
            after = [p.review_id for p in review.review_queue(session, ctx.viewer.actor, 0, QUEUE_SIZE).items
                     if p.review_id != review_id]
        return ctx.render("review_one.html", card=card, docs=docs, flash=flash, next_id=after[0] if after else None,
                          warnings=warnings)

    def accept(ctx: Ctx) -> web.Response:
        chosen = sorted({int(v) for v in ctx.form.getall("review", []) if str(v).isdigit()})
        if not chosen:
            raise Refused("console_nothing_chosen")
        with ctx.services.tx() as session:
            decided = checks.decide_many(session, ctx.viewer.actor, chosen, True, "", ctx.ev)
        return queue_page(ctx, ngettext("Accepted {count} completion of {unit}.",
                                        "Accepted {count} completions of {unit}.", len(chosen)).format(
            count=len(decided.review_ids), unit=decided.unit))

    def give_back(ctx: Ctx) -> web.Response:
        review_id = int(ctx.request.match_info["id"])
        with ctx.services.tx() as session:
            occ = review.return_with_reason(session, ctx.viewer.actor, review_id, str(ctx.form.get("reason", "")),
                                            ctx.ev)
        return queue_page(ctx, _("Returned to {unit} with the reason; the unit has been told.").format(unit=occ.unit))

    def file(ctx: Ctx) -> web.StreamResponse:
        """The stored file of an evidence item: the office, leadership, or the unit's own head."""
        with ctx.services.tx() as session:
            row = review.evidence_file(session, ctx.viewer.actor, int(ctx.request.match_info["id"]))
        return serve_file(ctx, row.file_name, row.stored_path)

    app.router.add_get("/review", console.route("edit", queue_page))
    app.router.add_get("/review/{id:\\d{1,12}}", console.route("edit", one))
    app.router.add_post("/review/accept", console.route("edit", accept))
    app.router.add_post("/review/{id:\\d{1,12}}/return", console.route("edit", give_back))
    app.router.add_get("/file/{id:\\d{1,12}}", console.route("signed", file))
