"""HTML of the personal page, from facts (escaped; every sentence from the catalogs); phone-first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from html import escape

from bot.i18n import _, current_lang
from bot.services.metrics import MetricStatus, fmt_value, target_text
from bot.services.par import EXAMPLE_NUMBER
from bot.services.queue import Item
from bot.texts import days_left_text, fmt_date

STYLE = """body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1f24}
main{max-width:640px;margin:0 auto;padding:12px}h1{font-size:1.25rem}h2{font-size:1.05rem;margin:1.2em 0 .4em}
.card{background:#fff;border-radius:10px;padding:12px;margin:10px 0;box-shadow:0 1px 2px #0002}
.due{color:#555;font-size:.9rem}.late{color:#b3261e;font-weight:600}.note{padding:10px;border-radius:8px;white-space:pre-line}
.ok{background:#e6f4ea}.err{background:#fce8e6}label{display:block;font-size:.9rem;margin:.5em 0 .2em}
fieldset{border:1px solid #ccd;border-radius:8px;margin-top:10px}legend{font-size:.9rem}
input[type=text],input[type=file]{width:100%;box-sizing:border-box;padding:8px;font-size:1rem}
button{margin-top:10px;padding:10px 14px;font-size:1rem;border:0;border-radius:8px;background:#1a73e8;color:#fff}"""


def _doc(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="{current_lang()}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="referrer" content="same-origin"><title>{escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><main>{body}</main></body></html>")


def notice(kind: str, text: str) -> str:
    return f'<p class="note {kind}">{escape(text)}</p>'


META_FIELDS = ("doc_number", "doc_date", "doc_summary", "doc_issuer")  # the form's names, in par's order
_LIMITS = {"doc_number": 64, "doc_date": 20, "doc_summary": 1000, "doc_issuer": 200}


def upload_form(action: str, form: str, required: bool, values: Mapping[str, str] | None = None) -> str:
    """The file and the four document details of bot/services/par.py (pre-filled with `values` after an error)."""
    values = values or {}
    labels = {"doc_number": _("Number and sign, e.g. {example}").format(example=EXAMPLE_NUMBER),
              "doc_date": _("Date of issue, dd/mm/yyyy"), "doc_summary": _("Subject of the document"),
              "doc_issuer": _("Issuing body")}
    legend = (_("Document details for the scoring software: this task requires the number and date of issue")
              if required else _("Document details for the scoring software (optional)"))
    fields = []
    for name in META_FIELDS:
        must = " required" if required and name in ("doc_number", "doc_date") else ""
        mode = ' inputmode="numeric" placeholder="05/03/2019"' if name == "doc_date" else ""
        fields.append(f'<label>{escape(labels[name])}{" *" if must else ""}<input type="text" name="{name}" '
                      f'maxlength="{_LIMITS[name]}" value="{escape(values.get(name, ""))}"{mode}{must}></label>')
    file_label, send = _("Evidence document (PDF, Word, Excel or a photo)"), _("Send the document")
    return (f'<form method="post" action="{escape(action)}" enctype="multipart/form-data">'
            f'<input type="hidden" name="form" value="{escape(form)}">'
            f'<label>{escape(file_label)}<input type="file" name="file" required></label>'
            f'<fieldset><legend>{escape(legend)}</legend>{"".join(fields)}</fieldset>'
            f'<button type="submit">{escape(send)}</button></form>')


def retry_card(task: str, action: str, form: str, required: bool, values: Mapping[str, str]) -> str:
    """After a refused upload: the task's form again with what the person typed (only the file is chosen again)."""
    body = upload_form(action, form, required, values)
    return f'<section class="card"><strong>{escape(task)}</strong>{body}</section>'


def _task_card(item: Item, today: date, action: str, form: str, required: bool) -> str:
    line = item.subject
    late = line.due < today
    state = _("Returned by the office") if item.state == "returned" else (
        _("Overdue") if late else _("Not done yet"))
    due = _("Due {due} ({left})").format(due=fmt_date(line.due), left=days_left_text(line.due, today))
    received = _("Evidence documents received: {count}").format(count=item.evidence)
    late_class = " late" if late else ""
    return (f'<section class="card" id="o{line.occurrence_id}"><strong>{escape(line.task_id)} '
            f'{escape(line.title)}</strong><div class="due{late_class}">'
            f"{escape(line.label)}<br>{escape(due)} · {escape(line.unit)} · {escape(state)}</div>"
            f"<div>{escape(received)}</div>{upload_form(action, form, required)}"
            f"{act_forms(action.rsplit('/evidence/', 1)[0], line.occurrence_id, form)}</section>")


def act_forms(base: str, occurrence_id: int, form: str) -> str:
    """✅ and ⚠️ as on the chat's task card: submit for the office's review, or report a difficulty."""
    hidden = f'<input type="hidden" name="form" value="{escape(form)}">'
    done, blocker = _("✅ Done: send to the office for review"), _("⚠️ Report a difficulty")
    what, send = _("What is blocking this task?"), _("Send the difficulty")
    return (f'<form method="post" action="{escape(base)}/done/{occurrence_id}">{hidden}'
            f'<button type="submit">{escape(done)}</button></form>'
            f'<details><summary>{escape(blocker)}</summary>'
            f'<form method="post" action="{escape(base)}/blocker/{occurrence_id}">{hidden}'
            f'<label>{escape(what)}<textarea name="text" required maxlength="3000"></textarea></label>'
            f'<button type="submit">{escape(send)}</button></form></details>')


def _metric_card(status: MetricStatus, action: str, form: str) -> str:
    metric, unit, latest = status
    current = fmt_value(metric.kind, latest.value) if latest is not None else _("not reported yet")
    target = _("Target: {target}").format(target=target_text(metric))
    last = _("Last reported: {value}").format(value=current)
    label, save = _("Current value"), _("Save the value")
    return (f'<section class="card"><strong>{escape(metric.task_id)} {escape(metric.name)}</strong>'
            f'<div class="due">{escape(target)} · {escape(unit)} · {escape(last)}</div>'
            f'<form method="post" action="{escape(action)}"><input type="hidden" name="form" value="{escape(form)}">'
            f'<label>{escape(label)}<input type="text" name="value" inputmode="decimal" required>'
            f'</label><button type="submit">{escape(save)}</button></form></section>')


def member_page(name: str, lines: Sequence[Item], metrics: Sequence[MetricStatus], today: date, base: str,
                form: str, flash: str = "", required: frozenset[str] = frozenset()) -> str:
    """The checklist with an upload form per task, then the metrics to report."""
    title = _("Tasks of {name}").format(name=name)
    open_count = _("Open tasks ({count})").format(count=len(lines))
    parts = [f"<h1>{escape(title)}</h1>", flash, f"<h2>{escape(open_count)}</h2>"]
    if not lines:
        parts.append(notice("ok", _("No open task. 👍")))
    parts += [_task_card(item, today, f"{base}/evidence/{item.subject.occurrence_id}", form,
                         item.subject.task_id in required) for item in lines]
    if metrics:
        figures = _("Figures to report")
        parts.append(f"<h2>{escape(figures)}</h2>")
        parts += [_metric_card(m, f"{base}/metric/{m[0].id}", form) for m in metrics]
    return _doc(_("nhacviec: personal page"), "".join(parts))


def message_page(kind: str, text: str, back: str | None = None, after: str = "") -> str:
    """One notice (lines kept), then `after` (HTML already escaped, e.g. a retry_card) and the way back."""
    back_text = _("Back to my tasks")
    link = f'<p><a href="{escape(back)}">{escape(back_text)}</a></p>' if back else ""
    return _doc(_("nhacviec: personal page"), notice(kind, text) + after + link)
