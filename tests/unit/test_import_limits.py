"""Import without limits (issue 23, attack 4): a .docx that inflates to hundreds of MB, a 200,000-row .xlsx, a
zip bomb .xlsx and a 1,000,000-line .txt are refused with a Vietnamese message (exit 2) within seconds and in
bounded memory. Each runs `nhacviec import` in its own process, which reports its peak memory."""

from __future__ import annotations

import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Peak memory from /proc/self/status VmHWM: getrusage's ru_maxrss survives exec, so a child of a big pytest
# process would report the parent's size.
CHILD = ("import resource, sys\nfrom bot.cli import main\nrc = main(sys.argv[1:])\n"
         "use = resource.getrusage(resource.RUSAGE_SELF)\n"
         "hwm = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
         "print('PEAK_KB', hwm, use.ru_utime + use.ru_stime, file=sys.stderr)\nsys.exit(rc)\n")


def run_import(*args: str) -> tuple[int, str, float, float, int]:
    """Exit code, error stream, wall seconds, CPU seconds and peak memory (MB) of `nhacviec ARGS`."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True, timeout=90,
                          cwd=ROOT)
    seconds = time.monotonic() - started
    peak, cpu = next(((int(line.split()[1]), float(line.split()[2])) for line in done.stderr.splitlines()
                      if line.startswith("PEAK_KB")), (0, 0.0))
    return done.returncode, done.stderr, seconds, cpu, peak // 1024


def inflate(template: Path, path: Path, member: str, cut: bytes, opening: bytes, chunk: bytes, megabytes: int,
            closing: bytes) -> None:
    """`template` again as `path`, with `megabytes` MB of `chunk` put in `member` where `cut` is."""
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED,
                                                                 compresslevel=1) as archive:
        for item in source.infolist():
            if item.filename != member:
                archive.writestr(item, source.read(item.filename))
                continue
            head, tail = source.read(member).split(cut, 1)
            with archive.open(member, "w", force_zip64=True) as handle:
                handle.write(head + opening)
                for _ in range(megabytes):
                    handle.write(chunk)
                handle.write(closing + tail)


def word_bomb(path: Path, megabytes: int) -> None:
    """A real Word document (python-docx's) whose body is `megabytes` MB of paragraphs."""
    import docx

    template = path.with_suffix(".template.docx")
    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH")
    document.save(str(template))
    body = "<w:p><w:r><w:t>- Nhiệm vụ cải cách hành chính</w:t></w:r></w:p>".encode()
    inflate(template, path, "word/document.xml", b"<w:body>", b"<w:body>", body * ((1 << 20) // len(body)),
            megabytes, b"")


def excel_bomb(path: Path, megabytes: int) -> None:
    """A real workbook (openpyxl's) whose title cell holds `megabytes` MB more of text."""
    from openpyxl import Workbook

    template = path.with_suffix(".template.xlsx")
    book = Workbook()
    book.active.append(["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"])
    book.save(str(template))
    inflate(template, path, "xl/worksheets/sheet1.xml", b"</t>", b"", b"x" * (1 << 20), megabytes, b"</t>")


def refused(path: Path, tmp_path: Path, words: str) -> None:
    out = tmp_path / "draft.yaml"
    code, err, seconds, cpu, peak_mb = run_import("import", str(path), "--out", str(out))
    assert code == 2, err[-2000:]
    assert "Không nhập được kế hoạch: " in err and words in err and "Traceback" not in err
    assert not out.exists()
    # Python's start and imports included (about 1 s of CPU); the wall clock is loose for a busy machine.
    assert cpu < 6 and seconds < 45, (cpu, seconds)
    assert peak_mb < 250, peak_mb


def test_a_docx_that_inflates_to_300_mb(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    word_bomb(path, 300)
    assert path.stat().st_size < 3_000_000
    refused(path, tmp_path, "giải nén ra 315 MB")


def test_an_xlsx_zip_bomb(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    excel_bomb(path, 300)
    assert path.stat().st_size < 2_000_000
    refused(path, tmp_path, "giải nén ra 315 MB")


def test_an_xlsx_of_200000_rows(tmp_path: Path) -> None:
    path = tmp_path / "rows.xlsx"
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships">{}</Relationships>')
    doc = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"'
            '/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'))
        archive.writestr("_rels/.rels", rels.format(f'<Relationship Id="rId1" Type="{doc}/officeDocument" '
                                                    'Target="xl/workbook.xml"/>'))
        archive.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main" xmlns:r="{doc}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
            '</sheets></workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels", rels.format(
            f'<Relationship Id="rId1" Type="{doc}/worksheet" Target="worksheets/sheet1.xml"/>'))
        with archive.open("xl/worksheets/sheet1.xml", "w") as handle:
            handle.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
                         b'org/spreadsheetml/2006/main"><sheetData>')
            cells = ("STT", "N\u1ed9i dung nhi\u1ec7m v\u1ee5", "Ch\u1ee7 tr\u00ec", "Th\u1eddi gian")
            handle.write(('<row r="1"><c r="A1" t="inlineStr"><is><t>K\u1ebe HO\u1ea0CH N\u0102M 2026</t></is></c>'
                          '</row><row r="2">' + "".join(f'<c r="{c}2" t="inlineStr"><is><t>{v}</t></is></c>'
                                                       for c, v in zip("ABCD", cells, strict=True))
                          + "</row>").encode())
            for n in range(3, 200_001):
                handle.write(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="B{n}" t="inlineStr"><is><t>Vi\u1ec7c {n}'
                             f'</t></is></c><c r="C{n}" t="inlineStr"><is><t>VP</t></is></c></row>'.encode())
            handle.write(b"</sheetData></worksheet>")
    assert sum(i.file_size for i in zipfile.ZipFile(path).infolist()) < 60_000_000  # not refused for its size
    refused(path, tmp_path, "có hơn 10.000 dòng")


def test_a_txt_of_a_million_lines(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    path.write_text("KẾ HOẠCH\nCải cách hành chính năm 2026\nII. NHIỆM VỤ\n1. Việc\n" + "- a\n" * 1_000_000,
                    encoding="utf-8")
    refused(path, tmp_path, "có hơn 100.000 dòng")


@pytest.mark.parametrize("megabytes", [11])
def test_a_txt_larger_than_a_plan(tmp_path: Path, megabytes: int) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * (megabytes * 1_000_000))
    refused(path, tmp_path, f"{megabytes} MB")
