"""After 20/11: the council (Hoi dong tham dinh) reviews the dossier. The office records each question or point
deduction on a criterion and turns it into a short task for the responsible unit (2–3 working days) with its own
reminders, through the same occurrence and reminder rows as the plan's tasks (keys `council:…`, left alone by
every plan's sync). And the survey (DTXHH): reminders to the units whose people must answer it."""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import (
    CouncilItemRow,
    CriteriaSetRow,
    CriterionRow,
    CriterionUnitRow,
    OccurrenceRow,
    ReminderRow,
    TaskRow,
    UnitRow,
)
from bot.db.notices import queue_notice
from bot.domain.deadlines import Occurrence
from bot.domain.ladder import ladder_reminders
from bot.domain.plan import Ladder
from bot.domain.workdays import WorkCalendar
from bot.engine.sync import OWN_KEYS
from bot.i18n import _
from bot.services.access import Actor, Refused, require_admin
from bot.services.tasks import Event
from bot.texts import VN_ZONE, fmt_date

KINDS = ("question", "deduction")
TEXT_CHARS = 2000
COUNCIL_FROM = (11, 20)  # the self-assessment is due by 20/11; the council's review follows
# A short task: a reminder the working day before, on the day, then daily for three days; leadership after two.
LADDER = Ladder(at="08:00", before=[1], on_due=True, overdue_every=1, overdue_for=3, escalate_to_lead_after=None,
                escalate_to_leadership_after=2)


@dataclass(frozen=True)
class CouncilTask:
    """A council item recorded; `occurrence_id` is its short task (None when no unit was named or owes it)."""

    item_id: int
    criterion_id: int
    code: str
    kind: str
    unit: str | None
    occurrence_id: int | None
    due: date | None
    reminders: int


def _text(raw: str) -> str:
    return unicodedata.normalize("NFC", " ".join(raw.split()))[:TEXT_CHARS]


def _area(session: Session, row: CriterionRow) -> CriterionRow:
    while row.parent_id is not None:
        parent = session.get(CriterionRow, row.parent_id)
        if parent is None:
            break
        row = parent
    return row


def record_council_item(session: Session, actor: Actor, criterion_id: int, kind: str, text: str,
                        points: float | str | None, unit: str | None, ev: Event, today: date, calendar: WorkCalendar,
                        working_days: int = 2) -> CouncilTask:
    """Record the council's question or deduction and give the unit a task due in `working_days` (2–3)."""
    require_admin(actor)
    row = session.get(CriterionRow, criterion_id)
    if row is None or row.retired:
        raise Refused("no_such_criterion", code=str(criterion_id), known="-")
    crit_set = session.get(CriteriaSetRow, row.set_id)
    assert crit_set is not None
    opens = date(crit_set.year, *COUNCIL_FROM)
    if today < opens:
        raise Refused("council_closed", day=fmt_date(opens))
    body = _text(text)
    if kind not in KINDS or not body:
        raise Refused("empty_text")
    deduction = None
    if kind == "deduction":
        try:
            deduction = float(str(points).strip().replace(",", "."))
        except ValueError:
            deduction = -1.0
        if not 0 < deduction <= row.max_points:
            raise Refused("council_bad_points", value=str(points)[:20], max=f"{row.max_points:g}".replace(".", ","))
    owner = _owner(session, row, unit)
    item = CouncilItemRow(criterion_id=row.id, kind=kind, text=body, points=deduction, unit=owner,
                          created_by=actor.member_id, created_at=ev.now)
    session.add(item)
    session.flush()
    occ_id, due, count = None, None, 0
    if owner is not None:
        occ_id, due, count = _short_task(session, item, row, crit_set, owner, ev, today, calendar,
                                         max(2, min(working_days, 3)))
    audit(session, ev.now, f"member:{actor.member_id}", "council_item_recorded", row.code,
          {"item_id": item.id, "kind": kind, "text": body[:200], "points": deduction, "unit": owner,
           "occurrence_id": occ_id, "due": due.isoformat() if due else None}, ev.update_id)
    return CouncilTask(item.id, row.id, row.code, kind, owner, occ_id, due, count)


def _owner(session: Session, row: CriterionRow, unit: str | None) -> str | None:
    """The unit named, else the one unit that owes the criterion's evidence (several or none: no task)."""
    if unit:
        found = session.get(UnitRow, unit.strip())
        if found is None or found.retired:
            raise Refused("no_such_unit", unit=unit[:24])
        return found.id
    owing = list(session.scalars(select(CriterionUnitRow.unit).where(CriterionUnitRow.criterion_id == row.id)))
    return owing[0] if len(owing) == 1 else None


def _short_task(session: Session, item: CouncilItemRow, row: CriterionRow, crit_set: CriteriaSetRow, unit: str,
                ev: Event, today: date, calendar: WorkCalendar, days: int) -> tuple[int, date, int]:
    area = _area(session, row)
    task_id = f"{OWN_KEYS}{item.id}"
    session.add(TaskRow(id=task_id, area=area.code[:24], area_name=area.name, title=f"{row.code}: {item.text}",
                        evidence_required=True, evidence=[], plan_id="council", plan_title=crit_set.name))
    session.flush()  # no relationship orders the two inserts
    due = calendar.add_working_days(today, days)
    key = f"{task_id}/{unit}"
    occ = OccurrenceRow(key=key, task_id=task_id, deadline_id="council", unit=unit, period=str(crit_set.year),
                        label=_("Answer to the assessment council"), source="council", lead_units="", due=due,
                        status="open")
    session.add(occ)
    session.flush()
    domain = Occurrence(key, task_id, "council", unit, str(crit_set.year), due, due, "council", occ.label, ())
    rungs = [r for r in ladder_reminders(domain, LADDER, calendar, VN_ZONE, "") if r.at >= ev.now]
    session.add_all(ReminderRow(key=r.key, occurrence_id=occ.id, kind=r.kind, rung=r.rung, target=",".join(r.to),
                                due_at=r.at, state="pending") for r in rungs)
    queue_notice(session, ev.now, f"council:{item.id}", unit,
                 "⚖️ " + _("The assessment council asks about criterion {code}; please answer by {due}:").format(
                     code=row.code, due=fmt_date(due)) + f"\n{item.text}",
                 [[("📎 " + _("Send documents"), f"ev:{occ.id}"), ("✅ " + _("Mark as done"), f"done:{occ.id}")]])
    item.occurrence_id = occ.id
    return occ.id, due, len(rungs)


@dataclass(frozen=True)
class SurveyReminded:
    set_id: int
    codes: tuple[str, ...]  # the survey criteria
    units: tuple[str, ...]
    notices: int  # notices queued (now and on the working days before `until`)


def remind_survey(session: Session, actor: Actor, set_id: int, units: list[str], until: date, ev: Event,
                  today: date, calendar: WorkCalendar) -> SurveyReminded:
    """Remind the units whose people answer the survey (DTXHH): now, two working days before `until` and on it."""
    require_admin(actor)
    crit_set = session.get(CriteriaSetRow, set_id)
    if crit_set is None:
        raise Refused("no_criteria_set", ref=set_id)
    codes = tuple(session.scalars(select(CriterionRow.code).where(CriterionRow.set_id == set_id,
                                                                  CriterionRow.survey.is_(True),
                                                                  CriterionRow.retired.is_(False))
                                  .order_by(CriterionRow.position)))
    chosen = []
    for unit in dict.fromkeys(u.strip() for u in units if u.strip()):
        found = session.get(UnitRow, unit)
        if found is None or found.retired:
            raise Refused("no_such_unit", unit=unit[:24])
        chosen.append(found.id)
    if not chosen or until < today:
        raise Refused("bad_request")
    body = "📋 " + _("Please make sure your staff answer the PAR satisfaction survey by {day}.").format(
        day=fmt_date(until))
    target = ",".join(chosen)
    queue_notice(session, ev.now, f"survey:{set_id}", target, body)
    days = sorted({calendar.add_working_days(until, -2), calendar.previous_working_day(until)} - {today})
    later = [datetime.combine(d, time(8, 0), tzinfo=VN_ZONE).astimezone(ev.now.tzinfo) for d in days if d > today]
    session.add_all(ReminderRow(key=f"notice:survey:{set_id}:{uuid.uuid4().hex[:16]}", occurrence_id=None,
                                kind="notice", rung="survey", target=target, due_at=at, state="pending", body=body)
                    for at in later if at - ev.now > timedelta(0))
    audit(session, ev.now, f"member:{actor.member_id}", "survey_reminded", crit_set.name,
          {"set_id": set_id, "units": chosen, "until": until.isoformat(), "criteria": list(codes)}, ev.update_id)
    return SurveyReminded(set_id, codes, tuple(chosen), 1 + len(later))
