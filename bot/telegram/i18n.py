"""Moved to bot/i18n/refusals.py (the one refusal catalog); kept so that other branches' imports still work."""

from bot.i18n.refusals import MESSAGES, refusal_text, t

__all__ = ["MESSAGES", "refusal_text", "t"]
