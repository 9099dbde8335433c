"""In-process fake Telegram Bot API server for tests and sandbox mode."""
