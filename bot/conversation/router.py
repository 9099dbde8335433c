"""The one routing table of the conversation, and what happens to every message on every channel.

An adapter calls `begin` once per update (each update once; who acts; a member who writes again is reachable
again; any command ends a prompt's wait), builds its Turn, and calls `handle(turn, incoming)`:
- a command goes to its flow (`TOPICS`' commands), an unknown one gets the short help;
- a choice goes to the route of its prefix if its argument has the route's shape, else it is refused;
- text or a file goes to the chat's wait (chat_states.kind), a wait left behind by a decided review or an
  accepted task being dropped first; without a wait, a linking or invite code typed alone is accepted, and
  anything else gets the short help;
- a refusal (`Refused`) becomes words from the one catalog, audited, shown as the channel shows refusals; a
  stranger's flood is not answered message by message.
"""

from __future__ import annotations

import logging
import re
import time
from typing import cast

from sqlalchemy import Table, delete, insert
from sqlalchemy.exc import IntegrityError

from bot.conversation import (
    channels,
    closing,
    commands,
    delegation,
    difficulties,
    digest,
    documents,
    evidence,
    exports,
    metrics,
    people,
    reviews,
    screens,
    status,
    tasks,
    trust,
    waits,
)
from bot.conversation.incoming import Choice, Command, File, Incoming, Text
from bot.conversation.routes import ChoiceRoute, CommandFlow, Topic, WaitFlow
from bot.conversation.services import Services
from bot.conversation.turn import Turn
from bot.db.audit import audit
from bot.db.models import ChatStateRow, OccurrenceRow, ProcessedUpdateRow, ReviewRow
from bot.i18n import refusals
from bot.services.access import Actor, Refused, actor_rows
from bot.services.guards import CLOSED_EVIDENCE, task_label
from bot.services.reachability import may_restore, restore_reachability

log = logging.getLogger(__name__)

TOPICS: list[Topic] = [  # one line per topic module
    commands.TOPIC,
    waits.TOPIC,
    tasks.TOPIC,
    reviews.TOPIC,
    difficulties.TOPIC,
    screens.TOPIC,
    status.TOPIC,
    metrics.TOPIC,
    evidence.TOPIC,
    documents.TOPIC,
    people.TOPIC,  # /start, invites, members
    channels.TOPIC,
    trust.TOPIC,
    delegation.TOPIC,
    exports.TOPIC,  # the office's topics: /xuat /lich, /dong, /tonghop
    closing.TOPIC,
    digest.TOPIC,
]

COMMANDS: dict[str, CommandFlow] = {}
CHOICES: dict[str, ChoiceRoute] = {}
WAITS: dict[str, WaitFlow] = {}
# A code typed alone, without a wait: a /lienket code, or an invite from someone the bot does not know yet.
CODE_TYPED: list[tuple[re.Pattern[str], CommandFlow]] = [*people.CODE_TYPED]


def register(topic: Topic) -> None:
    """Join a topic into the table; a name or prefix claimed twice is a programming error."""
    clash = (set(COMMANDS) & set(topic.commands)) | (set(CHOICES) & set(topic.choices)) \
        | (set(WAITS) & set(topic.waits))
    assert not clash, f"routed twice: {sorted(clash)}"
    COMMANDS.update(topic.commands)
    CHOICES.update(topic.choices)
    WAITS.update(topic.waits)


for _topic in TOPICS:
    register(_topic)

# Core, not the ORM bulk insert: it runs on every update.
_MARK_PROCESSED = insert(cast(Table, ProcessedUpdateRow.__table__))


def begin(services: Services, update_id: int, user_id: int, chat_id: int, command: bool) -> Actor | None:
    """Once per update, in one transaction: mark it seen (None if it was: a channel may deliver twice), load
    who acts, make a member who writes again reachable, and end a prompt's wait when a command arrives."""
    try:
        with services.tx() as session:
            now = services.clock.now()
            session.execute(_MARK_PROCESSED, {"update_id": update_id, "at": now})
            actor, rows = actor_rows(session, user_id, chat_id, services.today())
            if may_restore(rows, actor.user_id, user_id, chat_id):
                restore_reachability(session, user_id, chat_id, now, update_id)
            if command:  # any command ends a prompt waiting for text
                session.execute(delete(ChatStateRow).where(ChatStateRow.chat_id == chat_id))
            return actor
    except IntegrityError:
        log.info("update %s seen before: ignored", update_id)
        return None


async def handle(turn: Turn, incoming: Incoming) -> None:
    """What `incoming` asks, answered on `turn` (refusals included)."""
    try:
        await _route(turn, incoming)
    except Refused as exc:
        await refuse(turn, exc)


async def refuse(turn: Turn, exc: Refused) -> None:
    """A refusal in the reader's language, audited; a stranger is answered a few times, then not."""
    if not turn.actor.known and not turn.pressed and not _may_answer_stranger(turn.services, turn.user_id):
        return
    with turn.services.tx() as session:
        audit(session, turn.event.now, f"user:{turn.user_id}", "refused", exc.key,
              {"params": {k: str(v)[:100] for k, v in exc.params.items()}}, turn.event.update_id)
    await turn.refuse(refusals.refusal_text(exc.key, turn.actor.lang, **exc.params))


async def _route(turn: Turn, incoming: Incoming) -> None:
    if isinstance(incoming, Command):
        flow = COMMANDS.get(incoming.name)
        if flow is None:
            await commands.unknown(turn)
            return
        await flow(turn, incoming.args)
    elif isinstance(incoming, Choice):
        prefix, _sep, args = incoming.data.partition(":")
        route = CHOICES.get(prefix)
        if route is None or len(incoming.data.encode()) > 64 or not route.pattern.match(args):
            raise Refused("bad_request")
        await route.flow(turn, args)
    else:
        await _message(turn, incoming)


async def _message(turn: Turn, incoming: Text | File) -> None:
    kind, ref = await _wait(turn)
    flow = WAITS.get(kind or "")
    if flow is not None:
        await flow(turn, ref, incoming)
        return
    if isinstance(incoming, Text):
        for pattern, accept in CODE_TYPED:
            if pattern.match(incoming.text.strip()):
                await accept(turn, (incoming.text.strip(),))
                return
    await commands.unknown(turn)


async def _wait(turn: Turn) -> tuple[str | None, int]:
    """The chat's wait, after dropping one its task or review outgrew: a return reason for a review decided
    meanwhile is forgotten (the message is read as if there were no wait); evidence for a task the office
    accepted is refused once, naming the task."""
    now = turn.services.clock.now()
    task = None
    with turn.services.tx() as session:
        state = session.get(ChatStateRow, turn.chat_id)
        if state is None:
            return None, 0
        kind, ref = state.kind, state.ref
        if kind == "return":
            review = session.get(ReviewRow, ref)
            if review is None or review.decision is not None:
                session.delete(state)
                audit(session, now, f"user:{turn.user_id}", "chat_state_cleared", "return", {"review_id": ref},
                      turn.event.update_id)
                return None, 0
        if kind in ("evidence", CLOSED_EVIDENCE):
            occ = session.get(OccurrenceRow, ref)
            if kind == CLOSED_EVIDENCE or (occ is not None and occ.status == "done"):
                task = task_label(session, occ) if occ is not None else "?"
                session.delete(state)
                audit(session, now, f"user:{turn.user_id}", "refused", "evidence_closed", {"occurrence_id": ref},
                      turn.event.update_id)
    if task is not None:
        raise Refused("evidence_closed", task=task)
    return kind, ref


STRANGER_QUIET_SECONDS = 600.0
STRANGER_ANSWERS = 5  # refusals a non-member gets per STRANGER_QUIET_SECONDS; a flood beyond them is not answered


def _may_answer_stranger(services: Services, user_id: int) -> bool:
    """Whether a user who is no member may be told again (per process: a few answers, then quiet)."""
    seen = services.strangers
    now = time.monotonic()
    if len(seen) > 10_000:  # bounded: forget the old ones
        for key in [k for k, (start, _n) in seen.items() if now - start > STRANGER_QUIET_SECONDS]:
            del seen[key]
    start, count = seen.get(user_id, (now, 0))
    if now - start > STRANGER_QUIET_SECONDS:
        start, count = now, 0
    seen[user_id] = (start, count + 1)
    return count < STRANGER_ANSWERS
