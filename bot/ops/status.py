"""`nhacviec status`: what an IT officer checks first, read from the configuration and the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.config import Config
from bot.db.models import DeliveryRow, MemberRow
from bot.i18n import _
from bot.i18n.formats import fmt_number
from bot.ops.faults import safe_url
from bot.ops.schema import SchemaState


@dataclass(frozen=True)
class Backlog:
    due: int  # pending deliveries whose time has come
    oldest: datetime | None  # the oldest of them (its lag is the outbox lag)
    failed: int
    uncertain: int
    last_claimed: datetime | None  # when a sweep last took work
    last_sent: datetime | None


def backlog(session: Session, now: datetime) -> Backlog:
    d = DeliveryRow
    due = session.execute(select(func.count(), func.min(d.next_at)).where(
        d.state == "pending", d.next_at <= now)).one()
    failed = session.scalar(select(func.count()).where(d.state == "failed")) or 0
    uncertain = session.scalar(select(func.count()).where(d.state == "uncertain")) or 0
    last_claimed = session.scalar(select(func.max(d.claimed_at)))
    last_sent = session.scalar(select(func.max(d.sent_at)))
    return Backlog(due[0] or 0, _aware(due[1]), failed, uncertain, _aware(last_claimed), _aware(last_sent))


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # aggregates on SQLite come back as text
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def members(session: Session) -> dict[str, tuple[int, int]]:
    """role → (active members, of whom reachable)."""
    m = MemberRow
    rows = session.execute(select(m.role, func.count(), func.sum(func.cast(m.reachable, type_=m.id.type)))
                           .where(m.active.is_(True)).group_by(m.role)).all()
    return {role: (count, int(reachable or 0)) for role, count, reachable in rows}


def channels(config: Config) -> list[str]:
    """One line per channel: on or off, and how it receives."""
    lines = []
    if config.token():
        how = _("webhook {url}").format(url=config.telegram.webhook.url) if config.telegram.webhook else _("polling")
        lines.append(_("Telegram: on ({how})").format(how=how))
    else:
        lines.append(_("Telegram: off (no TELEGRAM_BOT_TOKEN / telegram.token)"))
    if config.zalo_token():
        how = _("webhook {url}").format(url=config.zalo.webhook.url) if config.zalo.webhook else _("polling")
        lines.append(_("Zalo: on ({how})").format(how=how))
    else:
        lines.append(_("Zalo: off (no ZALO_BOT_TOKEN / zalo.token)"))
    lines.append(_("E-mail: on ({host})").format(host=config.email.host) if config.email.enabled
                 else _("E-mail: off"))
    lines.append(_("Personal page: {url} (listening on {listen}:{port})").format(
        url=config.web.base_url, listen=config.web.listen, port=config.web.port) if config.web.base_url
        else _("Personal page: off (web.base_url not set)"))
    return lines


def _when(value: datetime | None, now: datetime, zone: Any) -> str:
    if value is None:
        return _("never")
    ago = max(0, int((now - value).total_seconds()))
    return _("{time} ({minutes} minutes ago)").format(
        time=value.astimezone(zone).strftime("%d/%m/%Y %H:%M:%S"), minutes=fmt_number(ago // 60))


def render_status(config: Config, engine: Engine, state: SchemaState, plans: list[Any], now: datetime) -> str:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(config.timezone)
    out = [_("Database: {url}").format(url=safe_url(config.database.url))]
    if state.at_head:
        out.append(_("  schema: revision {rev} (current)").format(rev=state.current))
    elif state.newer:
        out.append(_("  schema: revision {rev} is NEWER than this nhacviec ({head}): upgrade nhacviec").format(
            rev=state.current, head=state.head))
    else:
        out.append(_("  schema: revision {rev}, {count} migration(s) pending (applied at the next start)").format(
            rev=state.current or "-", count=len(state.pending)))
    for plan in plans:
        start = plan.plan.start
        out.append(_("Plan: {id} — {title} (from {start})").format(
            id=plan.plan.id, title=plan.plan.title, start=start.strftime("%d/%m/%Y") if start else "-"))
    labels = {"admin": _("office"), "leader": _("leadership"), "head": _("unit heads")}
    with Session(engine) as session:
        people = members(session) if state.current is not None else {}
        queue = backlog(session, now) if state.current is not None else None
    if people:
        parts = [_("{role} {count} ({reachable} reachable)").format(
            role=labels.get(role, role), count=fmt_number(count), reachable=fmt_number(ok))
            for role, (count, ok) in sorted(people.items())]
        out.append(_("Members: {list}").format(list="; ".join(parts)))
    else:
        out.append(_("Members: none yet"))
    if queue is not None:
        lag = int((now - queue.oldest).total_seconds()) if queue.oldest else 0
        out.append(_("Outbox: {due} due now (oldest waiting {lag} s), {failed} failed, {uncertain} uncertain").format(
            due=fmt_number(queue.due), lag=fmt_number(max(lag, 0)), failed=fmt_number(queue.failed),
            uncertain=fmt_number(queue.uncertain)))
        out.append(_("Last sweep that sent work: {when}; last message sent: {sent}").format(
            when=_when(queue.last_claimed, now, zone), sent=_when(queue.last_sent, now, zone)))
    out += [_("Channels:")] + [f"  {line}" for line in channels(config)]
    out += running(config)
    return "\n".join(out)


def running(config: Config, timeout: float = 2.0) -> list[str]:
    """What the running bot says about itself on its /readyz (on this machine), or that it does not answer."""
    import json
    import urllib.error
    import urllib.request

    host = "127.0.0.1" if config.web.listen in ("0.0.0.0", "", "::") else config.web.listen
    url = f"http://{host}:{config.web.port}/readyz"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - a local URL we built
            body = json.loads(response.read())
    except urllib.error.HTTPError as exc:  # 503: running, not ready
        try:
            body = json.loads(exc.read())
        except ValueError:
            return [_("Running bot: {url} answered {status}").format(url=url, status=exc.code)]
    except (OSError, ValueError):
        return [_("Running bot: no answer at {url} (not running on this machine, or another web.port)").format(
            url=url)]
    words = {"ok": _("ready"), "degraded": _("ready, but a channel does not answer"),
             "unavailable": _("NOT ready")}
    lines = [_("Running bot: {state}").format(state=words.get(body.get("status"), body.get("status")))]
    for name, state in sorted((body.get("channels") or {}).items()):
        shown = _("e-mail") if name == "email" else name.capitalize()
        lines.append(_("  {name}: {state} since {since}").format(
            name=shown, state=_("answers") if state.get("up") else _("does not answer"), since=state.get("since")))
    sweep = body.get("sweep") or {}
    if sweep.get("last_seconds_ago") is not None:
        lines.append(_("  last sweep: {seconds} s ago").format(seconds=sweep["last_seconds_ago"]))
    return lines
