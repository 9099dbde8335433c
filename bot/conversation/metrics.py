"""`/solieu` (aliases `/sochieu`, `/metric`): a head's metrics against their targets, and the 📈 check-in
conversation, on any channel."""

from __future__ import annotations

from bot.conversation.routes import Topic, bare, by_id, text_only
from bot.conversation.turn import Turn
from bot.conversation.waits import cancel_row
from bot.db.models import MetricRow, MetricValueRow
from bot.i18n import _, language
from bot.i18n.refusals import t
from bot.services import metrics
from bot.texts import fmt_local
from bot.views.chunks import chunk_blocks
from bot.views.model import Action, View
from bot.views.taskcard import COMPARISON, value_text

MAX_BUTTONS = 12  # CONVERSATION.md: no message has more than 12 buttons


def target_text(metric: MetricRow) -> str:
    """`≥ 100%`, numbers in the reader's format."""
    return f"{COMPARISON.get(metric.comparison, metric.comparison)} {value_text(metric.kind, metric.target)}"


def current_text(metric: MetricRow, latest: MetricValueRow | None) -> str:
    """`98% (not met), reported at 08:00 12/11/2019`, or `not reported` (in the current language)."""
    if latest is None:
        return _("not reported")
    verdict = t("metric_met") if metrics.is_met(metric, latest.value) else t("metric_not_met")
    return _("{value} ({verdict}), reported at {at}").format(value=metrics.fmt_row(metric, latest),
                                                            verdict=verdict, at=fmt_local(latest.reported_at))


def button_label(metric: MetricRow) -> str:
    name = metric.name if len(metric.name) <= 28 else metric.name[:27] + "…"
    return "📈 " + _("Report {code} {name}").format(code=metric.task_id, name=name)


async def listing(turn: Turn) -> None:
    """/solieu: every metric the actor's units report, its target and latest value; 📈 to report one."""
    actor = turn.actor
    with turn.services.tx() as session:
        rows = metrics.metrics_for(session, actor)
    with language(actor.lang):
        if not rows:
            await turn.reply(View((t("no_metrics", actor.lang),)))
            return
        blocks = [f"• {m.task_id} {m.name} — " + _("unit {unit}").format(unit=unit) + "\n   "
                  + _("Target {target} · Now: {current}").format(target=target_text(m), current=current_text(m, latest))
                  for m, unit, latest in rows]
        buttons: dict[int, Action] = {}
        for m, _unit, _latest in rows:
            buttons.setdefault(m.id, Action(button_label(m), f"mt:{m.id}"))
        texts = chunk_blocks("📈 " + _("Metrics your unit reports ({count})").format(count=len(rows)), blocks)
        for text in texts[:-1]:
            await turn.reply(View((text,)))
        await turn.reply(View((texts[-1],), tuple((b,) for b in list(buttons.values())[:MAX_BUTTONS])))


async def ask(turn: Turn, metric_id: int) -> None:
    """📈: the next text of this chat is the metric's current value."""
    with turn.services.tx() as session:
        target = metrics.start_report(session, turn.actor, metric_id, None, turn.event)
    with language(turn.actor.lang):
        await turn.reply(View((prompt_text(target, turn.actor.lang),), (cancel_row(),)))


def prompt_text(target: metrics.ReportTarget, lang: str) -> str:
    """The question the next text message answers."""
    m = target.metric
    hint = t("metric_hint_percent" if m.kind == "percent" else "metric_hint_count", lang)
    with language(lang):
        current = current_text(m, target.latest)
    text = t("metric_prompt", lang, name=m.name, task=m.task_id, unit=target.unit, target=target_text(m),
             current=current, hint=hint)
    if target.other_units:
        text += "\n" + t("metric_several_units", lang, unit=target.unit, others=", ".join(target.other_units))
    return text


async def record(turn: Turn, metric_id: int, text: str) -> None:
    """The text answering the 📈 question; a bad one is refused (the question stands)."""
    actor = turn.actor
    with turn.services.tx() as session:
        row = metrics.record_value(session, actor, metric_id, text, turn.event)
        metric = session.get(MetricRow, row.metric_id)
        assert metric is not None
        verdict = t("metric_met" if metrics.is_met(metric, row.value) else "metric_not_met", actor.lang)
        saved = t("metric_saved", actor.lang, name=metric.name, unit=row.unit,
                  value=metrics.fmt_row(metric, row), verdict=verdict, target=target_text(metric))
    await turn.reply(View((saved,)))


TOPIC = Topic(commands={"solieu": bare(listing), "sochieu": bare(listing), "metric": bare(listing)},
              choices={"mt": by_id(ask)}, waits={"metric": text_only(record)})
