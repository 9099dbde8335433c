"""The one catalog of refusals (Refused.key → words), used by the chat on every channel and by the CLI.

English message ids, words in the catalogs (domain `i18n`). Besides refusals it holds a few replies of
the chat by key (welcome, invite link...), as it did in bot/telegram/i18n.py, where it came from.
"""
# ruff: noqa: E501  (a table of whole message ids, one per line)

from __future__ import annotations

from typing import Any

from bot.i18n import N_, _, current_lang, language

MESSAGES: dict[str, str] = {
    'leaders_only': N_("Only the department's leadership and the office can give directions on a difficulty."),
    'blocker_resolved': N_("This difficulty is already resolved."),
    'blocker_not_yours': N_("Only the head who reported this difficulty can withdraw it."),
    'blocker_answered': N_("The office or leadership has already taken up this difficulty: it can no longer be "
                           "withdrawn. Mark it resolved instead, or write to the office."),
    'page_private_only': N_("Your personal page acts as you: the bot sends its link only in a private chat "
                            "with you. Write /trang to the bot directly, not in a group."),
    'file_missing': N_("The file {name} is no longer on the server: ask the unit to send it again."),
    'stranger': N_('Hello! You are not registered with this reminder bot yet. Ask the department office for an invite link and open it.'),
    'admin_only': N_('This command is for admins (the office) only.'),
    'no_such_task': N_('This task no longer exists (the plan may have changed).'),
    'not_your_unit': N_('This task belongs to unit {unit}, not yours: refused.'),
    'already_done': N_('This task is already done.'),
    'already_submitted': N_('Already submitted; awaiting review.'),
    'evidence_required': N_('This task needs supporting documents. Press 📎 first, then ✅.'),
    'bad_request': N_('This button is invalid or stale. Use /viec.'),
    'already_forwarded': N_('Already forwarded to leadership.'),
    'already_reviewed': N_('This review was already decided.'),
    'empty_text': N_('Empty text, please type it again.'),
    'unknown_unit': N_('No unit "{unit}". Valid: {known}.'),
    'invite_invalid': N_('Invalid invite link. Ask the office for a new one.'),
    'invite_used': N_('This invite was already used.'),
    'invite_expired': N_('This invite expired (7 days). Ask for a new one.'),
    'no_such_member': N_('No such member.'),
    'cannot_remove_self': N_('You cannot remove your own admin role.'),
    'bad_lang': N_('Use: /lang vi or /lang en'),
    'not_a_head': N_('You head no unit. Use /tiendo or /quahan.'),
    'no_such_task_id': N_('No task "{task}". E.g. /nhiemvu 5.2'),
    'file_too_big': N_('Files over 20 MB cannot be downloaded by bots. Send a link instead.'),
    'cancelled': N_('Cancelled; nothing was changed.'),
    'unknown_input': N_('Sorry, I did not understand. Try /help.'),
    'welcome': N_('Welcome {name}! You are now {what}. Type /viec for open tasks.'),
    'invite_link': N_('Invite for {what} (single use, expires {expires}):\n{link}'),
    'lang_set': N_('Language set to English.'),
    'no_overdue': N_('Nothing overdue. 👍'),
    'error': N_('Sorry, something went wrong. Please try again later.'),
    'moi_usage': N_('Use: /moi <unit>, e.g. /moi TCCB; or /moi lanhdao, /moi quantri.'),
    'nhiemvu_usage': N_('Use: /nhiemvu <task id>'),
    'not_your_calendar': N_("You can only get your own unit's calendar ({own}), not {unit}'s."),
    'lich_pick': N_('Choose a unit for its deadline calendar (.ics), or type /lich <unit>:'),
    'calendar_caption': N_('📅 Deadline calendar of unit {unit}: open it to add the deadlines to your calendar.'),
    'export_started': N_('⏳ Building the summary workbook and the supporting documents package...'),
    'export_workbook_caption': N_('📊 Summary workbook as of {day}.'),
    'export_part_caption': N_('🗂 Evidence package (part {n}/{of}); index: chi-muc.xlsx inside.'),
    'export_done': N_('✅ Exported {occurrences} task occurrences and {files} supporting document files in {parts} package(s) ({size}).'),
    'export_parts_hint': N_('Extract every part into the same folder to get the whole tree of supporting documents.'),
    'export_missing': N_('⚠️ {count} supporting document file(s) are missing on the server: see thieu-tep.txt.'),
    'export_mismatched': N_('⚠️ {count} file(s) differ from what the unit sent (SHA-256 mismatch): {files}'),
    'export_kept': N_("📦 {name} ({size}) exceeds Telegram's 50 MB limit; it is kept on the server at: {path}"),
    'no_such_metric': N_('This metric no longer exists (the plan may have changed). Type /solieu.'),
    'not_your_metric': N_('The metric of task {task} does not belong to your unit.'),
    'metric_bad_value': N_('Invalid value "{value}": {why}.\nType the current value of {name} again:'),
    'no_metrics': N_('Your unit has no metrics to report.'),
    'metric_prompt': N_('📈 Type the current value of {name} — task {task}, unit {unit}.\nTarget: {target}. Last reported: {current}.\n{hint}'),
    'metric_hint_percent': N_('Type a number from 0 to 100, e.g. 95.'),
    'metric_hint_count': N_('Type a non-negative whole number, e.g. 12.'),
    'metric_several_units': N_('(You head several units with this metric: this value counts for {unit}; {others} cannot report through this command yet, ask the office.)'),
    'metric_saved': N_('✅ Saved {name} for {unit}: {value} — {verdict} (target {target}).'),
    'metric_met': N_('met'),
    'metric_not_met': N_('not met'),
    'link_revoked': N_('This linking code was made by a member who is no longer registered: it does not work.'),
    'link_used': N_('This linking code was already used: type /lienket again for a new one.'),
    'link_expired': N_('This linking code expired (codes last one day). Type /lienket again in the app you already use.'),
    'link_same_chat': N_('This is the chat the code was made in: send it from your other app (Zalo or Telegram).'),
    'link_taken': N_('This chat belongs to another member, or is registered in its own right: it cannot be linked with this code.'),
    'kenh_usage': N_('Use: /kenh [unit code] to list; /kenh <number> zalo | telegram | email [address]; /kenh <number> thuhoi to revoke the web links.'),
    'kenh_no_member': N_('No active member #{member}. Type /kenh for the list.'),
    'no_channel': N_('{name} has no {channel} chat yet: they send /lienket to the bot in the app they use, then the code from {channel}.'),
    'email_missing': N_('Member #{member} has no e-mail address: type /kenh {member} email <address>.'),
    'bad_email': N_('"{address}" is not an e-mail address (like ten@so-gddt.vn).'),
    'channel_taken': N_('That chat already holds member #{member} in the same role: remove one of them first (/thanhvien).'),
}
# Confirmations, delegation, extensions (bot.trust).
MESSAGES.update({
    "nothing_to_confirm": N_("No draft matches: name a task, a deadline or a unit (type /xacnhan for the list)."),
    "too_many_at_once": N_("Too many at once (at most {limit}): name a task or a unit."),
    "not_a_unit_member": N_("That member is not an active member of {unit}: see /chuyenvien."),
    "bad_range": N_("The end date is before the start date."),
    "extension_not_later": N_("Ask for a date after the current deadline ({due})."),
    "extension_pending": N_("A request for more time on this item is already waiting for the office."),
    "extension_decided": N_("This request was already decided."),
    "heads_only": N_("This command is for the head of a unit."),
    "no_such_acting_head": N_("No such stand-in in force: type /quyen for the list."),
    "delegation_usage": N_("Use: /giao <task> [deadline] #<member> (#0 takes it back); /quyen #<member> "
                           "<from dd/mm/yyyy> <to dd/mm/yyyy>; /quyen huy <number> ends a stand-in early. "
                           "/chuyenvien lists the members."),
    "extension_usage": N_("Use: /giahan <task> [deadline] <new date dd/mm/yyyy> <reason>, e.g. /giahan 1.2 "
                          "05/12/2019 waiting for the province's figures."),
})
# Refusals of the evidence and invite checks (were bot/telegram/safety.py's own table).
MESSAGES.update({
    "evidence_closed": N_("The office has already accepted {task} as done: evidence can no longer be added "
                          "and this was not stored. If something must change, contact the office."),
    "evidence_task_closed": N_("The department office closed {task} ({reason}): it takes no more evidence, and "
                               "this was not stored."),
    "task_closed": N_("The department office closed {task} ({reason}): there is nothing to submit for it."),
    "evidence_duplicate": N_("The file {name} is already among this task's supporting documents (not saved "
                             "again)."),
    "empty_file": N_("The file is empty (0 bytes): it was not stored as evidence. Send the file again with "
                     "its content, or send a link."),
    "no_such_invite": N_("No open invite #{invite}. Type /loimoi to see the open invites."),
    "invite_revoked": N_("This invite link is no longer valid (it was revoked, or whoever made it is no "
                         "longer an admin). Ask the department office for a new invite link."),
    "huyloimoi_usage": N_("Use: /huyloimoi <number>, e.g. /huyloimoi 3 (the numbers are in /loimoi)."),
})
# Refusals of bot/services/par.py and criteria.py (were bot/telegram/par.py's own table).
MESSAGES.update({
    "doc_bad_date": N_("\"{value}\" is not a date: write the date of issue as dd/mm/yyyy, e.g. 05/03/2019."),
    "doc_future_date": N_("The date of issue {value} is after today: please check it."),
    "doc_number_too_long": N_("The number is longer than {limit} characters: write only the document's number "
                              "and sign, e.g. 123/KH-SGDDT."),
    "doc_meta_empty": N_("Nothing to record: write number; date of issue; subject; issuing body, separated by "
                         "semicolons, or press Skip."),
    "no_such_document": N_("There is no document #{ref} (texts and links carry no number). Type /vanban to see "
                           "the documents."),
    "doc_meta_required": N_("Task {task} requires the number and date of issue of every document (the office "
                            "asks for them). Still missing: {missing}."),
    "doc_meta_missing": N_("Task {task} requires the number and date of issue of every document: {count} "
                           "document(s) still lack them. Type /vanban {ref} to add them, then press ✅ again."),
    "no_such_criterion": N_("There is no criterion with code \"{code}\". Loaded codes: {known}."),
    "score_bad": N_("\"{value}\" is not a valid score: write a number from 0 to {max}, e.g. 2,5."),
    "score_needs_explanation": N_("A score below the maximum ({max}) of criterion {code} needs an explanation: "
                                  "/tucham {code} <score> <explanation>."),
    "tucham_usage": N_("Use: /tucham <criterion code> <score> <explanation>, e.g. /tucham 1.1 2,5 The plan was "
                       "issued late."),
    "yeucau_usage": N_("Use: /yeucauvanban <task code> to require the number and date of issue of the task's "
                       "documents, or /yeucauvanban <task code> tat to stop requiring them."),
})


def t(key: str, lang: str | None = None, **params: Any) -> str:
    """The text for `key` in `lang` (default: the current language; an unknown key shows as itself)."""
    with language(lang or current_lang()):
        template = _(MESSAGES[key]) if key in MESSAGES else key
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def refusal_text(key: str, lang: str | None = None, **params: Any) -> str:
    """The words of a refusal (`Refused.key`, `Refused.params`) in `lang`."""
    return t(key, lang, **params)
