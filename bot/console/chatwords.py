"""What the chat says when it hands out a console sign-in link (`/bangdieukhien`): the console's catalog,
so the chat's own files change by one import and one line."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.console import sessions
from bot.console.app import PREFIX
from bot.db.models import MemberRow
from bot.i18n import _
from bot.services.access import Actor, Refused, require_known
from bot.services.tasks import Event


def sign_in_message(session: Session, actor: Actor, base_url: str | None, ev: Event) -> str:
    """A fresh one-time link for the member who asked (audited), or why there is none."""
    require_known(actor)
    if not base_url:
        return _("The office console is not turned on for this bot (ask the department office).")
    member = session.get(MemberRow, actor.member_id)
    assert member is not None
    try:
        token = sessions.make_link_token(session, member, ev.now, f"member:{member.id}")
    except Refused:
        return _("Your role has no page in the office console.")
    minutes = int(sessions.LINK_TTL.total_seconds() // 60)
    return _("Your sign-in link to the office console (works once, for {minutes} minutes; do not forward it: it "
             "signs in as you):\n{url}").format(minutes=minutes, url=f"{base_url.rstrip('/')}{PREFIX}/login/{token}")
