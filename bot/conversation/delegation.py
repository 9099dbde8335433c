"""Handing work on, on any channel: `/chuyenvien`, `/giao`, `/quyen`, `/giahan`, and the office's ✔️/✖️ on a
request for more time (`gh:ok:<id>` / `gh:no:<id>`).

`/chuyenvien`: a head gets an invite for a specialist or deputy of the unit, and sees who joined.
`/giao 1.2 [deadline] #12`: hands the unit's nearest open 1.2 to member #12 (`#0` takes it back).
`/quyen #12 04/11/2019 08/11/2019`: member #12 stands in for the head on those days; `/quyen` lists the stand-ins
in force, `/quyen huy 3` ends stand-in 3 early.
`/giahan 1.2 [deadline] 05/12/2019 reason…`: asks the office for more time.
"""

from __future__ import annotations

import re
import unicodedata

from bot.conversation.people import telegram_link
from bot.conversation.routes import ChoiceRoute, Topic
from bot.conversation.turn import Turn
from bot.domain.plan import parse_day
from bot.domain.text import nfc
from bot.i18n import _, language
from bot.services.access import Actor, Refused, require_known
from bot.services.delegation import (
    acting_heads,
    assign,
    cancel_acting_head,
    create_staff_invite,
    decide_extension,
    find_own,
    request_extension,
    set_acting_head,
    unit_staff,
)
from bot.texts import fmt_date, fmt_local
from bot.views.model import View

VERDICT = re.compile(r"^(ok|no):\d{1,12}$")
_MEMBER = re.compile(r"^#?(\d{1,9})$")
_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")


def _unit(actor: Actor) -> str:
    require_known(actor)
    if not actor.units:
        raise Refused("heads_only")
    return sorted(actor.units)[0]


async def _say(turn: Turn, text: str) -> None:
    await turn.reply(View((text,)))


async def staff_invite(turn: Turn, args: tuple[str, ...]) -> None:
    """/chuyenvien: an invite for a staff member of the head's unit, and who joined already."""
    actor = turn.actor
    unit = _unit(actor)
    with turn.services.tx() as session:
        made = create_staff_invite(session, actor, unit, turn.event)
        staff = [(m.id, m.name) for m in unit_staff(session, actor, unit)]
    link = telegram_link(turn, made.code)
    with language(actor.lang):
        lines = [_("🔗 Invite link for a staff member (specialist or deputy) of {unit}, valid until {expires}: "
                   "{link}").format(unit=unit, expires=fmt_local(made.expires_at), link=link or made.code)]
        if turn.services.zalo and link:
            lines.append(_("On Zalo: send the nhacviec bot this code: {code}").format(code=made.code))
        if staff:
            lines.append(_("Staff members now: {names}.").format(
                names=", ".join(f"#{mid} {name}" for mid, name in staff)))
        lines.append(_("Hand an item to one of them: /giao <task> #<number>; an acting head: "
                       "/quyen #<number> <from dd/mm/yyyy> <to dd/mm/yyyy>."))
    await _say(turn, "\n".join(lines))


def _task_words(words: list[str]) -> tuple[str, str | None, list[str]]:
    """`1.2 [deadline] rest…` → task, deadline (a word before the rest that is no member and no date), rest."""
    if not words:
        raise Refused("delegation_usage")
    task, rest = words[0], words[1:]
    deadline = None
    if rest and not _MEMBER.match(rest[0]) and not _DATE.match(rest[0]):
        deadline, rest = rest[0], rest[1:]
    return task, deadline, rest


async def hand(turn: Turn, args: tuple[str, ...]) -> None:
    """/giao <task> [deadline] #<member>: the item goes to a staff member (#0: back to the head)."""
    actor = turn.actor
    task, deadline, rest = _task_words([nfc(a) for a in args])
    member = _MEMBER.match(rest[0]) if rest else None
    if member is None:
        raise Refused("delegation_usage")
    number = int(member.group(1))
    with turn.services.tx() as session:
        occ = find_own(session, actor, task, deadline)
        assign(session, actor, occ.id, number or None, turn.event)
        label, due = occ.label, occ.due
    with language(actor.lang):
        if not number:
            text = _("↩️ {task} ({label}, due {due}) is back with the head.").format(
                task=task, label=label, due=fmt_date(due))
        else:
            text = _("📌 {task} ({label}, due {due}) handed to member #{member}: they get its reminders and can "
                     "send its documents.").format(task=task, label=label, due=fmt_date(due), member=number)
    await _say(turn, text)


def _plain(word: str) -> str:
    """The word without case or diacritics (the way out typed with or without its accent)."""
    return "".join(c for c in unicodedata.normalize("NFD", word.casefold()) if unicodedata.category(c) != "Mn")


async def acting(turn: Turn, args: tuple[str, ...]) -> None:
    """/quyen #<member> <from> <to>; /quyen lists the stand-ins; /quyen huy <number> ends one."""
    actor = turn.actor
    words = [nfc(a) for a in args]
    if not words or _plain(words[0]) in ("huy", "cancel"):
        await _say(turn, _acting_list_or_cancel(turn, words[1:] if words else None))
        return
    member = _MEMBER.match(words[0])
    if member is None or len(words) != 3:
        raise Refused("delegation_usage")
    try:
        starts, ends = parse_day(words[1]), parse_day(words[2])
    except ValueError:
        raise Refused("delegation_usage") from None
    unit = _unit(actor)
    with turn.services.tx() as session:
        set_acting_head(session, actor, unit, int(member.group(1)), starts, ends, turn.event)
    with language(actor.lang):
        text = _("✅ Member #{member} stands in for the head of {unit} from {starts} to {ends}: reminders and "
                 "rights follow them on those days.").format(member=member.group(1), unit=unit,
                                                             starts=fmt_date(starts), ends=fmt_date(ends))
    await _say(turn, text)


def _acting_list_or_cancel(turn: Turn, rest: list[str] | None) -> str:
    """No words: the stand-ins in force; `huy <number>`: end that one now (audited)."""
    actor = turn.actor
    unit = _unit(actor)
    with turn.services.tx() as session:
        if rest is None:
            rows = [(r.id, r.member_id, r.starts, r.ends)
                    for r in acting_heads(session, unit, turn.services.today())]
        else:
            number = _MEMBER.match(rest[0]) if len(rest) == 1 else None
            if number is None:
                raise Refused("delegation_usage")
            row = cancel_acting_head(session, actor, int(number.group(1)), turn.event)
            cancelled = (row.id, row.member_id)
    with language(actor.lang):
        if rest is not None:
            return _("✅ Stand-in {number} ended: member #{member} no longer acts for the head.").format(
                number=cancelled[0], member=cancelled[1])
        if not rows:
            return _("No one stands in for the head of {unit}. Set one: /quyen #<number> <from dd/mm/yyyy> "
                     "<to dd/mm/yyyy>.").format(unit=unit)
        lines = [_("Stand-ins for the head of {unit}:").format(unit=unit)]
        lines += [_("{number}. member #{member}, from {starts} to {ends}").format(
            number=ident, member=member, starts=fmt_date(starts), ends=fmt_date(ends))
            for ident, member, starts, ends in rows]
        lines.append(_("End one early: /quyen huy <number>."))
        return "\n".join(lines)


async def extend(turn: Turn, args: tuple[str, ...]) -> None:
    """/giahan <task> [deadline] <dd/mm/yyyy> <reason…>: asks the office for more time."""
    actor = turn.actor
    task, deadline, rest = _task_words([nfc(a) for a in args])
    if not rest or not _DATE.match(rest[0]):
        raise Refused("extension_usage")
    try:
        wanted = parse_day(rest[0])
    except ValueError:
        raise Refused("extension_usage") from None
    with turn.services.tx() as session:
        occ = find_own(session, actor, task, deadline)
        request_extension(session, actor, occ.id, wanted, " ".join(rest[1:]), turn.event)
        label, due = occ.label, occ.due
    with language(actor.lang):
        text = _("⏳ Request for more time sent to the department office: {task} ({label}), due {due}, asked "
                 "until {wanted}. The deadline stays {due} until the office grants it.").format(
            task=task, label=label, due=fmt_date(due), wanted=fmt_date(wanted))
    await _say(turn, text)


async def decide(turn: Turn, args: str) -> None:
    """`gh:ok:<id>` / `gh:no:<id>`: the office's ✔️ / ✖️ on a request for more time; the answer replaces the
    buttons."""
    verdict, ident = args.split(":")
    actor = turn.actor
    with turn.services.tx() as session:
        decision = decide_extension(session, actor, int(ident), verdict == "ok", turn.event, turn.services.calendar)
        granted, due = decision.extension.decision == "granted", decision.occurrence.due
    with language(actor.lang):
        text = (_("✅ More time granted: the deadline is now {due}.") if granted
                else _("✖️ More time refused: the deadline stays {due}.")).format(due=fmt_date(due))
    await turn.show(View((text,)))


TOPIC = Topic(commands={"chuyenvien": staff_invite, "staff": staff_invite, "giao": hand, "assign": hand,
                        "quyen": acting, "acting": acting, "giahan": extend, "extend": extend},
              choices={"gh": ChoiceRoute(VERDICT, decide)})
