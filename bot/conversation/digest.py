"""`/tonghop` (alias `/digest`): the weekly digest, now, for whoever asks."""

from __future__ import annotations

from bot.conversation.routes import Topic, bare
from bot.conversation.turn import Turn
from bot.engine.digests import build_digest
from bot.services.access import Refused
from bot.views.model import View


async def digest(turn: Turn) -> None:
    """Office and leadership get the overview with its chart; a head gets the digest of each of their units."""
    actor = turn.actor
    if not actor.known:
        raise Refused("stranger")
    svc = turn.services
    audiences = ["overview"] if actor.can_read_all else [f"unit:{u}" for u in sorted(actor.units)]
    for audience in audiences:
        for text, photo in build_digest(svc.engine, audience, svc.clock.now(), svc.zone):
            if photo is not None:
                await turn.send_file(photo, "tonghop.png", text[:1024], photo=True)
            else:
                await turn.reply(View((text,)))


TOPIC = Topic(commands={"tonghop": bare(digest), "digest": bare(digest)})
