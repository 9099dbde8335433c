"""The personal page served by nhacviec (aiohttp): checklist, evidence upload and metric values.

Same services, rules and audit log as the chat: the link stands for the member (signed, expiring,
revocable); a person acts only on their own units' tasks. Served behind the same TLS proxy as the
webhook (`web.base_url`); requests for any other host are not answered. Forms carry an anti-forgery
value and must come from the page's own origin.
"""

from __future__ import annotations

import asyncio
import hashlib
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
from bot.i18n import (
    _,
    current_lang,
    language,
    refusals,  # the one refusal catalog, shared with the chat
)
from bot.services import guards, metrics, par, personal, queue, tasks
from bot.services.access import Actor, Refused, load_actor, own_occurrence
from bot.services.archive import archive, safe_file_name
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
    if exc.key not in texts and exc.key in refusals.MESSAGES:
        return refusals.refusal_text(exc.key, current_lang(), **exc.params)  # the chat's words for the same refusal
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
    """Routes: GET /p/{token}[?tab=late|next|all|metrics&page=N] (the short list), GET /p/{token}/task/{occ} (one
    task's form); POST /p/{token}/evidence|done|blocker/{occ}, /p/{token}/metric/{metric}.

    An answer to a form is the task's page again with the outcome on top (the metrics tab for a figure)."""

    def __init__(self, services: WebServices) -> None:
        self.s = services
        parts = urlsplit(services.base_url)
        self._host, self._origin = parts.netloc, f"{parts.scheme}://{parts.netloc}"

    def app(self) -> web.Application:
        app = web.Application(client_max_size=self.s.max_bytes + 1024 * 1024)
        self.add_routes(app.router)
        return app

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """The page's routes, all under /p/ (the sandbox adds them to its chat page's application)."""
        router.add_get("/p/{token}", self.show)
        router.add_get("/p/{token}/task/{occ:\\d{1,12}}", self.task)
        router.add_post("/p/{token}/evidence/{occ:\\d{1,12}}", self.upload)
        router.add_post("/p/{token}/metric/{metric:\\d{1,12}}", self.metric)
        router.add_post("/p/{token}/done/{occ:\\d{1,12}}", self.done)
        router.add_post("/p/{token}/blocker/{occ:\\d{1,12}}", self.blocker)

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

            text = await asyncio.to_thread(run)  # no database work on the event loop
            return self._after(reader, actor, token, request, "ok", text)
        except _Denied as denied:
            return self._respond(member, "err", denied.text, denied.status_code)
        except Refused as exc:
            with language(member.lang if member else None):
                text = _refusal_text(exc)
            if member is None:
                return self._respond(member, "err", text, 403)
            return self._after(member, actor, token, request, "err", text, 400)

    def _after(self, member: MemberRow, actor: Actor, token: str, request: web.Request, kind: str, text: str,
               status: int = 200, values: dict[str, str] | None = None) -> web.Response:
        """The page a form returns to, with the outcome (`kind` ok|err, `text`) on top: the task's own page, or
        the metrics tab."""
        flash = page.notice(kind, text)
        with language(member.lang), self.s.tx() as session:
            if "metric" in request.match_info:
                return self._list(session, member, actor, token, "metrics", 0, flash, status)
            try:
                return self._task(session, actor, token, int(request.match_info["occ"]), "", flash, status, values)
            except Refused:  # another unit's task, or one gone: the outcome alone, and the way back
                return self._respond(member, kind, text, status, back=f"/p/{token}")

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
        today = self.s.clock.now().astimezone(self.s.zone).date()  # an acting head acts for the unit that day
        actor = load_actor(session, member.user_id or member.chat_id, member.chat_id, today)
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
        """The short list: one tab, paged (`?tab=late|next|all|metrics&page=N`, pages counted from 1)."""
        tab = request.query.get("tab", "")[:10]
        number = request.query.get("page", "1")
        index = int(number) - 1 if number.isdigit() and len(number) < 6 else 0

        def render() -> web.Response:  # on a worker thread: the page's queries never hold the event loop
            try:
                with self.s.tx() as session:
                    member, actor, token = self._member(session, request)
                    with language(member.lang):
                        return self._list(session, member, actor, token, tab, index, "")
            except _Denied as denied:
                return self._respond(None, "err", denied.text, denied.status_code)

        return await asyncio.to_thread(render)

    def _read_member(self, request: web.Request) -> tuple[MemberRow, Actor, str]:
        with self.s.tx() as session:
            return self._member(session, request)

    async def task(self, request: web.Request) -> web.Response:
        """One task's page: its state, the return reason, documents, the upload form, ✅ and ⚠️."""
        member: MemberRow | None = None
        try:
            with self.s.tx() as session:
                member, actor, token = self._member(session, request)
            with language(member.lang), self.s.tx() as session:
                return self._task(session, actor, token, int(request.match_info["occ"]),
                                  request.query.get("tab", "")[:10], "")
        except _Denied as denied:
            return self._respond(member, "err", denied.text, denied.status_code)
        except Refused as exc:
            with language(member.lang if member else None):
                return self._respond(member, "err", _refusal_text(exc), 403,
                                     back=f"/p/{request.match_info['token']}")

    def _list(self, session: Session, member: MemberRow, actor: Actor, token: str, tab: str, index: int,
              flash: str, status: int = 200) -> web.Response:
        today = self.s.clock.now().astimezone(self.s.zone).date()
        listing: personal.TaskList | None = None
        statuses: list[metrics.MetricStatus] = []
        try:
            listing = personal.task_list(session, actor, today, tab if tab in personal.TABS else "", index)
            statuses = metrics.metrics_for(session, actor)
        except Refused as exc:
            flash += page.notice("ok", _refusal_text(exc))
        html = page.list_page(actor.name or member.name, listing, statuses, today, f"/p/{token}",
                              form_token(self.s.secret, token), flash, show_metrics=tab == "metrics")
        return self._html(html, status)

    def _task(self, session: Session, actor: Actor, token: str, occurrence_id: int, tab: str, flash: str,
              status: int = 200, values: dict[str, str] | None = None) -> web.Response:
        today = self.s.clock.now().astimezone(self.s.zone).date()
        facts = personal.task_page(session, actor, occurrence_id, today)
        back = f"/p/{token}" + (f"?tab={tab}" if tab in personal.TABS else "")
        html = page.task_page(facts, today, f"/p/{token}", form_token(self.s.secret, token), back, flash, values)
        return self._html(html, status)

    @staticmethod
    def _html(html: str, status: int = 200) -> web.Response:
        return web.Response(text=html, content_type="text/html", status=status,
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
                guards.refuse_after_acceptance(session, occ)  # the chat's rules, from the same service
                guards.refuse_duplicate(session, occ.id, hashlib.sha256(data).hexdigest(), name)
                task = session.get(TaskRow, occ.task_id)
                try:
                    meta = par.parse_meta_fields(fields["doc_number"], fields["doc_date"], fields["doc_summary"],
                                                 fields["doc_issuer"], ev.now.astimezone(self.s.zone).date())
                    par.require_meta(session, occ.task_id, meta)
                except Refused as exc:
                    text = _refusal_text(exc) + "\n" + _("The file was not saved: correct this and choose the "
                                                          "file again.")
                    refused: tuple[str, dict[str, str]] | None = (text, fields)
                else:
                    refused = None
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
            if refused is not None:  # stores nothing; the form comes back with what was typed
                return self._after(member, actor, token, request, "err", refused[0], 400, refused[1])
            return self._after(member, actor, token, request, "ok", "\n".join(lines))
        except _Denied as denied:
            return self._respond(member, "err", denied.text, denied.status_code)
        except Refused as exc:
            with language(member.lang if member else None):
                text = _refusal_text(exc)
            if member is None:
                return self._respond(member, "err", text, 403)
            return self._after(member, actor, token, request, "err", text, 403)

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
