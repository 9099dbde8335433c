"""Evidence intake on any channel: while a chat waits for a task's evidence (📎), a file, a photo, a link or a
text is a supporting document of that task.

A file is fetched the channel's way (`turn.fetch`), counted (too big or empty is refused), archived under the
occurrence's folder (bot.services.archive) and recorded (bot.services.tasks.add_evidence). The rules are the
personal page's (bot.services.guards): nothing for a task the office accepted or closed, the same bytes once
per task (a copy the channel recognises is refused before it is downloaded). A document is then asked for its
number and date of issue (bot.conversation.documents); anything else offers ✔️ Finished.
"""

from __future__ import annotations

import hashlib
import re

from bot.conversation.incoming import File, Text
from bot.conversation.routes import Topic
from bot.conversation.turn import Turn
from bot.db.models import OccurrenceRow
from bot.i18n import _, language
from bot.services import guards, queue, tasks
from bot.services.access import Refused, own_occurrence
from bot.services.archive import archive, clean_name, photo_name
from bot.views import actions as wire
from bot.views.model import Action, View
from bot.views.taskcard import subject_text

MAX_DOWNLOAD = 20 * 1024 * 1024  # Telegram Bot API's getFile limit
URL = re.compile(r"https?://\S+", re.IGNORECASE)
STATE = "evidence"  # chat state kind: the next messages are evidence for occurrence `ref`


def safe_file_name(name: str | None, fallback: str) -> str:
    """The name shown for a file a head sent (at most 120 characters); the stored name is `stored_name`."""
    return clean_name(name, fallback)[:120]


async def receive(turn: Turn, occurrence_id: int, message: Text | File) -> None:
    """One evidence item for the occurrence the chat waits for: stored, counted, and the next step offered."""
    from bot.conversation import documents  # documents resumes evidence: each imports the other

    svc = turn.services
    with svc.tx() as session:
        occ = own_occurrence(session, turn.actor, occurrence_id)  # an acting head uploads too
        occ_key = occ.key
        guards.refuse_after_acceptance(session, occ)  # before a download, not only after it
    fields: dict[str, object]
    if isinstance(message, File):
        if message.size > MAX_DOWNLOAD:
            raise Refused("file_too_big")
        fallback = photo_name(occ_key, svc.clock.now().astimezone(svc.zone))  # task, unit, time: readable
        name = safe_file_name(message.name or None, fallback)
        with svc.tx() as session:
            guards.refuse_duplicate(session, occurrence_id, None, name, unique=message.unique)
        data = await turn.fetch(message, MAX_DOWNLOAD)
        with svc.tx() as session:  # the same bytes sent again as a new file: refused before they are kept
            guards.refuse_duplicate(session, occurrence_id, hashlib.sha256(data).hexdigest(), name)
        stored = archive(svc.evidence_dir, occ_key, data, name)
        fields = {"kind": message.kind, "file_id": message.ref, "file_unique_id": message.unique or None,
                  "file_name": name, "size": stored.size, "sha256": stored.sha256, "stored_path": str(stored.path),
                  "text": message.caption}
    else:
        fields = {"kind": "link" if URL.search(message.text) else "text", "text": message.text[:4096]}
        name = message.text[:60]
    with svc.tx() as session:
        row = tasks.add_evidence(session, turn.actor, occurrence_id, turn.event, **fields)  # type: ignore[arg-type]
        count = tasks.evidence_count(session, occurrence_id)
        occ_row = session.get(OccurrenceRow, occurrence_id)
        assert occ_row is not None
        subject = queue.subject_of(session, occ_row)
        evidence_id, kind = row.id, row.kind
    with language(turn.actor.lang):
        saved = (_("Supporting document saved ({count}): {name}").format(count=count, name=name) + "\n"
                 + _("For: {subject}").format(subject=subject_text(subject)))
        if kind == "document":  # ask for số/ký hiệu, ngày ban hành, trích yếu (skippable)
            await documents.after_upload(turn, evidence_id, saved)
            return
        await turn.reply(View((saved,), ((Action("✔️ " + _("Finished"), wire.evidence_end(occurrence_id)),),)))


TOPIC = Topic(waits={STATE: receive})  # a closed wait (CLOSED_EVIDENCE) is refused by the router itself
