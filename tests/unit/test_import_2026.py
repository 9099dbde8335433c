"""2026 awareness: `import` and `plan roll` name the terms and units that no longer exist since 01/07/2025
(shared/PAR-NOTES.md) with the current ones, refresh stale notes, and refuse a year that is not a year."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.plans.loader import load_plan

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "schedules" / "cchc-2019-2020.yaml"
SEED = ROOT / ".." / "shared" / "seed" / "000_205301eb221e9f11.txt"
sys.path.insert(0, str(ROOT / "tests" / "data" / "import"))
from make_other import make_other


def test_roll_to_2026_warns_of_every_term_that_no_longer_exists(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cchc-2026.yaml"
    assert main(["plan", "roll", str(BUNDLED), "--to-year", "2026", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    for words, current in (("Thanh tra Sở", "Thanh tra tỉnh"), ("mức độ 3, 4", "toàn trình"),
                           ("Bộ phận Một cửa", "Trung tâm Phục vụ hành chính công"), ("Hợp đồng 68", "111/2022"),
                           ("Chỉ thị số 24/CT-UBND", "66/NQ-CP"), ("UBND các huyện", "cấp xã"),
                           ("Hiện đại hóa hành chính", "chính quyền số")):
        line = next((ln for ln in err.splitlines() if f"\"{words}\"" in ln), "")
        assert line.startswith("Cảnh báo: ") and current in line, words
        assert f"\"{words}\"" in text.split("plan:")[0]  # listed in the file's header too
    assert "đơn vị TTr" in err and "nhiệm vụ 3.5" in err
    plan = load_plan(out)
    assert plan.plan.start_note is not None and "2019" not in plan.plan.start_note
    assert plan.plan.starts == "2026-01-01"
    training = next(d for t in plan.tasks for d in t.deadlines if d.id == "dao-tao")
    assert training.years == [2027, 2028] and "30/06/2026 và 30/06/2027" in (training.note or "")


def test_roll_to_an_earlier_year_says_nothing_of_2025(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "roll", str(BUNDLED), "--to-year", "2021", "--out", str(tmp_path / "o.yaml")]) == 0
    assert "Cảnh báo" not in capsys.readouterr().err


@pytest.mark.parametrize("year", ["21", "0", "20266", "năm"])
def test_a_year_that_is_not_a_year_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], year: str) -> None:
    out = tmp_path / "o.yaml"
    assert main(["plan", "roll", str(BUNDLED), "--to-year", year, "--out", str(out)]) == 2
    assert "không phải là năm" in capsys.readouterr().err and not out.exists()
    assert main(["import", str(SEED), "--year", year, "--out", str(out)]) == 2
    assert "không phải là năm" in capsys.readouterr().err and not out.exists()


def test_import_of_a_2026_plan_warns_and_of_the_2019_seed_does_not(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    docx_path = make_other(tmp_path)[0]
    out = tmp_path / "draft.yaml"
    assert main(["import", str(docx_path), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "Cảnh báo: nhiệm vụ 2.3: \"mức độ 3, 4\"" in err and "toàn trình" in err
    assert "không còn từ 01/07/2025" in out.read_text(encoding="utf-8")
    assert main(["check", str(out)]) == 0
    capsys.readouterr()
    assert main(["import", str(SEED), "--out", str(tmp_path / "seed.yaml")]) == 0
    assert "Cảnh báo" not in capsys.readouterr().err


def test_the_2026_template_plan_follows_the_current_structure(capsys: pytest.CaptureFixture[str]) -> None:
    template = ROOT / "schedules" / "cchc-2026.mau.yaml"
    units = ROOT / "schedules" / "don-vi-sgddt-2026.yaml"
    assert main(["check", str(template)]) == 0
    capsys.readouterr()
    plan = load_plan(template)
    assert plan.plan.years == [2026]
    from bot.importer.stale import in_plan

    data = yaml.safe_load(template.read_text(encoding="utf-8"))
    assert in_plan(data) == []  # written in the current terms
    listed = yaml.safe_load(units.read_text(encoding="utf-8"))
    assert {u["id"] for u in listed["units"]} == {u.id for u in plan.units}
    assert "TTr" not in {u.id for u in plan.units}
    text = template.read_text(encoding="utf-8")
    assumed = [d for t in plan.tasks for d in t.deadlines] + list(plan.plan.common_deadlines)
    assert assumed and all(d.source == "assumed" and d.note for d in assumed)  # every assumption marked
    assert text.count("Giả định") >= len(assumed)
