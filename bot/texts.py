"""User-facing wording shared by the CLI and the bot: dates, weekdays, ladder rungs."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

VN_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
_WEEKDAYS = {"vi": ("T2", "T3", "T4", "T5", "T6", "T7", "CN"), "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def fmt_date(day: date) -> str:
    """dd/mm/yyyy, the only date format users see."""
    return day.strftime("%d/%m/%Y")


def fmt_date_weekday(day: date, lang: str = "vi") -> str:
    """`T3 19/11/2019`."""
    return f"{_WEEKDAYS.get(lang, _WEEKDAYS['vi'])[day.weekday()]} {fmt_date(day)}"


def fmt_local(moment: datetime, zone: ZoneInfo = VN_ZONE) -> str:
    """`08:00 19/11/2019` in the plan's time zone."""
    local = moment.astimezone(zone)
    return f"{local:%H:%M} {fmt_date(local.date())}"


def rung_label(rung: str, lang: str = "vi") -> str:
    """A ladder rung in words: `before-14` → `trước hạn 14 ngày làm việc`."""
    name, _, number = rung.rpartition("-") if rung[-1:].isdigit() else (rung, "", "")
    vi = {
        "before": f"trước hạn {number} ngày làm việc",
        "overdue": f"quá hạn {number} ngày làm việc",
        "escalation-lead": f"báo đơn vị chủ trì (quá hạn {number} ngày làm việc)",
        "escalation-leadership": f"báo Lãnh đạo Sở (quá hạn {number} ngày làm việc)",
        "due": "đúng ngày hạn",
    }
    en = {
        "before": f"{number} working day(s) before",
        "overdue": f"{number} working day(s) overdue",
        "escalation-lead": f"escalated to the lead unit ({number} working days overdue)",
        "escalation-leadership": f"escalated to leadership ({number} working days overdue)",
        "due": "on the due date",
    }
    return (en if lang == "en" else vi).get(name, rung)


def days_left_text(due: date, today: date, lang: str = "vi") -> str:
    """`còn 3 ngày`, `hạn hôm nay`, `quá hạn 2 ngày` (calendar days)."""
    delta = (due - today).days
    if lang == "en":
        return "due today" if delta == 0 else (f"{delta} day(s) left" if delta > 0 else f"{-delta} day(s) overdue")
    return "hạn hôm nay" if delta == 0 else (f"còn {delta} ngày" if delta > 0 else f"quá hạn {-delta} ngày")
