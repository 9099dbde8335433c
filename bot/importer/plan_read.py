"""What the structure reader found in a document: areas, tasks, responsibilities, as read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

ROLES = {"chủ trì": ("lead", "chủ trì"), "tổng hợp": ("lead", "tổng hợp"),
         "phối hợp": ("others", "phối hợp"), "thực hiện": ("others", "thực hiện")}


@dataclass
class RespRead:
    """Who is responsible, as read: unit texts by role, and the sentence."""

    parts: dict[str, list[str]] = field(default_factory=dict)  # "lead"/"others" -> unit texts
    lead_as: str = "chủ trì"
    others_as: str = "phối hợp"
    read: list[str] = field(default_factory=list)

    def add(self, role: str, units: str, sentence: str) -> None:
        side, word = ROLES[role.lower()]
        self.parts.setdefault(side, []).append(units.strip(" .;"))
        if side == "lead":
            self.lead_as = word
        else:
            self.others_as = word
        if sentence not in self.read:
            self.read.append(sentence)


@dataclass
class TaskRead:
    detail: str
    number: str | None = None
    responsibility: RespRead | None = None
    time: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    split_from: str | None = None
    numbered: bool = False
    title_from: str | None = None  # the words a title is cut from, when not the detail


@dataclass
class AreaRead:
    name: str
    number: str | None = None
    responsibility: RespRead = field(default_factory=RespRead)
    tasks: list[TaskRead] = field(default_factory=list)


@dataclass
class PlanRead:
    title: str | None = None
    years: list[int] = field(default_factory=list)
    issued_on: date | None = None
    issuer: str | None = None
    areas: list[AreaRead] = field(default_factory=list)
    common_rules: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    layout: str = "paragraphs"

    @property
    def tasks(self) -> list[TaskRead]:
        return [t for a in self.areas for t in a.tasks]
