"""The overview chart: completion per area and per unit as stacked horizontal bars (PNG, matplotlib Agg)."""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sqlalchemy.orm import Session

from bot.i18n import N_, _
from bot.i18n.formats import fmt_number
from bot.services.status import Counts, compute_progress
from bot.texts import fmt_date, unit_short

FONT = "DejaVu Sans"  # ships with matplotlib and has every Vietnamese glyph; a system default may lack them
SEGMENTS = (("done", N_("Done"), "#2e7d32"), ("awaiting_review", N_("Awaiting review"), "#f9a825"),
            ("overdue", N_("Overdue"), "#c62828"), ("open", N_("Open"), "#b0bec5"))
MAX_UNITS = 30  # Telegram shrinks tall photos: beyond this, the units with most overdue work are drawn
LABEL_WIDTH = 36


@dataclass(frozen=True)
class Bar:
    label: str
    counts: Counts


@dataclass(frozen=True)
class ChartData:
    title: str
    areas: list[Bar]
    units: list[Bar]
    units_total: int  # units with work this year; more than len(units) when only the worst are drawn


def wrap_label(text: str, width: int = LABEL_WIDTH, lines: int = 2) -> str:
    """At most `lines` lines of `width` characters, cut with an ellipsis."""
    return "\n".join(textwrap.wrap(text, width, max_lines=lines, placeholder="…")) or text


def chart_data(session: Session, now: datetime, zone: ZoneInfo) -> ChartData:
    """The numbers behind the chart: `compute_progress` for today, per area and per unit."""
    today = now.astimezone(zone).date()
    p = compute_progress(session, today)
    title = (_("Progress of the administrative reform plan {year} (up to {day})").format(
        year=p.year, day=fmt_date(today))
             if p.year else _("Progress of the administrative reform plan (up to {day})").format(day=fmt_date(today)))
    areas = [Bar(wrap_label(f"{a}. {p.area_names[a]}"), c) for a, c in p.areas.items()]
    units = list(p.units.items())
    if len(units) > MAX_UNITS:
        worst = sorted(units, key=lambda kv: (-kv[1].overdue, -(kv[1].open + kv[1].awaiting_review), kv[0]))
        keep = {u for u, _c in worst[:MAX_UNITS]}
        units = [(u, c) for u, c in units if u in keep]
    # the unit's short name, not its code (WORDING M5): "P. Khảo thí…", "Trường THPT chuyên"
    return ChartData(title, areas, [Bar(unit_short(p.unit_names.get(u) or u), c) for u, c in units], len(p.units))


def _panel(ax: Axes, bars: list[Bar], title: str) -> None:
    ys = list(range(len(bars)))
    left = [0] * len(bars)
    for name, legend, colour in SEGMENTS:
        widths = [getattr(b.counts, name) for b in bars]
        ax.barh(ys, widths, left=left, color=colour, label=_(legend), height=0.7)
        left = [x + w for x, w in zip(left, widths, strict=True)]
    top = max(left, default=0)
    for y, bar in enumerate(bars):
        ax.text(bar.counts.total + top * 0.01, y, _("{done}/{total} done").format(
            done=fmt_number(bar.counts.done), total=fmt_number(bar.counts.total)), va="center", fontsize=8)
    ax.set_yticks(ys, [b.label for b in bars])
    ax.set_xlim(0, max(top * 1.22, 1))
    ax.set_ylim(len(bars) - 0.5, -0.5)  # first bar on top
    ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    ax.set_xlabel(_("Task occurrences"))
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)


def render_chart(data: ChartData) -> bytes:
    """PNG bytes of the two panels with a legend and the title."""
    rows = max(len(data.areas), 1) + max(len(data.units), 1)
    # Fixed margins in inches (labels ≤ 36 characters wide): constrained layout measured every text
    # several times and tripled the rendering time.
    width, height, top, bottom, left, gap = 10.0, 2.6 + 0.34 * rows, 0.75, 0.95, 2.75, 0.85
    with rc_context({"font.family": "sans-serif", "font.sans-serif": [FONT], "font.size": 9}):
        fig = Figure(figsize=(width, height), dpi=100)
        FigureCanvasAgg(fig)
        axes = fig.subplots(2, 1, height_ratios=[max(len(data.areas), 1) + 1.5, max(len(data.units), 1) + 1.5],
                            gridspec_kw=dict(left=left / width, right=1 - 0.3 / width, top=1 - top / height,
                                             bottom=bottom / height,
                                             hspace=gap / ((height - top - bottom - gap) / 2)))
        _panel(axes[0], data.areas, _("By area"))
        shown = _("By unit") if len(data.units) == data.units_total else \
            _("By unit ({shown}/{total} units with the most overdue tasks)").format(shown=len(data.units),
                                                                                    total=data.units_total)
        _panel(axes[1], data.units, shown)
        fig.suptitle(data.title, fontsize=13, fontweight="bold", y=1 - 0.2 / height, va="top")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.05 / height), ncols=len(SEGMENTS),
                   frameon=False)
        out = io.BytesIO()
        fig.savefig(out, format="png")
    return out.getvalue()


def overview_chart(session: Session, now: datetime, zone: ZoneInfo) -> bytes:
    """The overview's chart as PNG bytes."""
    return render_chart(chart_data(session, now, zone))
