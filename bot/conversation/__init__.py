"""The conversation, channel-neutral: what came in, what a reply on a text channel means, the wire protocol.

Adapters (bot/telegram, bot/zalo) turn their channel's events into `incoming` values and draw views; the
rules here hold on every channel. Nothing in this package imports a channel library or an adapter.
"""
