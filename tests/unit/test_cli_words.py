"""`nhacviec` speaks the reader's language: its help, argparse's own words and its errors (`--lang vi|en`)."""

from __future__ import annotations

import argparse
import re

import pytest

from bot.cli import main
from tests.conftest import BUNDLED_PLAN

ARGPARSE_ENGLISH = re.compile(r"usage:|positional arguments|options:|show this help|invalid choice|invalid int"
                              r"|invalid date|are required|unrecognized arguments|expected one argument|"
                              r"choose from|argument --|error:")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int | str | None, str]:
    try:
        code: int | str | None = main(argv)
    except SystemExit as exc:  # --help prints and exits 0
        code = exc.code
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("argv", [["--help"], ["simulate", "--help"], ["run", "--help"], ["export", "--help"]])
def test_help_in_vietnamese_has_no_english_and_in_english_is_complete(
        argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, vi = run(argv, capsys)
    assert code == 0 and "cách dùng: nhacviec" in vi and "hiện hướng dẫn này rồi thoát" in vi
    assert not ARGPARSE_ENGLISH.search(vi), vi
    code, en = run([*argv, "--lang", "en"], capsys)
    assert code == 0 and "usage: nhacviec" in en and "show this help message and exit" in en
    assert "tùy chọn" not in en and "cách dùng" not in en


@pytest.mark.parametrize(("argv", "vi_words", "en_words"), [
    (["simulate", str(BUNDLED_PLAN), "--from", "32/13/2019", "--to", "29/11/2019"],
     "tham số --from: ngày không hợp lệ: '32/13/2019' (dạng dd/mm/yyyy)",
     "argument --from: invalid date: '32/13/2019' (write dd/mm/yyyy)"),
    (["simulate", str(BUNDLED_PLAN)], "thiếu tham số bắt buộc: --from, --to",
     "the following arguments are required: --from, --to"),
    (["simulate", str(BUNDLED_PLAN), "--from", "14/11/2019", "--to", "29/11/2019", "--format", "xml"],
     "lựa chọn không hợp lệ: 'xml' (chọn một trong 'text', 'json')",
     "invalid choice: 'xml' (choose from 'text', 'json')"),
    (["run", "--port", "tám"], "tham số --port: không phải số nguyên: 'tám'", "argument --port: not a whole number"),
    (["run", "--speed", "nhanh"], "không phải số: 'nhanh'", "not a number: 'nhanh'"),
    (["check", str(BUNDLED_PLAN), "--thừa"], "tham số không nhận ra: --thừa", "unrecognized arguments: --thừa"),
    (["preview", str(BUNDLED_PLAN), "--from"], "tham số --from: cần một giá trị", "expected one argument"),
    (["simulate", str(BUNDLED_PLAN), "--from", "29/11/2019", "--to", "14/11/2019"],
     "--to không được trước --from", "--to must not be before --from"),
])
def test_usage_errors_are_worded_in_the_chosen_language(argv: list[str], vi_words: str, en_words: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, vi = run(argv, capsys)
    assert code == 2 and vi_words in vi and "Lỗi câu lệnh:" in vi and "Xem: nhacviec --help" in vi
    assert not ARGPARSE_ENGLISH.search(vi), vi
    code, en = run(["--lang", "en", *argv], capsys)
    assert code == 2 and en_words in en and "Usage error:" in en and "See: nhacviec --help" in en
    assert "Lỗi" not in en and "tham số" not in en


def test_check_prints_numbers_with_the_readers_separators(capsys: pytest.CaptureFixture[str]) -> None:
    code, vi = run(["check", str(BUNDLED_PLAN)], capsys)
    vi_count = re.search(r"(\d{1,3}(?:\.\d{3})+) lời nhắc dự kiến", vi)  # thousands (the bundled plan has 8.423)
    assert code == 0 and vi_count is not None and "70,69 điểm" in vi
    code, en = run(["check", str(BUNDLED_PLAN), "--lang", "en"], capsys)
    en_count = re.search(r"(\d{1,3}(?:,\d{3})+) planned reminders", en)
    assert code == 0 and en_count is not None and "70.69 points" in en and "lời nhắc" not in en
    assert vi_count[1].replace(".", "") == en_count[1].replace(",", "")


def test_preview_rungs_follow_the_language(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["preview", str(BUNDLED_PLAN), "--from", "19/11/2019", "--to", "19/11/2019", "--unit", "TCCB"]
    code, vi = run(argv, capsys)
    assert code == 0 and "T3 19/11/2019" in vi and "trước hạn 3 ngày làm việc" in vi
    code, en = run([*argv, "--lang=en"], capsys)
    assert code == 0 and "Tue 19/11/2019" in en and "3 working days before" in en and "ngày làm việc" not in en


def test_argparse_is_left_as_it_was_outside_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    run(["--help"], capsys)
    parser = argparse.ArgumentParser(prog="other")
    assert "usage: other" in parser.format_usage() and "show this help message" in parser.format_help()
