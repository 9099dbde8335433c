"""`nhacviec criteria import`: the province's criteria appendix (.xlsx, .docx) to a criteria file in format 2
(/work/CRITERIA-FORMAT.md) that the loader accepts; two appendices of our own (tests/data/import/make_criteria.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "data" / "import"))
from make_criteria import DOCX_ROWS, EXPECTED, ON_TIME, XLSX_ROWS, make_criteria

LEVELS = ("linh_vuc", "tieu_chi", "tieu_chi_thanh_phan")
KINDS = ["xlsx", "docx"]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    folder = tmp_path_factory.mktemp("criteria")
    for kind, path in zip(KINDS, make_criteria(folder), strict=True):
        target = folder / f"{kind}.yaml"
        assert main(["criteria", "import", str(path), "--out", str(target)]) == 0
        out[kind] = {"path": target, "data": yaml.safe_load(target.read_text(encoding="utf-8")),
                     "text": target.read_text(encoding="utf-8")}
    return out


def import_rows(tmp_path: Path, rows: list[list[Any]]) -> dict[str, Any]:
    """`criteria import` of a workbook holding `rows`: the criteria file written, checked against format 2."""
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    path, out = tmp_path / "table.xlsx", tmp_path / "table.yaml"
    book.save(str(path))
    assert main(["criteria", "import", str(path), "--out", str(out)]) == 0
    data: dict[str, Any] = yaml.safe_load(out.read_text(encoding="utf-8"))
    follows_format_2(data)
    return data


def follows_format_2(data: dict[str, Any]) -> None:
    """The loader's rules (CRITERIA-FORMAT.md): unique codes, parents earlier and one level up, sums."""
    assert data["format"] == 2 and 2000 <= data["set"]["year"] <= 2100 and data["set"]["name"]
    seen: dict[str, str] = {}
    for row in data["criteria"]:
        assert set(row) >= {"code", "level", "parent", "name", "max_points"}
        assert row["code"] not in seen and len(row["code"]) <= 32
        assert row["level"] in LEVELS and row["max_points"] >= 0 and isinstance(row["guessed"], list)
        if row["parent"] is None:
            assert row["level"] == "linh_vuc"
        else:
            assert LEVELS.index(seen[row["parent"]]) == LEVELS.index(row["level"]) - 1
        seen[row["code"]] = row["level"]
    if "total_points" in data["set"]:
        areas = sum(r["max_points"] for r in data["criteria"] if r["parent"] is None)
        assert abs(areas - data["set"]["total_points"]) < 0.005


@pytest.mark.parametrize("kind", KINDS)
def test_every_row_with_code_level_parent_and_points(files: dict[str, dict[str, Any]], kind: str) -> None:
    data = files[kind]["data"]
    follows_format_2(data)
    rows = data["criteria"]
    expected = EXPECTED[kind]
    assert [r["code"] for r in rows] == expected["codes"]
    assert [sum(r["level"] == level for r in rows) for level in LEVELS] == [
        expected["areas"], expected["criteria"], expected["sub"]]
    assert data["set"]["year"] == 2026 and data["set"]["total_points"] == expected["total"]


def test_xlsx_bands_fold_into_the_method_and_numbering_restarts_name_their_parent(
        files: dict[str, dict[str, Any]]) -> None:
    data = files["xlsx"]["data"]
    rows = {r["code"]: r for r in data["criteria"]}
    assert data["set"]["source"] == "Quyết định số 123/QĐ-UBND ngày 15/01/2026 của UBND tỉnh"
    assert rows["1.1"]["method"] == ON_TIME and rows["1.1"]["evidence"] == "Kế hoạch CCHC năm 2026"
    assert rows["1.2"]["method"].splitlines() == ["a) Hoàn thành 100% kế hoạch: 2",
                                                  "b) Hoàn thành từ 80% đến dưới 100% kế hoạch: 1",
                                                  "c) Hoàn thành dưới 80% kế hoạch: 0"]
    assert rows["2.1"]["max_points"] == 1.5 and rows["2.1"]["parent"] == "2"
    # "1.1" again under criterion 4: the code names its parent, and says it was guessed
    assert (rows["4.1"]["name"], rows["4.1"]["parent"], rows["4.1"]["guessed"]) == (
        "Công bố đầy đủ, kịp thời", "4", ["code"])
    assert [r["survey"] for r in data["criteria"] if r["code"] in ("III", "6", "7")] == [True, True, True]
    assert not any(r["survey"] for r in data["criteria"] if r["code"] in ("I", "1", "5"))
    assert len([r for r in XLSX_ROWS if r[0] not in "abc"]) == len(rows)


def test_docx_continuations_inline_codes_missing_points_and_sums(files: dict[str, dict[str, Any]]) -> None:
    data, text = files["docx"]["data"], files["docx"]["text"]
    rows = {r["code"]: r for r in data["criteria"]}
    assert rows["1.1.2"]["method"] == "100%: 2 điểm; từ 80% đến dưới 100%: 1;\ndưới 80%: 0"
    assert rows["2.1.2"]["name"] == "Rà soát văn bản" and rows["2.1.2"]["parent"] == "2.1"
    assert (rows["3"]["max_points"], rows["3"]["guessed"]) == (5, ["max_points"])
    assert rows["3.1"]["survey"] and rows["3.1"]["guessed"] == ["survey"]
    assert "2.1 \"Xây dựng văn bản quy phạm pháp luật\": văn bản ghi 4 điểm, các dòng con cộng lại 3" in text
    assert len([r for r in DOCX_ROWS if r[0] or r[1][:1].isdigit()]) == len(rows)


def test_a_total_that_differs_is_reported_and_left_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = import_rows(tmp_path, [["BỘ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2027"], ["STT", "Tiêu chí", "Điểm tối đa"],
                                  ["1", "Chỉ đạo, điều hành", 5], ["1.1", "Kế hoạch", 5], ["2", "Thể chế", 4],
                                  ["", "Tổng cộng", 10]])
    assert data["set"]["year"] == 2027 and "total_points" not in data["set"]
    assert "tổng của văn bản là 10" in capsys.readouterr().err


def test_the_real_loader_accepts_the_files(files: dict[str, dict[str, Any]]) -> None:
    reader = pytest.importorskip("bot.dossier.criteria_file")  # the dossier branch's loader, once merged
    for kind in KINDS:
        parsed = reader.parse_criteria_file(files[kind]["text"], kind)
        assert [r.code for r in parsed.rows] == EXPECTED[kind]["codes"]


@pytest.mark.parametrize(("content", "args", "words"), [
    (b"not a zip", [], "Không mở được"),
    (None, ["--year", "26"], "không phải là năm"),
])
def test_unusable_input_exits_2_in_vietnamese(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              content: bytes | None, args: list[str], words: str) -> None:
    path = tmp_path / "tc.xlsx"
    if content is None:
        make_criteria(tmp_path)
        path = tmp_path / "chi-so-cchc-2026.xlsx"
    else:
        path.write_bytes(content)
    out = tmp_path / "out.yaml"
    assert main(["criteria", "import", str(path), "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Không nhập được bộ tiêu chí: ") and words in err and not out.exists()


def test_a_table_without_points_is_no_criteria_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "plan.txt"
    source.write_text("KẾ HOẠCH NĂM 2026\nSTT\tNội dung\tChủ trì\n1\tViệc\tVP\n", encoding="utf-8")
    assert main(["criteria", "import", str(source), "--out", str(tmp_path / "o.yaml")]) == 2
    assert "Không tìm thấy bảng tiêu chí" in capsys.readouterr().err


def test_numbering_restarted_under_each_area_gets_unique_codes(tmp_path: Path) -> None:
    data = import_rows(tmp_path, [["CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2026"], ["TT", "Nội dung", "Điểm tối đa"],
                                  ["I", "Chỉ đạo, điều hành", 3], ["1", "Kế hoạch", 3], ["1.1", "Ban hành", 1],
                                  ["1.2", "Thực hiện", 2], ["II", "Thể chế", 2], ["1", "Văn bản", 2],
                                  ["1.1", "Rà soát", 2]])
    assert [(r["code"], r["parent"]) for r in data["criteria"]] == [
        ("I", None), ("I.1", "I"), ("I.1.1", "I.1"), ("I.1.2", "I.1"), ("II", None), ("II.1", "II"),
        ("II.1.1", "II.1")]
    assert all(r["guessed"] == ["code"] for r in data["criteria"] if "." in r["code"])
