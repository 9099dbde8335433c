"""The operator's language in the log: the English templates the code and its libraries log, worded from the
catalogs (bot.logsafe translates each record's template before formatting it), and the start-up lines."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Engine

from bot.i18n import N_, _

log = logging.getLogger("nhacviec.ops")

# Templates as logged (%-style); the catalog gives the operator's wording with the same placeholders.
TEMPLATES = frozenset({
    N_("signal %s: stopping; in-flight sends get %s s"),
    N_("sweep: %s deliveries claimed, %s messages sent"),
    N_("sweep failed; will retry at the next tick"),
    N_("sweep after ⏩ failed; the next tick retries"),
    N_("pruning failed; will retry at the next tick"),
    N_("pruned %s update ids and %s export folders"),
    N_("bot stopped: %s"),
    N_("error while handling an update"),
    N_("send to chat %s failed (%s): %s"),
    N_("zalo channel started (%s)"),
    N_("zalo getUpdates failed: %s"),
    N_("could not record the failed send of deliveries %s to chat %s (%s); they return to the queue when their "
       "lease runs out"),
    N_("deliveries %s to chat %s left claimed by an error; they return to the queue when their lease runs out"),
    N_("zalo %s failed: %s"),
    N_("%s: RetryAfter %s s (attempt %s)"),
    N_("shared send budget unavailable; pacing locally"),
    N_("update %s seen before: ignored"),
    N_("Application started"),
    N_("Application is stopping. This might take a moment."),
    N_("Application.stop() complete"),
})


def translate(template: str) -> str:
    """A known template in the current language (Vietnamese by default); any other text as it is."""
    return _(template) if template in TEMPLATES else template


def plan_synced(reports: Sequence[Any]) -> str:
    """One line for the plan synced at start (bot.engine.sync.SyncReport, one per plan)."""
    total = {k: sum(getattr(r, k) for r in reports) for k in (
        "occurrences_added", "occurrences_updated", "occurrences_retired", "reminders_added", "reminders_moved",
        "reminders_cancelled")}
    return _("Plan synced: {occurrences_added} deadline occurrences added, {occurrences_updated} updated, "
             "{occurrences_retired} retired; reminders {reminders_added} added, {reminders_moved} moved, "
             "{reminders_cancelled} cancelled.").format(**total)


def migrate_logged(engine: Engine) -> None:
    """bot.db.engine.migrate, with one line when it applied anything (alembic's own lines are at WARNING)."""
    from bot.db.engine import migrate
    from bot.ops.schema import schema_state

    before = schema_state(engine)
    if before.newer:
        from bot.ops.faults import DatabaseUnreachable

        raise DatabaseUnreachable(_("The database is at schema revision {rev}, which this nhacviec ({head}) does "
                                    "not know: it was upgraded by a newer version. Install that version again, or "
                                    "restore the backup taken before the upgrade (see `nhacviec db check`).")
                                  .format(rev=before.current, head=before.head))
    migrate(engine)
    if before.pending:
        log.info(_("Database schema migrated from {old} to {new} ({count} step(s)).").format(
            old=before.current or _("empty"), new=before.head, count=len(before.pending)))
