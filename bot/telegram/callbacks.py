"""Buttons and the messages that answer them (evidence, blocker text, return reason, direction).

Routing is a table: callback prefix → (argument pattern, handler). Another module adds a route with
`ROUTES["xyz"] = Route(re.compile(...), handler)`; unknown, malformed or forged data is refused.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session
from telegram import Update

from bot.conversation import router
from bot.db.models import ChatStateRow, EvidenceRow, OccurrenceRow
from bot.i18n import _, language
from bot.services import queue, tasks
from bot.services.access import Actor, Refused, load_actor, own_occurrence
from bot.services.archive import archive, clean_name, photo_name
from bot.services.guards import CLOSED_EVIDENCE
from bot.telegram import entry, safety, screens
from bot.telegram import exports as exports_chat
from bot.telegram import par as par_chat  # PAR document metadata (số/ký hiệu, ngày ban hành…)
from bot.telegram.context import BotContext
from bot.telegram.handlers import event, guarded, reply, unknown
from bot.views.taskcard import subject_text

MAX_DOWNLOAD = 20 * 1024 * 1024  # Bot API getFile limit
URL = re.compile(r"https?://\S+", re.IGNORECASE)
ID = re.compile(r"^\d{1,12}$")
PAGE = re.compile(r"^\d{1,4}$")


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    handler: Callable[[Update, BotContext, str], Awaitable[None]]


# Kinds not yet on the conversation core (bot.conversation.router.CHOICES has the others).
ROUTES: dict[str, Route] = {
    "lp": Route(PAGE, exports_chat.on_picker),
}


TextState = Callable[[Update, BotContext, Actor, int, str], Awaitable[None]]


# What a text answers when the chat waits for one, for the waits not yet on the conversation core.
async def _document_details(update: Update, context: BotContext, actor: Actor, ref: int, text: str) -> None:
    await par_chat.on_text(update, context, actor, ref)


TEXT_STATES: dict[str, TextState] = {par_chat.STATE: _document_details}
# Called after each evidence item is stored: (update, context, actor, occurrence id, evidence row id).
AFTER_EVIDENCE: list[Callable[[Update, BotContext, Actor, int, int], Awaitable[None]]] = []


@guarded
async def on_button(update: Update, context: BotContext) -> None:
    """Every inline button: the route of its prefix, if its argument has the route's shape."""
    query = update.callback_query
    assert query is not None
    prefix, _sep, args = (query.data or "").partition(":")
    if prefix in router.CHOICES or prefix not in ROUTES:
        await entry.on_update(update, context)
        return
    route = ROUTES.get(prefix)
    if route is None or len((query.data or "").encode()) > 64 or not route.pattern.match(args):
        raise Refused("bad_request")
    await route.handler(update, context, args)


def safe_file_name(name: str | None, fallback: str) -> str:
    """The name shown for a file a head sent (at most 120 characters); the stored name is `stored_name`."""
    return clean_name(name, fallback)[:120]


async def _download(context: BotContext, file_id: str) -> tuple[bytes, str]:
    """Download now (Telegram's links expire); returns the bytes and their SHA-256."""
    return await safety.download_evidence(context.bot, file_id, MAX_DOWNLOAD)


def _archive(context: BotContext, occ_key: str, data: bytes, digest: str, name: str) -> tuple[str, str, int]:
    """Keep the file in evidence_dir/<occurrence>/; returns path, SHA-256, size."""
    stored = archive(context.services.evidence_dir, occ_key, data, name)
    return str(stored.path), stored.sha256, stored.size


@guarded
async def on_message(update: Update, context: BotContext) -> None:
    """Text, documents, photos: evidence, blocker text or a return reason when the bot waits for one."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None and user is not None
    svc = context.services
    with svc.tx() as session:
        state = session.get(ChatStateRow, chat.id)
        legacy = state is not None and state.kind in ("evidence", CLOSED_EVIDENCE, par_chat.STATE)
    if not legacy:
        await entry.on_update(update, context)  # the conversation core's waits and codes typed alone
        return
    if await safety.stale_state(update, context):  # a wait left by a task accepted meanwhile
        return
    with svc.tx() as session:
        state = session.get(ChatStateRow, chat.id)
        actor = load_actor(session, user.id, chat.id, svc.today())  # an acting head uploads too
        kind, ref = (state.kind, state.ref) if state else (None, 0)
        if kind == par_chat.STATE:  # a file (or link) instead of the document's details: more evidence
            kind, ref = par_chat.resume_if_file(session, actor, ref, message, svc.clock.now())
        occ_key = ""
        if kind == "evidence":
            occ_key = own_occurrence(session, actor, ref).key
    text_state = TEXT_STATES.get(kind or "")
    if text_state is not None and message.text:
        await text_state(update, context, actor, ref, message.text)
    elif kind == "evidence":
        await _evidence(update, context, actor, ref, occ_key)
    else:
        await unknown(update, context)


def row_occurrence(session: Session, occurrence_id: int) -> OccurrenceRow:
    occ = session.get(OccurrenceRow, occurrence_id)
    assert occ is not None
    return occ


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
        fallback = photo_name(occ_key, svc.clock.now().astimezone(svc.zone))  # task, unit, time: readable
        name = safe_file_name(getattr(media, "file_name", None), fallback)
        if _seen(context, ref, EvidenceRow.file_unique_id == media.file_unique_id):
            await _already(update, actor, name)
            return
        data, digest = await _download(context, media.file_id)
        if _seen(context, ref, EvidenceRow.sha256 == digest):  # the same bytes uploaded again: a new file_id
            await _already(update, actor, name)
            return
        path, digest, real_size = _archive(context, occ_key, data, digest, name)
        fields = {"kind": "document" if message.document else "photo", "file_id": media.file_id,
                      "file_unique_id": media.file_unique_id, "file_name": name, "size": real_size, "sha256": digest,
                      "stored_path": path, "text": message.caption}
    elif message.text:
        fields = {"kind": "link" if URL.search(message.text) else "text", "text": message.text[:4096], "name": None}
        fields.pop("name")
        name = message.text[:60]
    else:
        await unknown(update, context)
        return
    with svc.tx() as session:
        row = tasks.add_evidence(session, actor, ref, ev, **fields)  # type: ignore[arg-type]
        count = tasks.evidence_count(session, ref)
        subject = queue.subject_of(session, row_occurrence(session, ref))
    with language(actor.lang):
        saved = (_("Supporting document saved ({count}): {name}").format(count=count, name=name) + "\n"
                 + _("For: {subject}").format(subject=subject_text(subject)))
    if row.kind == "document":  # ask for số/ký hiệu, ngày ban hành, trích yếu (skippable)
        await par_chat.after_upload(update, context, actor, row.id, saved)
    else:
        await reply(update, saved, screens.keyboard(((screens.Action("✔️ " + _("Finished"), f"evend:{ref}"),),)))
    for hook in AFTER_EVIDENCE:
        await hook(update, context, actor, ref, row.id)


async def _already(update: Update, actor: Actor, name: str) -> None:
    with language(actor.lang):
        await reply(update, _("The file {name} is already among this task's supporting documents "
                              "(not saved again).").format(name=name))

