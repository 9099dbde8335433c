"""Chat safety checks called from one line each in handlers/callbacks (issue 11).

- a member who writes again is reachable again, and the office is told;
- a chat state left behind by a decided review or an accepted task is cleared, never a trap;
- evidence after the office accepted the task is refused, naming the task;
- evidence files are stored under a name the file system accepts (≤ 255 bytes), whatever their length;
- downloads count their bytes: an empty file or one over the limit is refused, whatever it declared;
- refusals added here are rendered from the catalogs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
from telegram import Bot, Update
from telegram.error import BadRequest

from bot.db.audit import audit
from bot.db.models import ChatStateRow, OccurrenceRow, ReviewRow
from bot.i18n import refusals
from bot.services.access import Refused
from bot.services.guards import CLOSED_EVIDENCE, task_label
from bot.services.reachability import may_restore, restore_reachability
from bot.telegram.context import BotContext

__all__ = ["may_restore", "restore_reachability"]

MAX_DOWNLOAD = 20 * 1024 * 1024  # Bot API getFile limit



def refusal_text(exc: Refused, lang: str) -> str:
    """The words of a refusal in `lang` (bot.i18n.refusals, the one catalog)."""
    return refusals.refusal_text(exc.key, lang, **exc.params)


# --- chat states left behind -----------------------------------------------------------------------

async def stale_state(update: Update, context: BotContext) -> bool:
    """Before a message is read as evidence or a return reason: drop a state its task or review outgrew.

    A return reason for a review decided meanwhile: the state is cleared and the message handled as if no
    state existed (returns False). Evidence for a task the office accepted: the state is cleared and the
    sender told once, naming the task (returns True: the message is answered)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    svc = context.services
    now = svc.clock.now()
    task = None
    with svc.tx() as session:
        state = session.get(ChatStateRow, chat.id)
        if state is None:
            return False
        if state.kind == "return":
            review = session.get(ReviewRow, state.ref)
            if review is None or review.decision is not None:
                session.delete(state)
                audit(session, now, f"user:{user.id}", "chat_state_cleared", "return",
                      {"review_id": state.ref}, update.update_id)
            return False
        if state.kind in ("evidence", CLOSED_EVIDENCE):
            occ = session.get(OccurrenceRow, state.ref)
            if state.kind == CLOSED_EVIDENCE or (occ is not None and occ.status == "done"):
                task = task_label(session, occ) if occ is not None else "?"
                session.delete(state)
                audit(session, now, f"user:{user.id}", "refused", "evidence_closed",
                      {"occurrence_id": state.ref}, update.update_id)
    if task is None:
        return False
    from bot.telegram.handlers import actor_of, reply  # handlers imports this module

    await reply(update, refusal_text(Refused("evidence_closed", task=task), actor_of(update, context).lang))
    return True


# --- files -----------------------------------------------------------------------------------------

async def download_evidence(bot: Bot, file_id: str, limit: int = MAX_DOWNLOAD) -> tuple[bytes, str]:
    """Download a file counting its bytes (the declared file_size is not trusted): more than `limit` bytes
    stops the download and is refused as file_too_big, 0 bytes as empty_file. Returns bytes and SHA-256."""
    try:
        file = await bot.get_file(file_id)
    except BadRequest as exc:
        if "too big" in str(exc).lower():
            raise Refused("file_too_big") from None
        raise
    if file.file_size is not None and file.file_size > limit:
        raise Refused("file_too_big")
    path = file.file_path or ""
    if path.startswith(("http://", "https://")):
        data = await _fetch(path, limit)
    else:  # a local Bot API server (--local) hands out paths on its disk
        data = _read_local(Path(path), limit)
    if not data:
        raise Refused("empty_file")
    return data, hashlib.sha256(data).hexdigest()


async def _fetch(url: str, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    async with httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0)) as client:
        async with client.stream("GET", url) as response:
            response.raise_for_status()
            async for chunk in response.aiter_bytes():
                total += len(chunk)
                if total > limit:
                    raise Refused("file_too_big")
                chunks.append(chunk)
    return b"".join(chunks)


def _read_local(path: Path, limit: int) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise Refused("file_too_big")
    return data
