"""What an answer names: the task, unit, deadline and due date it acted on (CONVERSATION.md, rule 5)."""

from __future__ import annotations

from bot.conversation.services import Services
from bot.db.models import OccurrenceRow
from bot.services import queue
from bot.services.access import Refused


def occurrence_subject(services: Services, occurrence_id: int) -> queue.Subject:
    with services.tx() as session:
        occ = session.get(OccurrenceRow, occurrence_id)
        if occ is None:
            raise Refused("no_such_task")
        return queue.subject_of(session, occ)
