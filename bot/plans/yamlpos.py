"""YAML → Python data, remembering the line and column of every value.

PyYAML 1.1 quirks are caught here: an unquoted `17:45` is the integer 1065, a
repeated key silently overwrites the first one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.domain.references import Issue, Path

_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


def _position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


@dataclass
class Positioned:
    """Parsed data, the position (line, column; 1-based) of each path, and problems seen while parsing."""

    data: Any
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    def position(self, path: Path) -> tuple[int, int] | None:
        """The position of `path`, or of its nearest ancestor that has one."""
        for cut in range(len(path), -1, -1):
            found = self.positions.get(tuple(path[:cut]))
            if found:
                return found
        return None


MAX_VALUES = 200_000  # far above the bundled plan; stops "billion laughs" alias bombs


class _TooBig(Exception):
    pass


class _Walker:
    def __init__(self, loader: yaml.SafeLoader, out: Positioned) -> None:
        self.loader = loader
        self.out = out
        self.open: set[int] = set()  # collections being built: an alias back into one is a loop
        self.count = 0

    def mark(self, path: Path, node: yaml.Node) -> None:
        self.out.positions.setdefault(path, _position(node))

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.mark(path, node)
        self.count += 1
        if self.count > MAX_VALUES:
            raise _TooBig
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            if id(node) in self.open:
                self.out.issues.append(Issue(path, "yaml_alias_loop", {}))
                return None
            self.open.add(id(node))
            try:
                return self._collection(node, path)
            finally:
                self.open.discard(id(node))
        return self.scalar(node, path)

    def _collection(self, node: yaml.Node, path: Path) -> Any:
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.scalar(key_node, path)
                if not isinstance(key, (str, int)):
                    key = str(key)
                if key in result:
                    # The path is that of the first key: carry the repeated key's own position.
                    self.out.issues.append(Issue((*path, key), "duplicate_key",
                                                 {"key": key, "_at": _position(key_node)}))
                    continue
                self.mark((*path, key), key_node)
                result[key] = self.build(value_node, (*path, key))
            return result
        return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]

    def scalar(self, node: yaml.Node, path: Path) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.out.issues.append(Issue(path, "complex_key", {}))
            return repr(node.value)[:40]
        if node.tag in _NUMBER_TAGS and node.style is None and _SEXAGESIMAL.match(node.value):
            self.out.issues.append(Issue(path, "unquoted_time", {"text": node.value,
                                                                 "number": self.loader.construct_object(node)}))
            return node.value
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            unknown_tag = node.tag not in self.loader.yaml_constructors
            self.out.issues.append(Issue(path, "yaml_tag", {"tag": node.tag}) if unknown_tag
                                   else Issue(path, "bad_scalar", {"text": node.value, "reason": exc.problem}))
            return node.value
        except (ValueError, OverflowError) as exc:
            if node.tag == _TIMESTAMP_TAG:
                # An unquoted 2019-02-31: keep the text, the schema reports the impossible date once.
                return node.value
            self.out.issues.append(Issue(path, "bad_scalar", {"text": node.value, "reason": str(exc)}))
            return node.value


def load_positioned(text: str) -> Positioned:
    """Parse one YAML document. Raises yaml.MarkedYAMLError on syntax errors."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        out = Positioned(None)
        if node is not None:
            try:
                out.data = _Walker(loader, out).build(node, ())
            except _TooBig:
                out.data = {}
                out.issues.append(Issue((), "yaml_too_big", {"limit": MAX_VALUES}))
        return out
    finally:
        loader.dispose()
