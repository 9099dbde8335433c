"""The layering, read from the code's own imports (ast, nothing executed).

The conversation core knows no channel; an adapter does not import another; no package import circle at all.
What is still crossed today is listed by name below (issue 18's remaining work): a list that may only shrink.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
ADAPTERS = ("bot.telegram", "bot.zalo", "bot.web", "bot.mail")
CHANNEL_LIBRARIES = ("telegram", "aiohttp", "httpx", "aiosmtplib")
# No adapter imports another (the Zalo bridge that ran the Telegram handlers is gone).
KNOWN_ADAPTER_EDGES: set[tuple[str, str]] = set()
# python-telegram-bot belongs to the Telegram adapter; the entry points may wire it.
PTB_HOMES = ("bot.telegram", "bot.runner", "bot.cli", "bot.sandbox")
KNOWN_PTB_USERS: tuple[str, ...] = ()


def _modules() -> dict[str, Path]:
    found = {}
    for path in BOT.rglob("*.py"):
        parts = path.relative_to(BOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imported(name: str, path: Path) -> Iterator[str]:
    """Every module `name` imports (any depth: local imports count too), `bot.*` or a library's top name."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def _edges() -> set[tuple[str, str]]:
    return {(_package(name), _package(target)) for name, path in MODULES.items()
            for target in _imported(name, path) if target.startswith("bot.") and _package(name) != _package(target)}


def _circles(edges: set[tuple[str, str]]) -> set[frozenset[str]]:
    """Strongly connected package groups of more than one package (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                found.add(frozenset(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_conversation_core_imports_no_adapter_and_no_channel_library() -> None:
    core = {name: path for name, path in MODULES.items() if name.startswith("bot.conversation")}
    assert core, "bot/conversation is missing"
    for name, path in core.items():
        for target in _imported(name, path):
            assert not target.startswith(ADAPTERS), f"{name} imports the adapter {target}"
            assert target.split(".")[0] not in CHANNEL_LIBRARIES, f"{name} imports the channel library {target}"


def _within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def test_python_telegram_bot_only_in_the_telegram_adapter_and_the_entry_points() -> None:
    users = {name for name, path in MODULES.items() for target in _imported(name, path)
             if target.split(".")[0] == "telegram"}
    assert users, "the check finds no importer of python-telegram-bot at all"
    outside = sorted(n for n in users if not _within(n, PTB_HOMES + KNOWN_PTB_USERS))
    assert outside == [], f"python-telegram-bot imported outside bot/telegram: {outside}"


def test_no_adapter_imports_another_beyond_the_known_crossings() -> None:
    crossings = {(a, b) for a, b in _edges() if a in ADAPTERS and b in ADAPTERS}
    assert crossings <= KNOWN_ADAPTER_EDGES, f"new: {crossings - KNOWN_ADAPTER_EDGES}"


def test_no_import_circle_between_packages() -> None:
    """The packages of `bot/` import one another in one direction only (local imports count too): domain, db
    and texts below the services, the services below the views, the views below the digests, the engine above."""
    circles = _circles(_edges())
    assert circles == set(), f"import circles: {[sorted(c) for c in circles]}"


def test_the_circle_finder_finds_a_circle() -> None:
    assert _circles({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == {frozenset({"a", "b", "c"})}
