"""The files the office hands in: the dossier workbook (a document's details under its criterion, user text never
a formula), the ZIP by criterion (each file once per folder), the draft report, and `nhacviec export --dossier`."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from docx import Document as Docx
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.cli import EXIT_OK, main
from bot.db.models import EvidenceRow, SelfScoreRow
from bot.dossier import documents, files, outline
from bot.services.tasks import Event
from tests.conftest import MINI_PLAN
from tests.integration.test_dossier import ADMIN, CRITERIA, LEADER, NOW, TODAY, act, world  # noqa: F401


@pytest.fixture
def described(db: Engine, world: dict[str, int], tmp_path: Path) -> dict[str, int]:  # noqa: F811
    """The TCCB plan on disk, proving 1.1.1 (section II) and 2.1 too; a giải trình that looks like a formula."""
    admin = act(db, ADMIN, lambda s, a: a.member_id)
    with Session(db) as s, s.begin():
        pdf = s.get(EvidenceRow, world["pdf"])
        assert pdf is not None and pdf.stored_path is not None
        Path(pdf.stored_path).write_bytes(b"%PDF-1.4 ke hoach")
        s.add(SelfScoreRow(criterion_id=world["1.1.1"], score=1.5, explanation="=HYPERLINK(\"http://x\")",
                           recorded_by=admin, recorded_at=NOW))
    act(db, ADMIN, documents.link_document, world["1.1.1"], evidence_id=world["pdf"], section="Mục II, trang 3",
        ev=Event(NOW))
    act(db, ADMIN, documents.link_document, world["2.1"], evidence_id=world["pdf"], section="=1+1", ev=Event(NOW))
    return world


def test_the_workbook_carries_each_document_under_its_criterion_as_text(db: Engine,
                                                                        described: dict[str, int]) -> None:
    data = files.render_workbook(act(db, LEADER, outline.outline))
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    codes = [r[0] for r in rows[1:]]
    assert codes[:4] == ["1", "1.1", "1.1.1", "1.1.1"]
    criterion, document = rows[3], rows[4]
    assert criterion[:5] == ["1.1.1", "Ban hành kế hoạch CCHC năm", 2, 1.5, "=HYPERLINK(\"http://x\")"]
    assert document[:2] == ["1.1.1", None]
    assert document[5:12] == ["123/KH-SGDĐT", document[6], "Kế hoạch CCHC năm 2019", "Sở GDĐT", "Mục II, trang 3",
                              "Kế hoạch CCHC.pdf", "TCCB"]
    assert document[6].date() == date(2019, 3, 5)
    # no cell holds a formula: openpyxl reads a formula back as its text with data_type "f"
    assert not [c.coordinate for r in ws.iter_rows() for c in r if c.data_type == "f"]
    assert [r[0] for r in rows if r[9] == "=1+1"] == ["2.1"]


def test_the_zip_has_a_folder_per_criterion_with_each_file_once(db: Engine, described: dict[str, int],
                                                                 tmp_path: Path) -> None:
    result = files.write_bundle(act(db, LEADER, outline.outline), tmp_path / "b.zip")
    with zipfile.ZipFile(result.path) as zf:
        names = sorted(zf.namelist())
        assert zf.read(names[0]) == b"%PDF-1.4 ke hoach"
    assert names == ["1.1.1 Ban hành kế hoạch CCHC năm/Kế hoạch CCHC.pdf", "2.1 Công khai TTHC/Kế hoạch CCHC.pdf"]
    assert result.missing == ("1.1.1 Ban hành kế hoạch CCHC năm/KH.pdf",)  # KHTC's copy has no file


def test_the_draft_report_has_each_area_its_evidence_and_the_points_lost(db: Engine,
                                                                          described: dict[str, int]) -> None:
    data = files.render_report(act(db, LEADER, outline.outline), TODAY)
    text = "\n".join(p.text for p in Docx(io.BytesIO(data)).paragraphs)
    assert "1. Công tác chỉ đạo, điều hành CCHC" in text and "2. Cải cách TTHC" in text
    assert "123/KH-SGDĐT" in text and "05/03/2019" in text
    assert "0,5" in text  # 1.1.1 scored 1,5 of 2


def test_export_dossier_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"plan: {MINI_PLAN}\ndatabase:\n  url: sqlite:///{tmp_path / 'bot.db'}\n"
                      "clock:\n  start: 2019-11-25T08:00:00+07:00\n", encoding="utf-8")
    criteria_file = tmp_path / "criteria.yaml"
    criteria_file.write_text(CRITERIA, encoding="utf-8")
    assert main(["sync", "--config", str(config)]) == EXIT_OK
    assert main(["export", "--dossier", "--out", str(tmp_path / "out"), "--config", str(config)]) == 2
    assert "chưa nạp bộ tiêu chí" in capsys.readouterr().err.lower()
    assert main(["criteria", "load", str(criteria_file), "--config", str(config)]) == EXIT_OK
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    assert main(["export", "--dossier", "--out", str(tmp_path / "a-file"), "--config", str(config)]) == 2
    assert "Không ghi được hồ sơ vào" in capsys.readouterr().err
    assert main(["export", "--dossier", "--out", str(tmp_path / "out"), "--config", str(config)]) == EXIT_OK
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == sorted([files.WORKBOOK, files.BUNDLE, files.REPORT])
    ws = openpyxl.load_workbook(out / files.WORKBOOK).active
    assert [c.value for c in ws["A"]][1:] == ["1", "1.1", "1.1.1", "1.1.2", "2", "2.1"]


def test_names_in_the_zip_stay_inside_their_folder(db: Engine, described: dict[str, int], tmp_path: Path) -> None:
    assert files.safe_name("../../etc/passwd") == "etc passwd"
    assert files.safe_name('1.1 Kế hoạch: "CCHC" <2019>/quý?') == "1.1 Kế hoạch CCHC 2019 quý"
    assert files.safe_name("...") == "_"
    with Session(db) as s, s.begin():
        pdf = s.get(EvidenceRow, described["pdf"])
        assert pdf is not None
        pdf.file_name = "../../../tmp/evil.pdf"
    result = files.write_bundle(act(db, LEADER, outline.outline), tmp_path / "b.zip")
    with zipfile.ZipFile(result.path) as zf:
        names = zf.namelist()
    assert names and all(".." not in n and not n.startswith("/") and n.count("/") == 1 for n in names), names
