"""Plan data to YAML text with comments: block style for the plan, flow style for small values.

A mapping may carry `COMMENT` (a list of lines) that is written as `#` lines above it. Strings are
always double-quoted (JSON escapes are valid YAML), so "20/11" or "08:00" never change type.
"""

from __future__ import annotations

import json
from typing import Any

COMMENT = "__comment__"
FLOW_KEYS = {"responsibility", "window", "years", "members", "lead", "others", "before"}


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if value is None:
        return "null"
    return json.dumps(str(value), ensure_ascii=False)


def flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items() if k != COMMENT) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def comment_lines(lines: list[str], indent: str) -> list[str]:
    out = []
    for line in lines:
        for part in str(line).splitlines() or [""]:
            out.append(f"{indent}# {part}".rstrip())
    return out


def emit(value: Any, indent: int = 0) -> list[str]:
    """Lines of a mapping's body at `indent` spaces."""
    pad = " " * indent
    out: list[str] = []
    for key, item in value.items():
        if key == COMMENT:
            continue
        if isinstance(item, dict) and COMMENT in item and key not in FLOW_KEYS:
            out.extend(comment_lines(item[COMMENT], pad))
        if key in FLOW_KEYS or not isinstance(item, (dict, list)) or item == [] or item == {}:
            out.append(f"{pad}{key}: {flow(item)}")
        elif isinstance(item, dict):
            out.append(f"{pad}{key}:")
            out.extend(emit(item, indent + 2))
        else:
            out.append(f"{pad}{key}:")
            out.extend(emit_list(item, indent + 2))
    return out


def emit_list(items: list[Any], indent: int) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    for item in items:
        if not isinstance(item, dict):
            out.append(f"{pad}- {flow(item)}")
            continue
        out.extend(comment_lines(item.get(COMMENT, []), pad))
        body = emit(item, indent + 2)
        if body:
            out.append(pad + "- " + body[0].lstrip())
            out.extend(body[1:])
    return out


def document(header: list[str], sections: list[tuple[str, Any, list[str]]]) -> str:
    """The whole file: a header comment, then each top-level key with its comment lines."""
    rule = "# " + "=" * 77
    lines = [rule, *comment_lines(header, ""), rule, ""]
    for key, value, notes in sections:
        lines.extend(comment_lines(notes, ""))
        if value == [] or value == {}:
            lines.append(f"{key}: {flow(value)}")
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines.extend(emit(value, 2))
        else:
            lines.append(f"{key}:")
            lines.extend(emit_list(value, 2))
        lines.append("")
    return "\n".join(lines)
