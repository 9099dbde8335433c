"""Load a plan file and report every problem with file, line, column and field path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

import yaml
from pydantic import ValidationError

from bot.domain.plan import Plan
from bot.domain.references import Issue, Path, check_references
from bot.domain.text import nfc
from bot.i18n import language
from bot.plans.messages import headers, render
from bot.plans.yamlpos import Positioned, load_positioned


@dataclass(frozen=True)
class LocatedIssue:
    """An issue with its place in the file."""

    path: Path
    code: str
    params: dict[str, Any]
    line: int | None = None
    column: int | None = None
    fallback: str = ""


class PlanError(Exception):
    """A plan file that cannot be used; carries every problem found."""

    def __init__(self, file: str, issues: list[LocatedIssue]) -> None:
        super().__init__(f"{file}: {len(issues)} error(s)")
        self.file = file
        self.issues = issues

    def render(self, lang: str = "vi") -> str:
        """The full report, one line per problem, in Vietnamese or English."""
        with language(lang):
            head, _where, tail = headers()
        lines = [head.format(file=self.file, count=len(self.issues))]
        lines += [f"  {line}" for line in self.lines(lang)]
        lines.append(tail)
        return "\n".join(lines)

    def lines(self, lang: str = "vi") -> list[str]:
        """One sentence per problem, with its file, line, column and field path (the report without head and tail)."""
        with language(lang):
            _head, where, _tail = headers()
        out = []
        for issue in self.issues:
            place = self.file
            if issue.line is not None:
                place += ", " + where.format(line=issue.line, col=issue.column)
            path = format_path(issue.path)
            message = render(issue.code, issue.params, lang, issue.fallback)
            out.append(f"{place}: {path + ': ' if path else ''}{message}")
        return out


def format_path(path: Path) -> str:
    """`tasks[3].deadlines[0].yearly` style."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _pydantic_issues(exc: ValidationError) -> list[Issue]:
    issues = []
    for error in exc.errors(include_url=False):
        params = {k: (", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
                  for k, v in (error.get("ctx") or {}).items()}
        if error["type"] in ("literal_error", "enum") and "expected" in params:
            # pydantic writes "'a', 'b' or 'c'": keep the values, drop the English "or".
            params["expected"] = str(params["expected"]).replace("'", "").replace(" or ", ", ")
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith(("function-", "list["))))
        issues.append(Issue(loc, error["type"], {**params, "_msg": error["msg"]}))
    return issues


def _syntax_issue(exc: yaml.YAMLError, text: str) -> LocatedIssue:
    mark = getattr(exc, "problem_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    if isinstance(exc, yaml.reader.ReaderError):  # a control character: no mark, only an offset
        problem = f"unacceptable character #x{exc.character:04x}" if isinstance(exc.character, int) else exc.reason
        line, col = _line_column(text, exc.position)
    else:
        problem = str(getattr(exc, "problem", None) or exc)
    code = "yaml_tab" if "\\t" in problem or "\t" in problem else "yaml_syntax"
    return LocatedIssue((), code, {"problem": problem}, line, col)


def _line_column(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def parse_plan(text: str, file: str) -> Plan:
    """Validate plan text (NFC-normalised first); raise PlanError listing every problem."""
    text = nfc(text)
    if not text.strip():
        raise PlanError(file, [LocatedIssue((), "empty_file", {})])
    try:
        parsed: Positioned = load_positioned(text)
    except yaml.YAMLError as exc:
        raise PlanError(file, [_syntax_issue(exc, text)]) from None
    if any(issue.code == "yaml_too_big" for issue in parsed.issues):
        raise PlanError(file, [LocatedIssue((), "yaml_too_big", dict(parsed.issues[-1].params))])
    if parsed.data is None:
        raise PlanError(file, [LocatedIssue((), "empty_file", {})])
    if not isinstance(parsed.data, dict):
        line, col = parsed.position(()) or (1, 1)
        raise PlanError(file, [LocatedIssue((), "not_mapping", {}, line, col)])
    issues = list(parsed.issues)
    plan: Plan | None = None
    try:
        plan = Plan.model_validate(parsed.data)
    except ValidationError as exc:
        issues.extend(_pydantic_issues(exc))
    issues.extend(check_references(parsed.data))
    if issues or plan is None:
        located = []
        for issue in issues:
            pos = issue.params.get("_at") or parsed.position(issue.path) or (None, None)
            params = {k: v for k, v in issue.params.items() if not k.startswith("_")}
            located.append(LocatedIssue(issue.path, issue.code, params, pos[0], pos[1],
                                        str(issue.params.get("_msg", ""))))
        located.sort(key=lambda i: (i.line or 0, i.column or 0))
        raise PlanError(file, located)
    return plan


def plan_files(paths: list[str]) -> list[FsPath]:
    """The files named, a folder standing for its *.yaml and *.yml files in name order."""
    out: list[FsPath] = []
    for name in paths:
        path = FsPath(name)
        found = sorted([*path.glob("*.yaml"), *path.glob("*.yml")]) if path.is_dir() else [path]
        out += [f for f in found if f not in out]
    return out


def load_plans(paths: list[str]) -> list[Plan]:
    """Several plans (config `plans:`); every file's problems are reported, and two plans never share an id."""
    plans: list[Plan] = []
    errors: list[PlanError] = []
    files = plan_files(paths)
    if not files:
        raise PlanError(", ".join(paths), [LocatedIssue((), "file_missing", {})])
    for file in files:
        try:
            plans.append(load_plan(file))
        except PlanError as exc:
            errors.append(exc)
    if errors:
        raise PlanError(errors[0].file if len(errors) == 1 else ", ".join(e.file for e in errors),
                        [i for e in errors for i in e.issues])
    by_id: dict[str, list[str]] = {}
    for file, plan in zip(files, plans, strict=True):
        by_id.setdefault(plan.plan.id, []).append(str(file))
    dupes = [LocatedIssue(("plan", "id"), "duplicate_plan_id", {"id": ident, "files": ", ".join(names)})
             for ident, names in by_id.items() if len(names) > 1]
    if dupes:
        raise PlanError(", ".join(str(f) for f in files), dupes)
    return plans


def load_plan(path: str | FsPath) -> Plan:
    """Read and validate a plan file."""
    file = str(path)
    try:
        raw = FsPath(path).read_bytes()
    except FileNotFoundError:
        raise PlanError(file, [LocatedIssue((), "file_missing", {})]) from None
    except OSError as exc:
        raise PlanError(file, [LocatedIssue((), "file_unreadable", {"reason": exc.strerror or str(exc)})]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Often a file saved in a legacy Vietnamese encoding (TCVN3, VNI, Windows-1258): say where.
        before = raw[:exc.start].decode("utf-8-sig", errors="replace")
        line, col = _line_column(before, len(before))
        raise PlanError(file, [LocatedIssue((), "not_utf8", {}, line, col)]) from None
    return parse_plan(text, file)
