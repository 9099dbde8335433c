"""The personal page served by nhacviec (aiohttp): checklist, evidence upload and metric values.

Same services, rules and audit log as the chat: the link stands for the member (signed, expiring,
revocable); a person acts only on their own units' tasks. Served behind the same TLS proxy as the
webhook (`web.base_url`); requests for any other host are not answered. Forms carry an anti-forgery
value and must come from the page's own origin.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from aiohttp import BodyPartReader, web
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.models import MemberRow, MetricRow, TaskRow
from bot.domain.clock import Clock
from bot.i18n import _, language
from bot.services import metrics, par, queue, tasks
from bot.services.access import Actor, Refused, load_actor, own_occurrence
from bot.services.archive import archive, safe_file_name
from bot.telegram import i18n as chat_texts  # refusal texts shared with the chat
from bot.texts import fmt_date
from bot.views.taskcard import subject_text
from bot.web import page
from bot.web.links import LinkError, form_token, read_link
from bot.web.personal import LinkMaker

ALLOWED = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".ods", ".jpg", ".jpeg", ".png"}
PHOTOS = {".jpg", ".jpeg", ".png"}


@dataclass
class WebServices:
    engine: Engine
    clock: Clock
    zone: ZoneInfo
    evidence_dir: Path
    secret: bytes
    base_url: str  # https://nhacviec.sogd.example.vn (no trailing slash)
    max_bytes: int = 20 * 1024 * 1024
    link_days: int = 30

    @contextmanager
    def tx(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def link_for(self, member: MemberRow) -> str:
        """The member's personal page address, valid for `link_days`."""
        return LinkMaker(self.engine, self.secret, self.base_url, self.clock, self.link_days).url_of(member)


def revoke_links(session: Session, member: MemberRow) -> None:
    """Every link made for this member so far stops working."""
    member.link_version += 1


class _Denied(Exception):
    def __init__(self, status_code: int, text: str) -> None:
        super().__init__(text)
        self.status_code = status_code
        self.text = text


def _refusal_text(exc: Refused) -> str:
    texts = {
        "not_your_unit": _("This task belongs to unit {unit}, not to yours."),
        "no_such_task": _("This task no longer exists (the plan may have changed)."),
        "already_done": _("This task has already been accepted as done."),
        "metric_bad_value": _("The value \"{value}\" is not valid: {why}."),
        "not_your_metric": _("The metric of task {task} does not belong to your unit."),
        "no_such_metric": _("This metric no longer exists (the plan may have changed)."),
        "not_a_head": _("You do not head a unit: there is nothing to report here."),
        "doc_bad_date": _("Date of issue: \"{value}\" is not a date. Write it as dd/mm/yyyy, e.g. 05/03/2019."),
        "doc_future_date": _("Date of issue: {value} is after today. Please check it."),
        "doc_number_too_long": _("Number and sign: longer than {limit} characters. Write only the document's "
                                 "number and sign, e.g. {example}."),
        "doc_meta_required": _("Task {task} requires the number and date of issue of every document. "
                               "Still missing: {missing}."),
    }
    if exc.key not in texts and exc.key in chat_texts.MESSAGES:  # the chat's words for the same refusal
        return chat_texts.t(exc.key, **exc.params)
    template = texts.get(exc.key, _("This cannot be done now."))
    try:
        return template.format(**{"example": par.EXAMPLE_NUMBER, **exc.params})
    except (KeyError, IndexError):
        return template


def _details(meta: par.DocumentMeta) -> str:
    """`123/KH-SGDDT · 05/03/2019 · <subject> · <issuing body>`: what was given."""
    issued = fmt_date(meta.issued_on) if meta.issued_on else None
    return " · ".join(p for p in (meta.number, issued, meta.summary, meta.issuer) if p)


class PersonalPage:
    """Routes: GET /p/{token}; POST /p/{token}/evidence|done|blocker/{occ}, /p/{token}/metric/{metric}."""

    def __init__(self, services: WebServices) -> None:
        self.s = services
        parts = urlsplit(services.base_url)
        self._host, self._origin = parts.netloc, f"{parts.scheme}://{parts.netloc}"

    def app(self) -> web.Application:
        app = web.Application(client_max_size=self.s.max_bytes + 1024 * 1024)
        app.router.add_get("/p/{token}", self.show)
        app.router.add_post("/p/{token}/evidence/{occ:\\d{1,12}}", self.upload)
        app.router.add_post("/p/{token}/metric/{metric:\\d{1,12}}", self.metric)
        app.router.add_post("/p/{token}/done/{occ:\\d{1,12}}", self.done)
        app.router.add_post("/p/{token}/blocker/{occ:\\d{1,12}}", self.blocker)
        return app

    async def done(self, request: web.Request) -> web.Response:
        """✅ from the page: the chat's service and rules (evidence first, document details if required)."""

        def act(session: Session, actor: Actor, occurrence_id: int, form: Any) -> str:
            tasks.confirm_done(session, actor, occurrence_id, tasks.Event(self.s.clock.now()))
            par.require_described(session, occurrence_id)
            return _("Sent to the department office for review: {subject}").format(
                subject=subject_text(queue.subject_of(session, own_occurrence(session, actor, occurrence_id))))

        return await self._act(request, act)

    async def blocker(self, request: web.Request) -> web.Response:
        """⚠️ from the page: the difficulty goes to the office like one typed in the chat."""

        def act(session: Session, actor: Actor, occurrence_id: int, form: Any) -> str:
            tasks.report_blocker(session, actor, occurrence_id, str(form.get("text", "")),
                                 tasks.Event(self.s.clock.now()))
            return _("Difficulty sent to the department office: {subject}").format(
                subject=subject_text(queue.subject_of(session, own_occurrence(session, actor, occurrence_id))))

        return await self._act(request, act)

    async def _act(self, request: web.Request, act: Any, ref: str = "occ") -> web.Response:
        """A form post: the link, the anti-forgery value, then `act(session, actor, id, form)` → the answer."""
        member: MemberRow | None = None
        try:
            reader, actor, token = await asyncio.to_thread(self._read_member, request)  # no database on the loop
            member = reader
            form = await request.post()
            self._check_form(request, token, str(form.get("form", "")))

            def run() -> str:
                with language(reader.lang), self.s.tx() as session:
                    return str(act(session, actor, int(request.match_info[ref]), form))

            text = await asyncio.to_thread(run)
            with language(reader.lang):
                return self._respond(reader, "ok", text, back=f"/p/{token}")
        except _Denied as denied:
            return self._respond(member, "err", denied.text, denied.status_code)
        except Refused as exc:
            with language(member.lang if member else None):
                return self._respond(member, "err", _refusal_text(exc), 400,
                                     back=f"/p/{request.match_info['token']}")

    # --- checks shared by every route ---------------------------------------------------------------
    def _member(self, session: Session, request: web.Request) -> tuple[MemberRow, Actor, str]:
        if request.host != self._host:
            raise _Denied(404, _("Page not found."))
        token = request.match_info["token"]
        try:
            claims = read_link(self.s.secret, token, self.s.clock.now())
        except LinkError as exc:
            raise _Denied(403 if exc.reason == "bad" else 410, _(
                "This link has expired. Ask the bot for a new one (/trang).") if exc.reason == "expired"
                else _("This link is not valid.")) from None
        member = session.get(MemberRow, claims.member_id)
        if member is None or not member.active or member.link_version != claims.version:
            raise _Denied(410, _("This link was revoked by the office. Ask the bot for a new one (/trang)."))
        actor = load_actor(session, member.user_id or member.chat_id, member.chat_id)
        return member, actor, token

    def _check_form(self, request: web.Request, token: str, given: str) -> None:
        origin = request.headers.get("Origin")
        referer = request.headers.get("Referer", "")
        if (origin is not None and origin != self._origin) or (origin is None and referer
                                                               and not referer.startswith(self._origin + "/")):
            raise _Denied(403, _("This form was not sent from your personal page."))
        if given != form_token(self.s.secret, token):
            raise _Denied(403, _("This form was not sent from your personal page."))

    def _respond(self, member: MemberRow | None, kind: str, text: str, status_code: int = 200,
                 back: str | None = None, after: str = "") -> web.Response:
        with language(member.lang if member else None):
            html = page.message_page(kind, text, back, after)
        return web.Response(text=html, content_type="text/html", status=status_code,
                            headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"})

    # --- routes ------------------------------------------------------------------------------------
    async def show(self, request: web.Request) -> web.Response:
        def render() -> web.Response:  # on a worker thread: the page's queries never hold the event loop
            try:
                with self.s.tx() as session:
                    member, actor, token = self._member(session, request)
                    with language(member.lang):
                        return self._page(session, member, actor, token, flash="")
            except _Denied as denied:
                return self._respond(None, "err", denied.text, denied.status_code)

        return await asyncio.to_thread(render)

    def _read_member(self, request: web.Request) -> tuple[MemberRow, Actor, str]:
        with self.s.tx() as session:
            return self._member(session, request)

    def _page(self, session: Session, member: MemberRow, actor: Actor, token: str, flash: str) -> web.Response:
        today = self.s.clock.now().astimezone(self.s.zone).date()
        lines: list[queue.Item] = []
        try:
            first = queue.checklist(session, actor, today, "o", 0)  # what is not done yet, in the chat's order
            lines = list(first.items)
            for number in range(1, first.pages):
                lines += queue.checklist(session, actor, today, "o", number).items
            statuses = metrics.metrics_for(session, actor)
        except Refused as exc:
            lines, statuses, flash = [], [], flash + page.notice("ok", _refusal_text(exc))
        required = frozenset(t for t in {i.subject.task_id for i in lines} if par.meta_required(session, t))
        html = page.member_page(actor.name or member.name, lines, statuses, today,
                                f"/p/{token}", form_token(self.s.secret, token), flash, required)
        return web.Response(text=html, content_type="text/html",
                            headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"})

    async def upload(self, request: web.Request) -> web.Response:
        """A file and its document details, validated by bot/services/par.py as in the chat.

        A bad detail (or a missing one the task requires) stores nothing: the answer names the field and shows
        the form again with what was typed, so only the file is chosen again. Chosen over storing the file and
        asking afterwards because the page has no form to describe a document later.
        """
        member: MemberRow | None = None
        try:
            with self.s.tx() as session:
                member, actor, token = self._member(session, request)
            given, name, data, fields = await self._read_upload(request)
            self._check_form(request, token, given)
            occurrence_id = int(request.match_info["occ"])
            ev = tasks.Event(self.s.clock.now())
            with language(member.lang), self.s.tx() as session:
                occ = own_occurrence(session, actor, occurrence_id)
                if occ.status in ("done", "closed"):
                    raise Refused("already_done")
                task = session.get(TaskRow, occ.task_id)
                try:
                    meta = par.parse_meta_fields(fields["doc_number"], fields["doc_date"], fields["doc_summary"],
                                                 fields["doc_issuer"], ev.now.astimezone(self.s.zone).date())
                    par.require_meta(session, occ.task_id, meta)
                except Refused as exc:
                    text = _refusal_text(exc) + "\n" + _("The file was not saved: correct this and choose the "
                                                          "file again.")
                    retry = page.retry_card(f"{occ.task_id} {task.title if task else ''}",
                                            f"/p/{token}/evidence/{occ.id}", form_token(self.s.secret, token),
                                            par.meta_required(session, occ.task_id), fields)
                    return self._respond(member, "err", text, 400, back=f"/p/{token}#o{occ.id}", after=retry)
                stored = archive(self.s.evidence_dir, occ.key, data, name)
                ext = Path(name).suffix.lower()
                row = tasks.add_evidence(session, actor, occ.id, ev, kind="photo" if ext in PHOTOS else "document",
                                         file_name=name, size=stored.size, sha256=stored.sha256,
                                         stored_path=str(stored.path))
                lines = [_("Received the evidence document {name} for {task} {title} — {unit}, {label}, "
                           "due {due}.").format(name=name, task=occ.task_id, title=task.title if task else "",
                                                unit=occ.unit, label=occ.label, due=fmt_date(occ.due))]
                if not meta.empty:
                    recorded = par.set_document_meta(session, actor, row.id, meta, ev, keep=False)
                    lines.append(_("Document details recorded: {details}").format(details=_details(meta)))
                    lines += ["⚠️ " + warning for warning in recorded.warnings]
                return self._respond(member, "ok", "\n".join(lines), back=f"/p/{token}#o{occ.id}")
        except _Denied as denied:
            return self._respond(member, "err", denied.text, denied.status_code)
        except Refused as exc:
            with language(member.lang if member else None):
                return self._respond(member, "err", _refusal_text(exc), 403,
                                     back=f"/p/{request.match_info['token']}")

    async def _read_upload(self, request: web.Request) -> tuple[str, str, bytes, dict[str, str]]:
        """The form value, the file and the document details, counting the file's bytes as they come (the
        declared size is not trusted)."""
        given, name, chunks, size = "", "", [], 0
        fields = dict.fromkeys(page.META_FIELDS, "")
        try:
            reader = await request.multipart()
        except (AssertionError, ValueError, KeyError):
            raise _Denied(400, _("Choose a file to send.")) from None
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "form":
                given = (await part.text())[:200]
            elif part.name in fields:
                fields[part.name] = (await part.text())[:2000]
            elif part.name == "file":
                name = safe_file_name(part.filename, "")
                while chunk := await part.read_chunk(64 * 1024):
                    size += len(chunk)
                    if size > self.s.max_bytes:
                        raise _Denied(413, _("The file is larger than {size} MB: send a link in the chat "
                                             "instead.").format(size=self.s.max_bytes // (1024 * 1024)))
                    chunks.append(chunk)
        if not name:
            raise _Denied(400, _("Choose a file to send."))
        if Path(name).suffix.lower() not in ALLOWED:
            raise _Denied(415, _("This kind of file is not accepted: send PDF, Word, Excel, or a JPG/PNG photo."))
        if size == 0:
            raise _Denied(400, _("The file is empty (0 bytes): choose the right file."))
        return given, name, b"".join(chunks), fields

    async def metric(self, request: web.Request) -> web.Response:
        """A metric value from the page, validated as in the chat (`_act` checks the link and the form)."""

        def act(session: Session, actor: Actor, metric_id: int, form: Any) -> str:
            row = metrics.record_value(session, actor, metric_id, str(form.get("value", ""))[:100],
                                       tasks.Event(self.s.clock.now()))
            metric_row = session.get(MetricRow, row.metric_id)
            assert metric_row is not None
            return _("Saved {name}: {value} for unit {unit}.").format(
                name=metric_row.name, value=metrics.fmt_value(metric_row.kind, row.value), unit=row.unit)

        return await self._act(request, act, "metric")
