"""Hostile plan files: `nhacviec check` never crashes, whatever YAML (or non-YAML) it is given.

Random documents (scalars, lists, dicts dumped with yaml.safe_dump, plus raw text) and random mutations
of the bundled plan (lines deleted, duplicated, swapped; tabs, odd characters, truncation) go through
`bot.cli.main(["check", path])`: the exit code is 0 or 2, and on 2 stderr carries the Vietnamese report
header ("Kế hoạch ... có N lỗi") or the usage error text; never a traceback.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.cli import main
from tests.conftest import BUNDLED_PLAN

PLAN_TEXT = BUNDLED_PLAN.read_text(encoding="utf-8")
PLAN_LINES = PLAN_TEXT.splitlines(keepends=True)
HEADER = re.compile(r"Kế hoạch .* có \d+ lỗi")
FUZZ = settings(max_examples=50, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=20), st.dates().map(str))
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(["plan", "units", "tasks", "areas", "groups", "roles", "id",
                                               "deadlines", "date", "yearly", "title", "name"]),
                              st.text(max_size=8)), inner, max_size=4)), max_leaves=20)


def _check(text: str | bytes, capsys: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ke-hoach.yaml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
        capsys.readouterr()
        code = main(["check", str(path)])
        out, err = capsys.readouterr()
    assert code in (0, 2), (code, err[-2000:])
    assert "Traceback" not in err and "Traceback" not in out
    if code == 2:
        assert HEADER.search(err) or "Lỗi câu lệnh" in err, err[-2000:]
    else:
        assert out.strip()


@FUZZ
@given(documents)
@example({"plan": None, "units": [], "tasks": [{}]})
@example({"plan": {"id": 1, "years": "2019"}, "units": {"x": 1}})
def test_random_yaml_documents(capsys: pytest.CaptureFixture[str], doc: object) -> None:
    _check(yaml.safe_dump(doc, allow_unicode=True), capsys)


@settings(FUZZ, max_examples=30)
@given(st.text(max_size=300))
@example("\t- :")
@example("plan: &a [*a]")  # regression: RecursionError escaped (exit 1) before yamlpos detected alias loops
@example("a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(  # regression: an alias bomb hung the checker
    f"{n}: &{n} [{', '.join(['*' + p] * 10)}]\n" for p, n in zip("abcdefg", "bcdefgh", strict=True)))
@example("\x00\x01")
@example("{{{{")
def test_random_text(capsys: pytest.CaptureFixture[str], text: str) -> None:
    _check(text.encode("utf-8", errors="replace"), capsys)


mutation = st.tuples(st.sampled_from(["delete", "duplicate", "swap", "tab", "char", "truncate"]),
                     st.integers(0, len(PLAN_LINES) - 1), st.integers(0, len(PLAN_LINES) - 1),
                     st.characters(blacklist_categories=("Cs",)))


@settings(FUZZ, max_examples=70)
@given(st.lists(mutation, min_size=1, max_size=4))
def test_mutated_bundled_plan(capsys: pytest.CaptureFixture[str], edits: list[tuple[str, int, int, str]]) -> None:
    lines = list(PLAN_LINES)
    for op, i, j, ch in edits:
        i, j = i % len(lines), j % len(lines)
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "tab":
            lines[i] = "\t" + lines[i]
        elif op == "char":
            pos = j % (len(lines[i]) + 1)
            lines[i] = lines[i][:pos] + ch + lines[i][pos:]
        else:
            lines = lines[:max(1, i)]
            lines[-1] = lines[-1][: j % (len(lines[-1]) + 1)]
        if not lines:
            lines = ["\n"]
    _check("".join(lines), capsys)


def test_missing_file_and_bad_arguments(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["check", str(tmp_path / "khong-co.yaml")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and (HEADER.search(err) or "Lỗi câu lệnh" in err)
    assert main(["check"]) == 2
    assert "Lỗi câu lệnh" in capsys.readouterr().err
