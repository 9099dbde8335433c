"""PAR evidence in chat: after a document upload one skippable question for its number, date of issue, subject
and issuing body; `/vanban` to add or edit them later; `/yeucauvanban` (office) to require them per task;
`/tucham` (office) to record a self-score and its explanation per criterion.

Hooked into bot/telegram/callbacks.py with a few marked lines (upload, chat state) and into
bot/telegram/application.py with `COMMANDS` and `on_button`/`PATTERN`.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session
from telegram import Message, Update

from bot.db.models import EvidenceRow, OccurrenceRow
from bot.engine.channel import Button
from bot.i18n import _, language
from bot.i18n.formats import fmt_number
from bot.services import criteria as criteria_svc
from bot.services import par
from bot.services.access import Actor, Refused, require_admin
from bot.telegram.channel import to_markup
from bot.telegram.context import BotContext
from bot.telegram.handlers import Handler, actor_of, event, guarded, reply
from bot.texts import fmt_date
from bot.views.chunks import chunk_blocks

STATE = par.STATE
PATTERN = re.compile(r"^(em|emx):(\d{1,12})$")
URL = re.compile(r"https?://\S+", re.IGNORECASE)
OFF_WORDS = ("tat", "off", "0", "khong")  # ASCII: typed without diacritics on a phone




def meta_button(evidence_id: int) -> Button:
    """✏️ on an evidence item of the task card: add or edit its number, date, subject, issuing body."""
    return Button(_("✏️ Number, date #{ref}").format(ref=evidence_id), f"em:{evidence_id}")


def describe_meta(meta: par.DocumentMeta) -> str:
    """`No. 123/KH-SGDDT · issued 05/03/2019 · <subject> · <issuing body>`, or a note that nothing is given."""
    parts = []
    if meta.number:
        parts.append(_("No. {number}").format(number=meta.number))
    if meta.issued_on:
        parts.append(_("issued {date}").format(date=fmt_date(meta.issued_on)))
    parts += [p for p in (meta.summary, meta.issuer) if p]
    return " · ".join(parts) if parts else _("no number or date of issue yet")


def _prompt(target: par.EvidenceTarget) -> tuple[str, object]:
    text = _("📄 {file} (#{ref}, task {task}, unit {unit})\nNumber, date of issue, subject (issuing body)?\n"
             "One line, separated by semicolons, e.g.:\n123/KH-SGDDT; 05/03/2019; PAR plan for 2019; Department "
             "of Education").format(file=target.file_name or "?", ref=target.evidence_id, task=target.task_id,
                                    unit=target.unit)
    if not target.current.empty:
        text += "\n" + _("Now: {meta}").format(meta=describe_meta(target.current))
    buttons = [Button(_("✔️ Done"), f"evend:{target.occurrence_id}")]
    if target.required:
        text += "\n" + _("Task {task} requires the number and date of issue.").format(task=target.task_id)
    else:
        buttons.insert(0, Button(_("⏭ Skip"), f"emx:{target.evidence_id}"))
    return text, to_markup((tuple(buttons),))


async def after_upload(update: Update, context: BotContext, actor: Actor, evidence_id: int, saved: str) -> None:
    """A document was saved: the saved line and the one question, in one message."""
    with context.services.tx() as session:
        target = par.start_meta(session, actor, evidence_id, event(update, context))
    with language(actor.lang):
        text, markup = _prompt(target)
        await reply(update, f"{saved}\n\n{text}", markup)


def resume_if_file(session: Session, actor: Actor, evidence_id: int, message: Message,
                   now: datetime) -> tuple[str, int]:
    """In the `docmeta` state a new file (or a bare link) is more evidence, not an answer: back to evidence."""
    text = message.text or ""
    if message.document or message.photo or (URL.search(text) and ";" not in text):
        return "evidence", par.resume_evidence(session, actor, evidence_id, par.Event(now))
    return STATE, evidence_id


def _saved_text(done: par.MetaRecorded) -> str:
    text = _("✅ Recorded for {file} (#{ref}, task {task}, unit {unit}): {meta}").format(
        file=done.file_name or "?", ref=done.evidence_id, task=done.task_id, unit=done.unit,
        meta=describe_meta(done.meta))
    for warning in done.warnings:
        text += "\n⚠️ " + warning
    return text + "\n" + _("Send more files, or press ✔️ Done.")


async def on_text(update: Update, context: BotContext, actor: Actor, evidence_id: int) -> None:
    """The answer to the question: stored, or refused with what to fix (the question stands)."""
    message = update.effective_message
    assert message is not None and message.text is not None
    ev = event(update, context)
    with language(actor.lang), context.services.tx() as session:
        meta = par.parse_meta_line(message.text, context.services.today())
        done = par.set_document_meta(session, actor, evidence_id, meta, ev)
        par.resume_evidence(session, actor, evidence_id, ev)
        text = _saved_text(done)
    await reply(update, text, to_markup(((Button(_("✔️ Done"), f"evend:{done.occurrence_id}"),),)))


@guarded
async def on_button(update: Update, context: BotContext) -> None:
    """`em:<evidence>` asks for (or edits) a document's metadata; `emx:<evidence>` skips the question."""
    query = update.callback_query
    assert query is not None
    match = PATTERN.match(query.data or "")
    if match is None:
        raise Refused("bad_request")
    actor = actor_of(update, context)
    ev = event(update, context)
    with language(actor.lang):
        with context.services.tx() as session:
            if match[1] == "em":
                target = par.start_meta(session, actor, int(match[2]), ev)
            else:
                skipped = par.skip_meta(session, actor, int(match[2]), ev)
        await query.answer()
        if match[1] == "em":
            text, markup = _prompt(target)
            await reply(update, text, markup)
            return
        await reply(update, _("⏭ Skipped. You can add the number and date later: /vanban {ref}\n"
                              "Send more files, or press ✔️ Done.").format(ref=skipped.evidence_id),
                    to_markup(((Button(_("✔️ Done"), f"evend:{skipped.occurrence_id}"),),)))


@guarded
async def vanban(update: Update, context: BotContext) -> None:
    """/vanban: the documents of the actor's units, undescribed first; /vanban <#> [line]: describe one."""
    actor = actor_of(update, context)
    args = context.args or []
    ev = event(update, context)
    with language(actor.lang):
        if args:
            ref = int(args[0].lstrip("#")) if args[0].lstrip("#").isdigit() else 0
            with context.services.tx() as session:
                if len(args) > 1:
                    meta = par.parse_meta_line(" ".join(args[1:]), context.services.today())
                    done = par.set_document_meta(session, actor, ref, meta, ev)
                    text, markup = _saved_text(done), None
                else:
                    text, markup = _prompt(par.start_meta(session, actor, ref, ev))
            await reply(update, text, markup)
            return
        with context.services.tx() as session:
            rows = par.documents_of(session, actor)
            lines = [_("#{ref} [{task}] {unit} — {file}: {meta}").format(
                ref=r.id, task=task, unit=unit, file=r.file_name or "?", meta=describe_meta(par.current_meta(r)))
                for r, task, unit in _with_occurrence(session, rows)]
        if not lines:
            await reply(update, _("No documents have been sent yet."))
            return
        buttons = tuple((meta_button(r.id),) for r in rows)
        await reply(update, chunk_blocks(_("📄 Documents (those without a number first). Press ✏️ or type "
                                           "/vanban <#> to add the number and date:"), lines), to_markup(buttons))


def _with_occurrence(session: Session, rows: list[EvidenceRow]) -> list[tuple[EvidenceRow, str, str]]:
    out = []
    for r in rows:
        occ = session.get(OccurrenceRow, r.occurrence_id)
        out.append((r, occ.task_id if occ else "?", occ.unit if occ else "?"))
    return out


@guarded
async def yeucauvanban(update: Update, context: BotContext) -> None:
    """/yeucauvanban <task> [tat] (office): require document metadata for a task, or stop requiring it."""
    actor = actor_of(update, context)
    require_admin(actor)
    args = context.args or []
    if not args:
        raise Refused("yeucau_usage")
    required = not (len(args) > 1 and args[1].lower() in OFF_WORDS)
    with language(actor.lang):
        with context.services.tx() as session:
            task = par.set_meta_required(session, actor, args[0], required, event(update, context))
        text = (_("From now on every document of task {task} must carry its number and date of issue.")
                if required else _("Task {task} no longer requires document numbers.")).format(task=task.id)
        await reply(update, text)


def _points(value: float | None) -> str:
    return fmt_number(value) if value is not None else "—"


@guarded
async def tucham(update: Update, context: BotContext) -> None:
    """/tucham: the scoring table; /tucham <code> <score> <explanation> (office): record a self-score."""
    actor = actor_of(update, context)
    require_admin(actor)
    args = context.args or []
    with language(actor.lang):
        if len(args) == 1:
            raise Refused("tucham_usage")
        with context.services.tx() as session:
            if args:
                criteria_svc.record_self_score(session, actor, args[0], args[1], " ".join(args[2:]),
                                               event(update, context))
            table = criteria_svc.scoring_table(session)
        if not table:
            await reply(update, _("No criteria are loaded. The office loads them on the server with: "
                                  "nhacviec criteria load <file>"))
            return
        head = (_("✅ Self-score recorded.") + "\n") if args else ""
        lines = [_("• {code} {name}: {score}/{max}{explanation}").format(
            code=c.code, name=c.name, score=_points(c.score), max=_points(c.max_points),
            explanation=f" — {c.explanation}" if c.explanation else "") for c in table]
        await reply(update, chunk_blocks(head + _("📊 Self-scoring table ({count} criteria):")
                                         .format(count=len(table)), lines))


COMMANDS: list[tuple[tuple[str, ...], Handler]] = [
    (("vanban",), vanban), (("yeucauvanban",), yeucauvanban), (("tucham",), tucham)]
