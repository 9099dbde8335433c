"""nhacviec: a reminder bot for an administrative reform plan (Telegram, Zalo, e-mail)."""

__version__ = "0.1.0"
