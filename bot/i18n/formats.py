"""One formatter for numbers users read: `10.570`, `70,69` in Vietnamese, `10,570`, `70.69` in English."""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent

from bot.i18n import current_lang


def fmt_number(value: float | int, digits: int = 2) -> str:
    """A number with the reader's separators and at most `digits` decimals."""
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=current_lang())


def fmt_percent(value: float, digits: int = 1) -> str:
    """`95,5%` from 95.5 (a value already in percent)."""
    pattern = "#,##0" + ("." + "#" * digits if digits else "") + "%"
    return format_percent(value / 100, format=pattern, locale=current_lang())
