"""Reminder engine: plan sync into the outbox, the sweeping dispatcher, rate limits, channels."""
