"""Kept for old imports: the refusals of confirmations, delegation and extensions live in the one catalog."""

from bot.i18n.refusals import MESSAGES as TRUST_REFUSALS

__all__ = ["TRUST_REFUSALS"]
