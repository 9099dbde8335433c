"""Domain core: plan, deadlines, working days, reminder ladder, clock.

Nothing here imports Telegram, SQLAlchemy or APScheduler; time is an argument.
"""
