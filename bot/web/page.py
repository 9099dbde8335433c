"""HTML of the personal page, from facts (escaped; every sentence from the catalogs); phone-first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from html import escape

from bot.i18n import _, current_lang
from bot.services.metrics import MetricStatus, fmt_value, target_text
from bot.services.par import EXAMPLE_NUMBER
from bot.services.personal import TABS, Document, Row, TaskList, TaskPage
from bot.texts import days_left_text, fmt_date
from bot.views.taskcard import ICON, short, state_text

STYLE = """*{box-sizing:border-box}body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1f24}
main{max-width:640px;margin:0 auto;padding:12px}h1{font-size:1.2rem;margin:.4em 0}
h2{font-size:1.05rem;margin:1.2em 0 .4em}
a{color:#1a5fc8}.card{background:#fff;border-radius:10px;padding:12px;margin:10px 0;box-shadow:0 1px 2px #0002}
.due{display:block;color:#555;font-size:.9rem}.late{color:#b3261e;font-weight:600}
.note{padding:10px;border-radius:8px;white-space:pre-line}.ok{background:#e6f4ea}.err{background:#fce8e6}
.tabs{display:flex;flex-wrap:wrap;gap:6px;margin:8px 0}.tabs a{padding:8px 10px;border-radius:16px;background:#fff;
text-decoration:none;font-size:.95rem;box-shadow:0 1px 2px #0002}.tabs a.on{background:#1a73e8;color:#fff}
.list{list-style:none;padding:0;margin:0}.list li{margin:8px 0}.list a{display:block;background:#fff;border-radius:10px;
padding:10px 12px;color:inherit;text-decoration:none;box-shadow:0 1px 2px #0002}.why{display:block;color:#b3261e;
font-size:.9rem;margin-top:4px}.pager{display:flex;justify-content:space-between;align-items:center;margin:12px 0}
.docs li,.asked li{margin:4px 0}label{display:block;font-size:.9rem;margin:.5em 0 .2em}
fieldset{border:1px solid #ccd;border-radius:8px;margin-top:10px}legend{font-size:.9rem}
input[type=text],input[type=file],textarea{width:100%;padding:8px;font:inherit;font-size:1rem;border:1px solid #bbc;
border-radius:6px;background:#fff}textarea{min-height:6em;resize:vertical}summary{margin-top:10px;cursor:pointer}
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


def _query(tab: str, page: int = 0) -> str:
    return f"?tab={tab}" + (f"&page={page + 1}" if page else "")


def _tab_links(base: str, listing: TaskList, metrics: int, current: str) -> str:
    labels = {"late": _("Overdue ({count})"), "all": _("All ({count})"),
              "next": (_("Due {due} ({count})") if listing.nearest else _("Next deadline ({count})"))}
    links = []
    for tab in TABS:
        text = labels[tab].format(count=listing.counts[tab],
                                  due=fmt_date(listing.nearest) if listing.nearest else "")
        on = ' class="on" aria-current="page"' if tab == current else ""
        links.append(f'<a href="{escape(base + _query(tab))}"{on}>{escape(text)}</a>')
    if metrics:
        on = ' class="on" aria-current="page"' if current == "metrics" else ""
        text = _("Figures ({count})").format(count=metrics)
        links.append(f'<a href="{escape(base + _query("metrics"))}"{on}>{escape(text)}</a>')
    return f'<nav class="tabs">{"".join(links)}</nav>'


def _row(row: Row, today: date, base: str, tab: str, kind: str = "", unit: bool = False) -> str:
    """One task of the list; `unit`: name its unit too (the list holds more than one unit's work)."""
    item, line = row.item, row.item.subject
    late = item.state in ("overdue", "returned") and line.due < today
    due = _("due {due}").format(due=fmt_date(line.due))
    left = days_left_text(line.due, today) if item.state in ("returned", "overdue", "open") else state_text(item.state)
    why = ""
    if item.state == "returned":
        why = '<span class="why">' + escape(_("Returned by the office. Reason: {reason}").format(
            reason=short(row.reason or "", 160))) + "</span>"
    href = f"{base}/task/{line.occurrence_id}{_query(tab)}"
    li = f'<li class="{kind}">' if kind else "<li>"
    return (f'{li}<a href="{escape(href)}"><strong>{escape(ICON.get(item.state, ""))} {escape(line.task_id)} '
            f'{escape(short(line.title, 90))}</strong><span class="due{" late" if late else ""}">'
            f"{escape(line.label)} · {escape(due)} · {escape(left)}"
            f"{(' · ' + escape(short(line.unit_name, 60))) if unit else ''}</span>{why}</a></li>")


def _pager(base: str, listing: TaskList) -> str:
    if listing.pages <= 1:
        return ""
    where = _("Page {page} of {pages}").format(page=listing.page + 1, pages=listing.pages)
    parts, previous, following = [], _("◀ Previous"), _("Next ▶")
    if listing.page > 0:
        parts.append(f'<a href="{escape(base + _query(listing.tab, listing.page - 1))}" rel="prev">'
                     f"{escape(previous)}</a>")
    parts.append(f"<span>{escape(where)}</span>")
    if listing.page + 1 < listing.pages:
        parts.append(f'<a href="{escape(base + _query(listing.tab, listing.page + 1))}" rel="next">'
                     f"{escape(following)}</a>")
    return f'<nav class="pager">{"".join(parts)}</nav>'


def list_page(name: str, listing: TaskList | None, metrics: Sequence[MetricStatus], today: date, base: str,
              form: str, flash: str = "", show_metrics: bool = False) -> str:
    """The short list: one tab (overdue, the nearest deadline, all) paged, each row opening its task."""
    title = _("Tasks of {name}").format(name=name)
    parts = [f"<h1>{escape(title)}</h1>", flash]
    current = "metrics" if show_metrics or listing is None else listing.tab
    # a head of two units, or standing in for another head: every row names its unit
    several = listing is not None and len({r.item.subject.unit for r in (*listing.rows, *listing.returned)}) > 1
    if listing is not None and listing.returned and current in ("late", "next"):  # "all" lists them first
        heading = _("Returned by the department office, to complete ({count})").format(count=len(listing.returned))
        rows = "".join(_row(r, today, base, listing.tab, "returned", several) for r in listing.returned)
        parts.append(f'<h2>{escape(heading)}</h2><ul class="list">{rows}</ul>')
    if listing is not None:
        parts.append(_tab_links(base, listing, len(metrics), current))
    if current == "metrics":
        parts += [_metric_card(m, f"{base}/metric/{m[0].id}", form) for m in metrics]
    elif listing is not None:
        if not listing.rows:
            empty = {"late": _("Nothing is overdue. 👍"), "next": _("No task is due soon. 👍"),
                     "all": _("No task yet.")}[listing.tab]
            parts.append(notice("ok", empty))
        else:
            rows = "".join(_row(r, today, base, listing.tab, unit=several) for r in listing.rows)
            parts.append(f'<ul class="list">{rows}</ul>')
        parts.append(_pager(base, listing))
    return _doc(_("nhacviec: personal page"), "".join(parts))


def _document(doc: Document) -> str:
    issued = fmt_date(doc.issued) if doc.issued else None
    details = " · ".join(p for p in (doc.number, issued, doc.summary, doc.issuer) if p)
    more = f'<span class="due">{escape(details)}</span>' if details else ""
    return f"<li>{escape(doc.name)}{more}</li>"


def task_page(facts: TaskPage, today: date, base: str, form: str, back: str, flash: str = "",
              values: Mapping[str, str] | None = None) -> str:
    """One task: its state, why it was returned, the documents asked for and sent, the upload form, ✅ and ⚠️."""
    item, line = facts.card.item, facts.card.item.subject
    state = f"{ICON.get(item.state, '')} {state_text(item.state)}"
    due = _("Due {due} ({left})").format(due=fmt_date(line.due), left=days_left_text(line.due, today))
    back_text, none_yet = _("◀ Back to the list"), _("None yet.")
    parts = [f'<p><a href="{escape(back)}">{escape(back_text)}</a></p>', flash,
             f'<h1>{escape(line.task_id)} {escape(line.title)}</h1>',
             f'<div class="due{" late" if item.state == "overdue" else ""}">{escape(line.unit_name)} · '
             f"{escape(line.label)}<br>{escape(due)} · {escape(state)}</div>"]
    if facts.reason is not None:
        parts.append(notice("err", "↩️ " + _("The department office returned this, asking for more:") + "\n"
                            + _("Reason: {reason}").format(reason=facts.reason)))
    if facts.closed_reason is not None:
        parts.append(notice("ok", "🔒 " + _("The department office closed this deadline: {reason}").format(
            reason=facts.closed_reason)))
    if item.state == "awaiting_review":
        parts.append(notice("ok", "⏳ " + _("Sent to the department office; awaiting review.")))
    if facts.card.detail:
        parts.append(f'<p class="detail">{escape(facts.card.detail)}</p>')
    if facts.card.asked:
        heading = _("Suggested supporting documents (proposed by the department office):")
        parts.append(f'<h2>{escape(heading)}</h2><ul class="asked">'
                     + "".join(f"<li>{escape(a)}</li>" for a in facts.card.asked) + "</ul>")
    sent = _("Supporting documents sent ({count})").format(count=len(facts.documents))
    parts.append(f"<h2>{escape(sent)}</h2>")
    parts.append('<ul class="docs">' + "".join(_document(d) for d in facts.documents) + "</ul>"
                 if facts.documents else f'<p class="due">{escape(none_yet)}</p>')
    if facts.takes_evidence:
        parts.append('<section class="card">' + upload_form(f"{base}/evidence/{line.occurrence_id}", form,
                                                            facts.meta_required, values) + "</section>")
    if facts.can_act:
        parts.append('<section class="card">' + act_forms(base, line.occurrence_id, form) + "</section>")
    return _doc(f"{line.task_id} {line.title}", "".join(parts))


def message_page(kind: str, text: str, back: str | None = None, after: str = "") -> str:
    """One notice (lines kept), then `after` (HTML already escaped, e.g. a retry_card) and the way back."""
    back_text = _("Back to my tasks")
    link = f'<p><a href="{escape(back)}">{escape(back_text)}</a></p>' if back else ""
    return _doc(_("nhacviec: personal page"), notice(kind, text) + after + link)
