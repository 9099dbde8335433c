"""Moved to bot/views/status.py (facts → words, channel-neutral); kept so that other branches' imports work."""

from bot.views.status import ROLE, counts_text, line_text, members_text, overdue_text, progress_text, unit_pages

__all__ = ["ROLE", "counts_text", "line_text", "members_text", "overdue_text", "progress_text", "unit_pages"]
