"""Metric check-ins: a unit reports the current figure of a task's measurable target; history is kept."""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel.numbers import format_decimal
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import MetricRow, MetricValueRow, OccurrenceRow, TaskRow
from bot.i18n import _, current_lang
from bot.i18n.formats import fmt_number
from bot.services.access import Actor, Refused, require_known
from bot.services.tasks import Event, clear_state, set_state

MetricStatus = tuple[MetricRow, str, MetricValueRow | None]
COMPARISON_VI = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
_PERCENT = re.compile(r"^(\d{1,3})(?:[.,](\d{1,4}))?\s*%?$")
_COUNT = re.compile(r"^(\d{1,12}|\d{1,3}(?:[.\s]\d{3})+)$")  # "1.250" is one thousand two hundred and fifty
_RATIO = re.compile(r"^([\d.\s]{1,20})/([\d.\s]{1,20})$")  # "12/40": TTHC with shortened time / all TTHC


@dataclass(frozen=True)
class ReportTarget:
    """What the next message of the chat will be the value of: the metric, for which unit, and the
    actor's other units that owe the same task (reported separately, not by this answer)."""

    metric: MetricRow
    task_title: str
    unit: str
    other_units: tuple[str, ...]
    latest: MetricValueRow | None


def is_met(metric: MetricRow, value: float) -> bool:
    """Whether a reported value reaches the target, by the metric's comparison."""
    return {">=": value >= metric.target, ">": value > metric.target, "<=": value <= metric.target,
            "<": value < metric.target, "==": value == metric.target}[metric.comparison]


def fmt_value(kind: str, value: float, numerator: int | None = None, denominator: int | None = None) -> str:
    """`95,5%`, `1.250`, or a ratio entered as counts: `30,0% (12/40)`."""
    if kind == "percent" and numerator is not None and denominator:
        ratio = format_decimal(value, format="#,##0.0", locale=current_lang())
        return f"{ratio}% ({fmt_number(numerator, 0)}/{fmt_number(denominator, 0)})"
    number = fmt_number(value, 2)
    return f"{number}%" if kind == "percent" else number


def fmt_row(metric: MetricRow, row: MetricValueRow) -> str:
    """A reported value as the unit entered it."""
    return fmt_value(metric.kind, row.value, row.numerator, row.denominator)


def target_text(metric: MetricRow) -> str:
    """`≥ 100%`."""
    return f"{COMPARISON_VI.get(metric.comparison, metric.comparison)} {fmt_value(metric.kind, metric.target)}"


@dataclass(frozen=True)
class Reading:
    """A parsed answer: the value, and the counts when a ratio was entered as `12/40`."""

    value: float
    numerator: int | None = None
    denominator: int | None = None


def _count(text: str) -> int | None:
    return int(re.sub(r"[.\s]", "", text)) if _COUNT.match(text) else None


def parse_reading(metric: MetricRow, raw: str) -> Reading:
    """Percent 0–100 (`95`, `95%`, `95,5`) or two counts `12/40` (numerator/denominator); count a
    non-negative integer. Otherwise Refused, saying what to type."""
    text = raw.strip()
    why = (_("a percentage is a number from 0 to 100, e.g. 95 or 95,5%, or two counts such as 12/40 "
             "(numerator/denominator)") if metric.kind == "percent"
           else _("a count is a non-negative whole number, e.g. 12"))
    bad = Refused("metric_bad_value", value=text[:40], why=why, name=metric.name)
    if metric.kind == "percent":
        ratio = _RATIO.match(text)
        if ratio is not None:
            numerator, denominator = _count(ratio[1].strip()), _count(ratio[2].strip())
            if numerator is None or denominator is None:
                raise bad
            if denominator == 0:
                raise Refused("metric_bad_value", value=text[:40], name=metric.name,
                              why=_("the denominator (the second number) must be above 0"))
            if numerator > denominator:
                raise Refused("metric_bad_value", value=text[:40], name=metric.name,
                              why=_("the numerator (the first number) cannot exceed the denominator"))
            return Reading(100 * numerator / denominator, numerator, denominator)
        match = _PERCENT.match(text)
        if match is None:
            raise bad
        value = float(f"{match[1]}.{match[2] or '0'}")
        if value > 100:
            raise bad
        return Reading(value)
    count = _count(text)
    if count is None:
        raise bad
    return Reading(float(count))


def parse_value(metric: MetricRow, raw: str) -> float:
    """The value of an answer (see `parse_reading`)."""
    return parse_reading(metric, raw).value


def owing_units(session: Session, task_ids: list[str] | None = None) -> dict[str, list[str]]:
    """Task id → units with a live occurrence of it (those units report its metrics), sorted."""
    stmt = select(OccurrenceRow.task_id, OccurrenceRow.unit).where(OccurrenceRow.retired_at.is_(None)).distinct()
    if task_ids is not None:
        stmt = stmt.where(OccurrenceRow.task_id.in_(task_ids))
    out: dict[str, set[str]] = {}
    for task_id, unit in session.execute(stmt):
        out.setdefault(task_id, set()).add(unit)
    return {task: sorted(units) for task, units in out.items()}


def latest_values(session: Session, metric_ids: list[int]) -> dict[tuple[int, str], MetricValueRow]:
    """(metric row id, unit) → the latest reported value (by time, then by insertion)."""
    rows = session.scalars(select(MetricValueRow).where(MetricValueRow.metric_id.in_(metric_ids))
                           .order_by(MetricValueRow.reported_at, MetricValueRow.id))
    return {(r.metric_id, r.unit): r for r in rows}


def metric_status(session: Session, units: frozenset[str] | set[str] | None = None) -> list[MetricStatus]:
    """Every live metric × every unit that owes its task (limited to `units`), with its latest value."""
    metrics = list(session.scalars(select(MetricRow).join(TaskRow, TaskRow.id == MetricRow.task_id)
                                   .where(MetricRow.retired.is_(False), TaskRow.retired_at.is_(None))))
    metrics.sort(key=lambda m: (_task_key(m.task_id), m.id))
    owing = owing_units(session, [m.task_id for m in metrics])
    latest = latest_values(session, [m.id for m in metrics])
    return [(m, unit, latest.get((m.id, unit))) for m in metrics for unit in owing.get(m.task_id, [])
            if units is None or unit in units]


def _task_key(task_id: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 10**6 for p in task_id.split("."))


def metrics_for(session: Session, actor: Actor) -> list[MetricStatus]:
    """`/sochieu`: the metrics the actor's units report, with their latest values."""
    require_known(actor)
    if not actor.units:
        raise Refused("not_a_head")
    return metric_status(session, actor.units)


def _target(session: Session, actor: Actor, metric_id: int, unit: str | None) -> ReportTarget:
    require_known(actor)
    metric = session.get(MetricRow, metric_id)
    task = session.get(TaskRow, metric.task_id) if metric is not None else None
    if metric is None or metric.retired or task is None or task.retired_at is not None:
        raise Refused("no_such_metric")
    mine = [u for u in owing_units(session, [metric.task_id]).get(metric.task_id, []) if u in actor.units]
    if not mine:
        raise Refused("not_your_metric", task=metric.task_id)
    if unit is not None and unit not in mine:
        raise Refused("not_your_unit", unit=unit)
    chosen = unit or mine[0]
    latest = latest_values(session, [metric.id]).get((metric.id, chosen))
    return ReportTarget(metric, task.title, chosen, tuple(u for u in mine if u != chosen), latest)


def start_report(session: Session, actor: Actor, metric_id: int, unit: str | None, ev: Event) -> ReportTarget:
    """📈: the next text of this chat is the metric's current value for `unit` (default: the actor's first
    unit that owes the task; the chat state keeps only the metric, so `record_value` picks the same one)."""
    target = _target(session, actor, metric_id, unit)
    set_state(session, actor.chat_id, "metric", target.metric.id, ev.now)
    return target


def record_value(session: Session, actor: Actor, metric_id: int, raw_text: str, ev: Event,
                 unit: str | None = None) -> MetricValueRow:
    """Store a reported value; a bad answer is refused and the chat state kept, so the question stands."""
    target = _target(session, actor, metric_id, unit)
    reading = parse_reading(target.metric, raw_text)
    value = reading.value
    row = MetricValueRow(metric_id=target.metric.id, unit=target.unit, value=value, reported_by=actor.member_id,
                         reported_at=ev.now, numerator=reading.numerator, denominator=reading.denominator)
    session.add(row)
    session.flush()
    clear_state(session, actor.chat_id)
    audit(session, ev.now, f"member:{actor.member_id}", "metric_reported",
          f"{target.metric.task_id}/{target.metric.metric_id}/{target.unit}",
          {"metric": target.metric.id, "value": value, "numerator": reading.numerator,
           "denominator": reading.denominator, "met": is_met(target.metric, value)}, ev.update_id)
    return row


def describe_metrics(statuses: list[MetricStatus], listed: int = 12, names: dict[str, str] | None = None) -> list[str]:
    """One line per metric: `• [8.1] <name> ≥ 100%: VP 98% (not met); not reported: KHTC` (/tiendo, digests).

    Units that missed the target come first; at most `listed` reported and `listed` missing units are named, by
    `names` (code → short name, for leadership) where given.
    """
    names = names or {}
    by_metric: dict[int, list[MetricStatus]] = {}
    for status in statuses:
        by_metric.setdefault(status[0].id, []).append(status)
    lines = []
    for group in by_metric.values():
        metric = group[0][0]
        reported = sorted(((unit, v) for _m, unit, v in group if v is not None),
                          key=lambda uv: is_met(metric, uv[1].value))  # stable: unit order within each kind
        parts = [_("{unit} {value} ({verdict})").format(
                    unit=names.get(unit, unit), value=fmt_row(metric, v),
                    verdict=_("met") if is_met(metric, v.value) else _("not met"))
                 for unit, v in reported[:listed]]
        if len(reported) > listed:
            parts[-1] += _(" and {count} other units reported").format(count=len(reported) - listed)
        missing = [names.get(unit, unit) for _m, unit, v in group if v is None]
        if missing:
            more = (_(" and {count} other units").format(count=len(missing) - listed)
                    if len(missing) > listed else "")
            parts.append(_("not reported: {units}{more}").format(units=", ".join(missing[:listed]), more=more))
        lines.append(f"• [{metric.task_id}] {metric.name} {target_text(metric)}: {'; '.join(parts)}")
    return lines


def metrics_summary(statuses: list[MetricStatus]) -> str:
    """`1 met · 1 not met · 3 not reported` over (metric, unit) pairs."""
    reported = [(m, v) for m, _, v in statuses if v is not None]
    met = sum(1 for m, v in reported if is_met(m, v.value))
    return _("{met} met · {unmet} not met · {missing} not reported").format(
        met=met, unmet=len(reported) - met, missing=len(statuses) - len(reported))
