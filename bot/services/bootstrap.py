"""`nhacviec invite`: an invite made on the server, for the first admin of an office that has no Telegram.

The config's `admins` are Telegram ids; an office on Zalo alone has nobody to send `/moi`. The command line
then acts as a placeholder admin (chat 0, never messaged: unreachable) that retires once a real admin joined.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import InviteRow, MemberRow
from bot.i18n import _
from bot.services.access import load_actor
from bot.services.invites import create_invite
from bot.services.tasks import Event

CLI_CHAT = 0  # the placeholder admin's chat: no channel has it


def cli_invite(session: Session, target: str, ev: Event) -> InviteRow:
    """An invite from the first active admin, or from the placeholder when the office has none yet."""
    admin = cli_admin(session, ev)
    actor = load_actor(session, admin.user_id or admin.chat_id, admin.chat_id)
    return create_invite(session, actor, target, ev)


def cli_admin(session: Session, ev: Event) -> MemberRow:
    """The first active admin, or the placeholder (made now) when the office has none yet."""
    admin = session.scalars(select(MemberRow).where(MemberRow.active, MemberRow.role == "admin")
                            .order_by(MemberRow.chat_id == CLI_CHAT, MemberRow.id)).first()
    if admin is None:
        admin = MemberRow(chat_id=CLI_CHAT, user_id=None, role="admin", unit=None, reachable=False, active=True,
                          name=_("Command line (first setup)"), created_at=ev.now)
        session.add(admin)
        session.flush()
        audit(session, ev.now, "cli", "member_added", str(CLI_CHAT), {"role": "admin", "placeholder": True})
    return admin


def retire_placeholder(session: Session, creator: MemberRow, role: str, ev: Event) -> None:
    """A real admin joined with the placeholder's invite: the placeholder is no longer needed."""
    if creator.chat_id == CLI_CHAT and role == "admin":
        creator.active = False
        audit(session, ev.now, "system", "member_removed", str(CLI_CHAT), {"placeholder": True})
