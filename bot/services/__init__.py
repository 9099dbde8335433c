"""One function per user intent (confirm, attach evidence, snooze, review, invite...): a session and the time in."""
