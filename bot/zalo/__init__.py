"""Zalo Bot Platform channel: a Telegram-like HTTP API without buttons, documents or message edits."""
