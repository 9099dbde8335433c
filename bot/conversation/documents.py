"""PAR evidence on any channel: after a document upload one skippable question for its number, date of issue,
subject and issuing body; `/vanban` to add or edit them later; `/yeucauvanban` (office) to require them per task;
`/tucham` (office) to record a self-score and its explanation per criterion.

The question is a wait (par.STATE, ref = the evidence row): the next text describes the document; a file or a
bare link sent instead is more evidence for the same task (bot.conversation.evidence).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.conversation import evidence
from bot.conversation.incoming import File, Text
from bot.conversation.routes import Topic, by_id
from bot.conversation.turn import Turn
from bot.db.models import EvidenceRow, OccurrenceRow
from bot.i18n import _, language
from bot.i18n.formats import fmt_number
from bot.services import criteria as criteria_svc
from bot.services import par
from bot.services.access import Refused, require_admin
from bot.texts import fmt_date
from bot.views import actions as wire
from bot.views.chunks import chunk_blocks
from bot.views.model import Action, View

STATE = par.STATE
URL = evidence.URL
OFF_WORDS = ("tat", "off", "0", "khong")  # ASCII: typed without diacritics on a phone


def meta_action(evidence_id: int) -> Action:
    """✏️ on an evidence item: add or edit its number, date, subject, issuing body."""
    return Action(_("✏️ Number, date #{ref}").format(ref=evidence_id), wire.edit_meta(evidence_id))


def describe_meta(meta: par.DocumentMeta) -> str:
    """`No. 123/KH-SGDDT · issued 05/03/2019 · <subject> · <issuing body>`, or a note that nothing is given."""
    parts = []
    if meta.number:
        parts.append(_("No. {number}").format(number=meta.number))
    if meta.issued_on:
        parts.append(_("issued {date}").format(date=fmt_date(meta.issued_on)))
    parts += [p for p in (meta.summary, meta.issuer) if p]
    return " · ".join(parts) if parts else _("no number or date of issue yet")


def _done_action(occurrence_id: int) -> Action:
    return Action(_("✔️ Done"), wire.evidence_end(occurrence_id))


def _prompt(target: par.EvidenceTarget) -> tuple[str, tuple[tuple[Action, ...], ...]]:
    text = _("📄 {file} (#{ref}, task {task}, unit {unit})\nNumber, date of issue, subject (issuing body)?\n"
             "One line, separated by semicolons, e.g.:\n123/KH-SGDDT; 05/03/2019; PAR plan for 2019; Department "
             "of Education").format(file=target.file_name or "?", ref=target.evidence_id, task=target.task_id,
                                    unit=target.unit)
    if not target.current.empty:
        text += "\n" + _("Now: {meta}").format(meta=describe_meta(target.current))
    actions = [_done_action(target.occurrence_id)]
    if target.required:
        text += "\n" + _("Task {task} requires the number and date of issue.").format(task=target.task_id)
    else:
        actions.insert(0, Action(_("⏭ Skip"), wire.skip_meta(target.evidence_id)))
    return text, (tuple(actions),)


async def after_upload(turn: Turn, evidence_id: int, saved: str) -> None:
    """A document was saved: the saved line and the one question, in one message."""
    with turn.services.tx() as session:
        target = par.start_meta(session, turn.actor, evidence_id, turn.event)
    with language(turn.actor.lang):
        text, rows = _prompt(target)
        await turn.reply(View((f"{saved}\n\n{text}",), rows))


def _saved_text(done: par.MetaRecorded) -> str:
    text = _("✅ Recorded for {file} (#{ref}, task {task}, unit {unit}): {meta}").format(
        file=done.file_name or "?", ref=done.evidence_id, task=done.task_id, unit=done.unit,
        meta=describe_meta(done.meta))
    for warning in done.warnings:
        text += "\n⚠️ " + warning
    return text + "\n" + _("Send more files, or press ✔️ Done.")


async def answer(turn: Turn, evidence_id: int, message: Text | File) -> None:
    """The next message after the question: a file or a bare link is more evidence for the same task; a text
    is the document's details, stored, or refused with what to fix (the question stands)."""
    if isinstance(message, File) or (URL.search(message.text) and ";" not in message.text):
        with turn.services.tx() as session:
            occurrence_id = par.resume_evidence(session, turn.actor, evidence_id, turn.event)
        await evidence.receive(turn, occurrence_id, message)
        return
    with language(turn.actor.lang), turn.services.tx() as session:
        meta = par.parse_meta_line(message.text, turn.services.today())
        done = par.set_document_meta(session, turn.actor, evidence_id, meta, turn.event)
        par.resume_evidence(session, turn.actor, evidence_id, turn.event)
        text = _saved_text(done)
        occurrence_id = done.occurrence_id
    with language(turn.actor.lang):
        await turn.reply(View((text,), ((_done_action(occurrence_id),),)))


async def edit(turn: Turn, evidence_id: int) -> None:
    """✏️ `em:<evidence>`: ask for (or edit) a document's details."""
    with turn.services.tx() as session:
        target = par.start_meta(session, turn.actor, evidence_id, turn.event)
    with language(turn.actor.lang):
        text, rows = _prompt(target)
        await turn.reply(View((text,), rows))


async def skip(turn: Turn, evidence_id: int) -> None:
    """⏭ `emx:<evidence>`: no details now (they can be given later with /vanban)."""
    with turn.services.tx() as session:
        skipped = par.skip_meta(session, turn.actor, evidence_id, turn.event)
    with language(turn.actor.lang):
        await turn.reply(View((_("⏭ Skipped. You can add the number and date later: /vanban {ref}\n"
                                 "Send more files, or press ✔️ Done.").format(ref=skipped.evidence_id),),
                              ((_done_action(skipped.occurrence_id),),)))


async def vanban(turn: Turn, args: tuple[str, ...]) -> None:
    """/vanban: the documents of the actor's units, undescribed first; /vanban <#> [line]: describe one."""
    actor = turn.actor
    with language(actor.lang):
        if args:
            ref = int(args[0].lstrip("#")) if args[0].lstrip("#").isdigit() else 0
            rows: tuple[tuple[Action, ...], ...] = ()
            with turn.services.tx() as session:
                if len(args) > 1:
                    meta = par.parse_meta_line(" ".join(args[1:]), turn.services.today())
                    done = par.set_document_meta(session, actor, ref, meta, turn.event)
                    text = _saved_text(done)
                else:
                    text, rows = _prompt(par.start_meta(session, actor, ref, turn.event))
            await turn.reply(View((text,), rows))
            return
        with turn.services.tx() as session:
            documents = par.documents_of(session, actor)
            lines = [_("#{ref} [{task}] {unit} — {file}: {meta}").format(
                ref=r.id, task=task, unit=unit, file=r.file_name or "?", meta=describe_meta(par.current_meta(r)))
                for r, task, unit in _with_occurrence(session, documents)]
            ids = [r.id for r in documents]
        if not lines:
            await turn.reply(View((_("No documents have been sent yet."),)))
            return
        texts = chunk_blocks(_("📄 Documents (those without a number first). Press ✏️ or type /vanban <#> to add "
                               "the number and date:"), lines)
        for text in texts[:-1]:
            await turn.reply(View((text,)))
        await turn.reply(View((texts[-1],), tuple((meta_action(i),) for i in ids)))


def _with_occurrence(session: Session, rows: list[EvidenceRow]) -> list[tuple[EvidenceRow, str, str]]:
    out = []
    for r in rows:
        occ = session.get(OccurrenceRow, r.occurrence_id)
        out.append((r, occ.task_id if occ else "?", occ.unit if occ else "?"))
    return out


async def yeucauvanban(turn: Turn, args: tuple[str, ...]) -> None:
    """/yeucauvanban <task> [tat] (office): require document metadata for a task, or stop requiring it."""
    require_admin(turn.actor)
    if not args:
        raise Refused("yeucau_usage")
    required = not (len(args) > 1 and args[1].lower() in OFF_WORDS)
    with language(turn.actor.lang):
        with turn.services.tx() as session:
            task = par.set_meta_required(session, turn.actor, args[0], required, turn.event)
        text = (_("From now on every document of task {task} must carry its number and date of issue.")
                if required else _("Task {task} no longer requires document numbers.")).format(task=task.id)
        await turn.reply(View((text,)))


def _points(value: float | None) -> str:
    return fmt_number(value) if value is not None else "—"


async def tucham(turn: Turn, args: tuple[str, ...]) -> None:
    """/tucham: the scoring table; /tucham <code> <score> <explanation> (office): record a self-score."""
    require_admin(turn.actor)
    with language(turn.actor.lang):
        if len(args) == 1:
            raise Refused("tucham_usage")
        with turn.services.tx() as session:
            if args:
                criteria_svc.record_self_score(session, turn.actor, args[0], args[1], " ".join(args[2:]), turn.event)
            table = criteria_svc.scoring_table(session)
        if not table:
            await turn.reply(View((_("No criteria are loaded. The office loads them on the server with: "
                                     "nhacviec criteria load <file>"),)))
            return
        head = (_("✅ Self-score recorded.") + "\n") if args else ""
        lines = [_("• {code} {name}: {score}/{max}{explanation}").format(
            code=c.code, name=c.name, score=_points(c.score), max=_points(c.max_points),
            explanation=f" — {c.explanation}" if c.explanation else "") for c in table]
        for text in chunk_blocks(head + _("📊 Self-scoring table ({count} criteria):").format(count=len(table)),
                                 lines):
            await turn.reply(View((text,)))


TOPIC = Topic(commands={"vanban": vanban, "yeucauvanban": yeucauvanban, "tucham": tucham},
              choices={"em": by_id(edit), "emx": by_id(skip)},
              waits={STATE: answer})
