"""Telegram adapter: building the Application, the channel, handlers and rendering."""
