"""Buttons and the messages that answer them (evidence, blocker text, return reason)."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import ColumnElement, select
from telegram import Update

from bot.db.models import ChatStateRow, EvidenceRow, OccurrenceRow, TaskRow
from bot.engine.channel import Button
from bot.engine.messages import occurrence_buttons
from bot.services import invites, metrics, review, tasks
from bot.services.access import Actor, Refused, load_actor, own_occurrence
from bot.telegram import metrics as metrics_chat
from bot.telegram import par as par_chat  # i12b: PAR document metadata
from bot.telegram import safety
from bot.telegram.channel import to_markup
from bot.telegram.context import BotContext
from bot.telegram.handlers import actor_of, event, guarded, reply, unknown
from bot.telegram.i18n import t
from bot.texts import fmt_local

MAX_DOWNLOAD = 20 * 1024 * 1024  # Bot API getFile limit
CALLBACK = re.compile(r"^(done|ev|evend|snz|snz1|snz3|blk|rvok|rvret|fwd|rm|mt):(\d{1,12})$")
URL = re.compile(r"https?://\S+", re.IGNORECASE)


def _task_name(context: BotContext, occurrence_id: int) -> str:
    with context.services.tx() as session:
        occ = session.get(OccurrenceRow, occurrence_id)
        task = session.get(TaskRow, occ.task_id) if occ else None
        return f"[{occ.task_id}] {task.title if task else ''} ({occ.unit})" if occ else "?"


@guarded
async def on_button(update: Update, context: BotContext) -> None:
    """Every inline button; unknown or forged data is refused with a message."""
    query = update.callback_query
    assert query is not None
    match = CALLBACK.match(query.data or "")
    if match is None:
        raise Refused("bad_request")
    action, ref = match[1], int(match[2])
    actor = actor_of(update, context)
    ev = event(update, context)
    lang = actor.lang
    svc = context.services
    with svc.tx() as session:
        if action == "done":
            tasks.confirm_done(session, actor, ref, ev)
            par_chat.par.require_described(session, ref)  # i12b: office requires document numbers (rolls back)
            text = None
        elif action == "ev":
            tasks.start_evidence(session, actor, ref, ev)
            text = None
        elif action == "evend":
            own_occurrence(session, actor, ref)
            tasks.clear_state(session, actor.chat_id)
            count = tasks.evidence_count(session, ref)
            text = None
        elif action == "snz":
            own_occurrence(session, actor, ref)
            text = None
        elif action in ("snz1", "snz3"):
            until = tasks.snooze(session, actor, ref, int(action[-1]), ev, svc.calendar, svc.zone, svc.send_time)
            text = t("snoozed", lang, until=fmt_local(until, svc.zone))
        elif action == "blk":
            tasks.start_blocker(session, actor, ref, ev)
            text = None
        elif action == "rvok":
            occ = review.accept(session, actor, ref, ev)
            text = t("accepted", lang, task=f"[{occ.task_id}] {occ.unit}")
        elif action == "rvret":
            occ = review.start_return(session, actor, ref, ev)
            text = None
        elif action == "fwd":
            tasks.forward_blocker(session, actor, ref, ev)
            text = t("forwarded", lang)
        elif action == "mt":
            metric_target = metrics.start_report(session, actor, ref, None, ev)
            text = metrics_chat.prompt_text(metric_target, lang)
        else:  # rm
            member = invites.remove_member(session, actor, ref, ev)
            text = t("removed", lang, name=member.name or member.chat_id)
    await query.answer()
    if action == "done":
        await reply(update, t("submitted", lang, task=_task_name(context, ref)))
    elif action == "ev":
        done = to_markup(((Button("✔️ Xong", f"evend:{ref}"),),))
        await reply(update, t("evidence_prompt", lang, task=_task_name(context, ref)), done)
    elif action == "evend":
        await reply(update, t("evidence_done", lang, count=count, task=_task_name(context, ref)),
                    to_markup(occurrence_buttons(ref)[:1]))
    elif action == "snz":
        await reply(update, t("snooze_choose", lang), to_markup(((Button("1 ngày làm việc", f"snz1:{ref}"),
                                                                  Button("3 ngày làm việc", f"snz3:{ref}")),)))
    elif action == "blk":
        await reply(update, t("blocker_prompt", lang, task=_task_name(context, ref)))
    elif action == "rvret":
        await reply(update, t("return_prompt", lang, task=f"[{occ.task_id}] {occ.unit}"))
    elif text:
        await reply(update, text)


def safe_file_name(name: str | None, fallback: str) -> str:
    """A file name that cannot escape its folder: no separators, no dot-dot, no control characters."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").split("/")[-1])
    base = "".join(c for c in base if c.isprintable() and unicodedata.category(c) not in ("Cf",))
    base = re.sub(r"[<>:\"|?*\x00]", "_", base).strip(" .")
    return (base or fallback)[:120]


async def _download(context: BotContext, file_id: str) -> tuple[bytes, str]:
    """Download now (Telegram's links expire); returns the bytes and their SHA-256."""
    return await safety.download_evidence(context.bot, file_id, MAX_DOWNLOAD)


def _archive(context: BotContext, occ_key: str, data: bytes, digest: str, name: str) -> tuple[str, str, int]:
    """Keep the file in evidence_dir/<occurrence>/; returns path, SHA-256, size."""
    folder = context.services.evidence_dir / safe_file_name(occ_key.replace("/", "_"), "task")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / safety.stored_name(digest, name)
    path.write_bytes(data)
    return str(path), digest, len(data)


@guarded
async def on_message(update: Update, context: BotContext) -> None:
    """Text, documents, photos: evidence, blocker text or a return reason when the bot waits for one."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None and user is not None
    svc = context.services
    if await safety.stale_state(update, context):
        return
    with svc.tx() as session:
        state = session.get(ChatStateRow, chat.id)
        actor = load_actor(session, user.id, chat.id)
        kind, ref = (state.kind, state.ref) if state else (None, 0)
        if kind == par_chat.STATE:  # i12b: a file while the bot asks for a document's number is more evidence
            kind, ref = par_chat.resume_if_file(session, actor, ref, message, svc.clock.now())
        occ_key = ""
        if kind == "evidence":
            occ_key = own_occurrence(session, actor, ref).key
    ev = event(update, context)
    if kind == "blocker" and message.text:
        with svc.tx() as session:
            tasks.report_blocker(session, actor, ref, message.text, ev)
        await reply(update, t("blocker_sent", actor.lang))
    elif kind == "return" and message.text:
        with svc.tx() as session:
            occ = review.return_with_reason(session, actor, ref, message.text, ev)
        await reply(update, t("returned", actor.lang, unit=occ.unit))
    elif kind == "metric" and message.text:
        await metrics_chat.on_value(update, context, actor, ref)
    elif kind == par_chat.STATE and message.text:  # i12b
        await par_chat.on_text(update, context, actor, ref)
    elif kind == "evidence":
        await _evidence(update, context, actor, ref, occ_key)
    else:
        await unknown(update, context)


def _seen(context: BotContext, occurrence_id: int, same: ColumnElement[bool]) -> bool:
    with context.services.tx() as session:
        return session.scalar(select(EvidenceRow.id).where(EvidenceRow.occurrence_id == occurrence_id, same)
                              .limit(1)) is not None


async def _evidence(update: Update, context: BotContext, actor: Actor, ref: int, occ_key: str) -> None:
    message = update.effective_message
    assert message is not None
    svc = context.services
    ev = event(update, context)
    fields: dict[str, object]
    if message.document or message.photo:
        media = message.document or message.photo[-1]
        size = media.file_size or 0
        if size > MAX_DOWNLOAD:
            raise Refused("file_too_big")
        fallback = f"anh_{media.file_unique_id}.jpg"
        name = safe_file_name(getattr(media, "file_name", None), fallback)
        if _seen(context, ref, EvidenceRow.file_unique_id == media.file_unique_id):
            await reply(update, f"Tệp {name} đã có trong minh chứng của việc này (không lưu lần nữa).")
            return
        data, digest = await _download(context, media.file_id)
        if _seen(context, ref, EvidenceRow.sha256 == digest):  # the same bytes uploaded again: a new file_id
            await reply(update, f"Tệp {name} đã có trong minh chứng của việc này (không lưu lần nữa).")
            return
        path, digest, real_size = _archive(context, occ_key, data, digest, name)
        fields = dict(kind="document" if message.document else "photo", file_id=media.file_id,
                      file_unique_id=media.file_unique_id, file_name=name, size=real_size, sha256=digest,
                      stored_path=path, text=message.caption)
    elif message.text:
        fields = dict(kind="link" if URL.search(message.text) else "text", text=message.text[:4096], name=None)
        fields.pop("name")
        name = message.text[:60]
    else:
        await reply(update, t("unknown_input", actor.lang))
        return
    with svc.tx() as session:
        row = tasks.add_evidence(session, actor, ref, ev, **fields)  # type: ignore[arg-type]
        count = tasks.evidence_count(session, ref)
    if row.kind == "document":  # i12b: ask for its number, date of issue, subject (skippable)
        return await par_chat.after_upload(update, context, actor, row.id, t("evidence_saved", actor.lang,
                                                                             count=count, name=name))
    await reply(update, t("evidence_saved", actor.lang, count=count, name=name),
                to_markup(((Button("✔️ Xong", f"evend:{ref}"),),)))

