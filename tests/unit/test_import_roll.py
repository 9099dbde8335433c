"""`nhacviec plan roll`: a plan copied to a new year, dates moved, sources kept, each deadline to confirm."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.cli import main
from bot.importer.cli import run_import
from bot.plans.loader import load_plan

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "schedules" / "cchc-2019-2020.yaml"
sys.path.insert(0, str(ROOT / "tests" / "data" / "import"))
from make_docs import make_docs


def test_bundled_plan_rolls_to_2021_and_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cchc-2021.yaml"
    assert main(["plan", "roll", str(BUNDLED), "--to-year", "2021", "--out", str(out)]) == 0
    assert "kế hoạch chuyển sang năm 2021" in capsys.readouterr().out
    old, new = load_plan(BUNDLED), load_plan(out)
    assert new.plan.years == [2021, 2022] and new.plan.id == "cchc-2021-2022"
    assert new.plan.title.endswith("năm 2021, 2022") and new.plan.baseline is None
    assert "ghi kết quả năm 2020" in out.read_text(encoding="utf-8")
    old_specs = [d for t in old.tasks for d in t.deadlines] + list(old.plan.common_deadlines)
    new_specs = [d for t in new.tasks for d in t.deadlines] + list(new.plan.common_deadlines)
    assert Counter(d.source for d in new_specs) == Counter(d.source for d in old_specs)
    assert all("xác nhận lại hạn này cho năm 2021, 2022" in (d.note or "") for d in new_specs)
    assert new.task("1.1").deadlines[0].years == [2022, 2023]  # was [2020, 2021]
    assert [(t.id, t.detail) for t in new.tasks] == [(t.id, t.detail) for t in old.tasks]
    if "starts" in type(new.plan).model_fields:  # the plan start, once the model has one
        assert str(new.plan.model_dump()["starts"]) in ("2021-01-01", "01/01/2021")


def test_fixed_dates_move_by_the_years(tmp_path: Path) -> None:
    docx_path, _ = make_docs(tmp_path)
    draft = tmp_path / "draft.yaml"
    draft.write_text(run_import(docx_path, None, None).text, encoding="utf-8")
    out = tmp_path / "next.yaml"
    assert main(["plan", "roll", str(draft), "--to-year", "2027", "--out", str(out)]) == 0
    plan = load_plan(out)
    assert plan.plan.years == [2027]
    assert plan.task("5.1").deadlines[0].date == "2027-06-30"
    assert plan.plan.common_deadlines[0].date == "2027-11-15"


def test_rolling_a_broken_plan_says_so_in_vietnamese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("plan: {id: x}\n", encoding="utf-8")
    assert main(["plan", "roll", str(broken), "--to-year", "2027", "--out", str(tmp_path / "o.yaml")]) == 2
    assert "không phải kế hoạch hợp lệ" in capsys.readouterr().err
    assert not (tmp_path / "o.yaml").exists()
