"""A plan read to a draft plan file: same YAML format as `schedules/`, the document's sentences in
`detail`, every guess `source: assumed` with a note, and a header listing what the office must check."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from bot.i18n import _
from bot.importer.dates import DeadlineRead, find_in_sentence, read_phrase
from bot.importer.notes import deadline_note
from bot.importer.plan_read import AreaRead, PlanRead, RespRead, TaskRead
from bot.importer.stale import applies, in_plan
from bot.importer.stale import summary as stale_summary
from bot.importer.units import LEADERSHIP, KnownUnit, Registry, UnitRef, is_office_name
from bot.importer.writing import COMMENT, document


@dataclass
class Draft:
    """The draft's text and what it holds, for the report and the tests."""

    text: str
    areas: int = 0
    tasks: int = 0
    units: list[str] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)
    deadlines: int = 0
    assumed: int = 0
    checks: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # terms of before 2025 found, each with the current one


def title_of(detail: str, limit: int = 110) -> str:
    """A short title from the document's sentence: its first clause, cut at a word."""
    text = re.split(r"\n", detail)[0].strip(" -.")
    for mark in ("; ", " (", ". ", ": "):
        cut = text.find(mark)
        # A colon introduces the point ("Ban hành kịp thời các kế hoạch: Theo dõi …"): cut there only when the
        # words before it already make a long title.
        if cut >= (60 if mark == ": " else 25):
            text = text[:cut]
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return text[:1].upper() + text[1:]


def _quarter_end(quarter: int | None, year: int) -> str:
    return {1: "31/03", 2: "30/06", 3: "30/09", 4: "31/12"}.get(quarter or 4, "31/12") + f"/{year}"


def _units(registry: Registry, texts: list[str]) -> list[UnitRef]:
    out: list[UnitRef] = []
    for text in texts:
        out.extend(r for r in registry.find(text) if r.id not in [o.id for o in out])
    return out


def _responsibility(resp: RespRead, registry: Registry) -> dict[str, Any] | None:
    lead = _units(registry, resp.parts.get("lead", []))
    others = [r for r in _units(registry, resp.parts.get("others", [])) if r.id not in [x.id for x in lead]]
    if not lead and not others:
        return None
    out: dict[str, Any] = {"lead": [r.id for r in lead], "lead_as": resp.lead_as}
    if others:
        out.update({"others": [r.id for r in others], "others_as": resp.others_as})
    return out


def _spec(read: DeadlineRead, label: str, ident: str, due_from: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"id": ident, "label": label[:300]}
    spec.update(read.spec)
    spec.update({"source": read.source, "due_from": due_from, "note": deadline_note(read)})
    return spec


class _Builder:
    def __init__(self, plan: PlanRead, registry: Registry, years: list[int]) -> None:
        self.plan, self.registry, self.years = plan, registry, years
        self.checks: list[str] = []
        self.deadlines = self.assumed = 0
        self.no_deadline: list[str] = []
        self.unread: list[str] = []
        self.split: list[str] = []
        self.assumed_areas: list[str] = []
        self.year_before: list[str] = []

    def count(self, spec: dict[str, Any]) -> None:
        self.deadlines += 1
        self.assumed += spec["source"] == "assumed"

    def common(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for sentence in self.plan.common_rules:
            for read in read_phrase(sentence, self.years).deadlines:
                if any(read.spec == {k: v for k, v in o.items() if k in read.spec} for o in out):
                    continue  # the same rule said twice (in section III and in a table note)
                read = self.within_period(read)
                label = read.clause or sentence
                spec = _spec(read, label[:1].upper() + label[1:], "ket-qua" if not out else f"ket-qua-{len(out) + 1}",
                             "all")
                self.count(spec)
                out.append(spec)
        return out

    def within_period(self, read: DeadlineRead) -> DeadlineRead:
        """A window relative to the plan year ("quý II của năm trước liền kề năm kế hoạch") at every plan
        year whose occurrence falls inside the plan's period."""
        offset = read.spec.get("window", {}).get("year_offset", 0)
        if not offset or "years" in read.spec:
            return read
        years = [y - offset for y in self.years]
        days = ", ".join(f"{_quarter_end(read.spec['window'].get('quarter'), y)}" for y in self.years)
        return replace(read, spec={**read.spec, "years": years}, params={**read.params, "days": days})

    def area(self, index: int, area: AreaRead) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        ident = str(index)
        resp = _responsibility(area.responsibility, self.registry)
        comment = [_("Read: {sentence}").format(sentence=s) for s in area.responsibility.read]
        tasks = [self.task(f"{ident}.{n}", ident, t, n) for n, t in enumerate(area.tasks, 1)]
        if resp is None:
            leads = [u for t in tasks for u in (t.get("responsibility") or {}).get("lead", [])]
            others = [u for t in tasks for u in (t.get("responsibility") or {}).get("others", [])]
            chosen = list(dict.fromkeys(leads or others)) or [self.office()]
            resp = {"lead": chosen, "lead_as": "chủ trì"}
            comment.append(_("Assumed: the document gives no responsibility for the whole area; "
                             "set to the lead units of its tasks (or the office)."))
            self.assumed_areas.append(ident)
        for task in tasks:
            if task.get("responsibility") == resp:
                del task["responsibility"]
        name = area.name or _("Tasks")
        return {COMMENT: comment, "id": ident, "name": name, "responsibility": resp}, tasks

    def task(self, ident: str, area: str, task: TaskRead, n: int) -> dict[str, Any]:
        title = title_of(task.title_from or task.detail)
        out: dict[str, Any] = {COMMENT: [], "id": ident, "area": area, "title": title, "detail": task.detail}
        if task.split_from:
            out[COMMENT].append(_("Split from one long item of the document (\"{head}: …\"), one task per "
                                  "item of its list.").format(head=task.split_from))
            self.split.append(ident)
        if task.products:
            out["evidence"] = task.products
            out["evidence_required"] = True
        if task.responsibility is not None:
            resp = _responsibility(task.responsibility, self.registry)
            if resp is not None:
                out["responsibility"] = resp
                out[COMMENT].extend(_("Read: {sentence}").format(sentence=s) for s in task.responsibility.read)
        reads: list[DeadlineRead] = []
        for phrase in task.time:
            found = read_phrase(phrase, self.years)
            reads.extend(found.deadlines)
            if found.ongoing:
                out[COMMENT].append(_("Read \"{phrase}\": an ongoing task, no deadline of its own.").format(
                    phrase=phrase))
            elif not found.understood:
                out[COMMENT].append(_("Deadline not understood: \"{phrase}\"; add it by hand.").format(phrase=phrase))
                self.unread.append(f"{ident}: \"{phrase}\"")
        if not task.time:
            reads.extend(find_in_sentence(task.detail, self.years))
        specs: list[dict[str, Any]] = []
        for read in reads:
            read = self.within_period(read)
            key = read.key if read.key not in [s["id"] for s in specs] else f"{read.key}-{len(specs) + 1}"
            spec = _spec(read, f"{title} ({read.clause or read.phrase})", key,
                         "lead" if read.source == "seed" else "all")
            if not (out.get("responsibility") or {}).get("lead") and spec["due_from"] == "lead":
                spec["due_from"] = "all"
            self.count(spec)
            specs.append(spec)
            if spec.get("window", {}).get("year_offset", 0) < 0:
                self.year_before.append(ident)
        if specs:
            out["deadlines"] = specs
        else:
            self.no_deadline.append(ident)
        return out

    def office(self) -> str:
        for sentence in self.plan.common_rules:
            target = re.search(r"\s(?:về|cho)\s(.+?)\s(?:trước|chậm nhất)", sentence)
            for ref in self.registry.find(target.group(1)) if target else []:
                if not self.registry.get(ref.id).is_group:
                    return ref.id
        if any(k.id == "VP" for k in self.registry.known):
            return "VP"
        return self.registry.used[0] if self.registry.used else "VP"


def build_draft(plan: PlanRead, registry: Registry, years: list[int], source: str,
                year_given: bool = False) -> Draft:
    """The draft plan file for a plan read from `source`."""
    builder = _Builder(plan, registry, years)
    common = builder.common()
    areas, tasks = [], []
    for index, area in enumerate(plan.areas, 1):
        area_data, area_tasks = builder.area(index, area)
        areas.append(area_data)
        tasks.extend(area_tasks)
    office = builder.office()
    if office not in registry.used:
        registry.used.insert(0, office)
    units, groups, unit_checks = _unit_lists(registry)
    title = plan.title or _("Plan imported from {file}").format(file=source)
    issuer = _("Director of the {organisation}").format(organisation=plan.issuer or "Sở")
    info: dict[str, Any] = {"id": _plan_id(title, years), "title": title, "issued_by": issuer, "years": years,
                            "office": office, "timezone": "Asia/Ho_Chi_Minh", "shift": "previous"}
    if plan.issued_on:  # no occurrence falls due before the plan was issued
        info["issued_on"] = plan.issued_on.strftime("%d/%m/%Y")
    if common:
        info["common_deadlines"] = common
    if plan.references:
        info["references"] = plan.references
    leadership = {"id": LEADERSHIP[0], "name": LEADERSHIP[1], "members": list(LEADERSHIP[2])}
    stale = stale_summary(in_plan({"plan": info, "units": units, "areas": areas, "tasks": tasks})) \
        if applies(years) else []
    header = _header(plan, builder, years, year_given, source, office, unit_checks, common)
    if stale:
        header += ["", _("Terms and units that no longer exist since 01/07/2025 (write the current ones):"),
                   *[f"- {line}" for line in stale]]
    plan_notes: list[str] = []
    text = document(header, [("plan", info, plan_notes), ("units", units, []), ("groups", groups, []),
                             ("roles", [leadership], [_("Assumed: who receives escalations.")]),
                             ("areas", areas, []), ("tasks", tasks, [])])
    if not groups:
        text = text.replace("groups: []\n", "")
    return Draft(text, len(areas), len(tasks), [u["id"] for u in units],
                 [u["id"] for u in units if u.get("note") == _new_note()], builder.deadlines, builder.assumed,
                 header, stale)


def _new_note() -> str:
    return _("New unit read from the document: check its name and id.")


def _unit_lists(registry: Registry) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    checks: list[str] = []
    wanted = list(registry.used) + [k.id for k in registry.known if k.origin == "units-file" and k.id not in
                                    registry.used]
    groups: list[dict[str, Any]] = []
    members_needed: list[str] = []
    for ident in wanted:
        known = registry.get(ident)
        if not known.is_group:
            continue
        members = list(known.members or ())
        if not members:
            members = _guess_members(registry, known.id)
            checks.append(_("Group {group} (\"{name}\"): the document lists no members; placed {members}. "
                            "Replace them with the real units.").format(group=known.id, name=known.name,
                                                                         members=", ".join(members)))
        members_needed.extend(m for m in members if m not in wanted and m not in members_needed)
        groups.append({"id": known.id, "name": known.name, "members": members})
    units: list[dict[str, Any]] = []
    for ident in [*wanted, *members_needed]:
        known = registry.get(ident)
        if known.is_group or ident in [u["id"] for u in units]:
            continue
        unit: dict[str, Any] = {"id": known.id, "name": registry.name_of(known.id)}
        if known.origin == "document":
            unit["note"] = _new_note()
        elif known.origin == "placeholder":
            unit["note"] = _("Placeholder: replace with a real unit.")
        units.append(unit)
    new = [f"{k.id} (\"{k.name}\")" for k in registry.known if k.origin == "document" and k.id in registry.used]
    if new:
        checks.append(_("Units named in the document but not in the units list (new): {units}.").format(
            units=", ".join(new)))
    return units, groups, checks


def _guess_members(registry: Registry, group: str) -> list[str]:
    offices = [u for u in registry.used if not registry.get(u).is_group and u != "VP"
               and (registry.get(u).origin != "document" or is_office_name(registry.get(u).name))
               and registry.get(u).origin != "placeholder"]
    if group == "PHONG" and offices:
        return offices
    ident = f"{group}-1"
    if not any(k.id == ident for k in registry.known):
        registry.known.append(KnownUnit(ident, _("A unit of the group {group} (fill in)").format(group=group),
                                        origin="placeholder"))
    return [ident]


def _plan_id(title: str, years: list[int]) -> str:
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"
    prefix = "cchc" if re.search(r"cải cách hành chính|CCHC", title, re.IGNORECASE) else "kh"
    return f"{prefix}-{span}"


def _header(plan: PlanRead, b: _Builder, years: list[int], year_given: bool, source: str, office: str,
            unit_checks: list[str], common: list[dict[str, Any]]) -> list[str]:
    lines = [_("Draft plan imported from {file} by `nhacviec import` on the document's own words.").format(
        file=source), _("The office must check, then run `nhacviec check` on this file:"), ""]
    todo = []
    todo.append(_("Years {years}: given with --year.") if year_given else _("Years {years}: read from the title."))
    todo[-1] = todo[-1].format(years=", ".join(map(str, years)))
    todo.append(_("Date of issue: {day} (plan.issued_on; nothing falls due before it).").format(
        day=plan.issued_on.strftime("%d/%m/%Y")) if plan.issued_on else _("Date of issue: not found; add it."))
    todo.append(_("Issued by and office ({office}) guessed: check them.").format(office=office))
    if not common:
        todo.append(_("No plan-wide deadline found (such as results to the office before a day): add one if "
                      "the plan has it."))
    todo.extend(unit_checks)
    todo.extend(b.checks)
    if b.assumed:
        todo.append(_("{count} deadlines are assumed (source: assumed): confirm each one.").format(count=b.assumed))
    if b.no_deadline:
        todo.append(_("{count} tasks have no deadline of their own (only the plan-wide ones): {tasks}.").format(
            count=len(b.no_deadline), tasks=", ".join(b.no_deadline)))
    if b.unread:
        todo.append(_("Deadline phrases not understood: {phrases}.").format(phrases="; ".join(b.unread)))
    if b.assumed_areas:
        todo.append(_("Areas {areas}: the document gives responsibility per task only; the area's was set from "
                      "its tasks' lead units. Check it.").format(areas=", ".join(b.assumed_areas)))
    if b.year_before:
        todo.append(_("Tasks {tasks}: due in the year before the plan year they prepare; the draft keeps every "
                      "such day inside the plan's period ({years}). Check years: if that is not meant.").format(
            tasks=", ".join(b.year_before), years=", ".join(map(str, years))))
    if b.split:
        todo.append(_("{count} tasks split from long items: {tasks}.").format(count=len(b.split),
                                                                             tasks=", ".join(b.split)))
    todo.append(_("Titles are cut from the document's sentences (kept whole in detail): shorten or correct them."))
    todo.append(_("Evidence: listed only where the document names a product; add what is expected."))
    return lines + [f"- {line}" for line in todo]


