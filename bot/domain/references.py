"""Cross-reference checks of a plan document: ids that must exist and be unique.

Works on the raw parsed YAML (not the pydantic model) so that reference errors
are reported together with structural ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Issue:
    """One problem in a plan file: where, what kind, and the values the message needs."""

    path: Path
    code: str
    params: dict[str, Any] = field(default_factory=dict)


def _items(data: Any, key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def _duplicates(data: Any, key: str) -> Iterator[Issue]:
    seen: dict[Any, int] = {}
    for index, item in _items(data, key):
        ident = item.get("id")
        if isinstance(ident, str) and ident in seen:
            yield Issue((key, index, "id"), "duplicate_id", {"id": ident, "first": seen[ident] + 1})
        elif isinstance(ident, str):
            seen[ident] = index


def _responsibility_refs(resp: Any, path: Path, known: set[str]) -> Iterator[Issue]:
    if not isinstance(resp, dict):
        return
    for key in ("lead", "others"):
        names = resp.get(key)
        if isinstance(names, list):
            for i, name in enumerate(names):
                if isinstance(name, str) and name not in known:
                    yield Issue((*path, key, i), "unknown_unit", {"unit": name})


def _unit_list_refs(names: Any, path: Path, known: set[str]) -> Iterator[Issue]:
    for i, name in enumerate(names if isinstance(names, list) else []):
        if isinstance(name, str) and name not in known:
            yield Issue((*path, i), "unknown_unit", {"unit": name})


def _deadline_refs(deadlines: Any, path: Path, common: frozenset[str] = frozenset(),
                   known: set[str] | None = None) -> Iterator[Issue]:
    if not isinstance(deadlines, list):
        return
    seen: set[str] = set(common)
    for i, spec in enumerate(deadlines):
        if known is not None and isinstance(spec, dict):
            yield from _unit_list_refs(spec.get("units"), (*path, i, "units"), known)
            yield from _unit_list_refs(spec.get("assumed_units"), (*path, i, "assumed_units"), known)
        ident = spec.get("id") if isinstance(spec, dict) else None
        if isinstance(ident, str):
            if ident in seen:
                yield Issue((*path, i, "id"), "duplicate_id", {"id": ident, "first": "?"})
            seen.add(ident)


def check_references(data: Any) -> list[Issue]:
    """Every dangling or duplicated reference in a plan document."""
    if not isinstance(data, dict):
        return []
    issues: list[Issue] = []
    for key in ("units", "groups", "roles", "areas", "tasks"):
        issues.extend(_duplicates(data, key))
    units = {u.get("id") for _, u in _items(data, "units")}
    groups = {g.get("id") for _, g in _items(data, "groups")}
    roles = {r.get("id") for _, r in _items(data, "roles")}
    areas = {a.get("id") for _, a in _items(data, "areas")}
    for index, group in _items(data, "groups"):
        members = group.get("members")
        for i, member in enumerate(members if isinstance(members, list) else []):
            if isinstance(member, str) and member not in units:
                issues.append(Issue(("groups", index, "members", i), "unknown_unit", {"unit": member}))
    for ident in sorted(str(x) for x in units & groups if x):
        issues.append(Issue(("groups",), "group_is_unit", {"id": ident}))
    known = {x for x in units | groups if isinstance(x, str)}
    info = data.get("plan")
    common: frozenset[str] = frozenset()
    if isinstance(info, dict) and isinstance(info.get("common_deadlines"), list):
        common = frozenset(str(d["id"]) for d in info["common_deadlines"] if isinstance(d, dict)
                           and isinstance(d.get("id"), str))
    if isinstance(info, dict):
        office = info.get("office")
        if isinstance(office, str) and office not in units:
            issues.append(Issue(("plan", "office"), "unknown_unit", {"unit": office}))
        ladder = info.get("ladder")
        role = ladder.get("leadership_role", "leadership") if isinstance(ladder, dict) else "leadership"
        if isinstance(role, str) and role not in roles:
            issues.append(Issue(("plan", "ladder", "leadership_role"), "unknown_role", {"role": role}))
        issues.extend(_deadline_refs(info.get("common_deadlines"), ("plan", "common_deadlines"), known=known))
    for index, area in _items(data, "areas"):
        in_charge = area.get("in_charge")
        if isinstance(in_charge, str) and in_charge not in roles:
            issues.append(Issue(("areas", index, "in_charge"), "unknown_role", {"role": in_charge}))
        issues.extend(_responsibility_refs(area.get("responsibility"), ("areas", index, "responsibility"), known))
    for index, task in _items(data, "tasks"):
        task_area = task.get("area")
        if isinstance(task_area, str) and task_area not in areas:
            issues.append(Issue(("tasks", index, "area"), "unknown_area", {"area": task_area}))
        issues.extend(_responsibility_refs(task.get("responsibility"), ("tasks", index, "responsibility"), known))
        owners = task.get("owners")
        if isinstance(owners, dict):
            issues.extend(_unit_list_refs(owners.get("units"), ("tasks", index, "owners", "units"), known))
        opted_out = task.get("common_deadlines") is False
        issues.extend(_deadline_refs(task.get("deadlines"), ("tasks", index, "deadlines"),
                                     frozenset() if opted_out else common, known))
    return issues
