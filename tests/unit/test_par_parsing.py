"""Parsing what the scoring software asks of a document, ratios entered as counts, criteria files, scores."""

from __future__ import annotations

from datetime import date

import pytest

from bot.db.models import MetricRow
from bot.i18n import language
from bot.services.access import Refused
from bot.services.criteria import CriteriaError, parse_criteria, parse_score
from bot.services.metrics import fmt_value, is_met, parse_reading, parse_value
from bot.services.par import DocumentMeta, number_warning, parse_issue_date, parse_meta_line

TODAY = date(2019, 11, 15)
PERCENT = MetricRow(name="Tỷ lệ TTHC cắt giảm thời gian", kind="percent", target=30.0, comparison=">=")
COUNT = MetricRow(name="Số văn bản", kind="count", target=2.0, comparison=">=")


def test_one_line_gives_number_date_subject_and_issuer_in_that_order() -> None:
    meta = parse_meta_line("123/KH-SGDĐT; 05/03/2019; Kế hoạch CCHC năm 2019; Sở GDĐT", TODAY)
    assert meta == DocumentMeta("123/KH-SGDĐT", date(2019, 3, 5), "Kế hoạch CCHC năm 2019", "Sở GDĐT")


def test_trailing_fields_are_optional_and_a_dash_means_not_given() -> None:
    assert parse_meta_line("581/BNV-CCHC; 5-3-2019", TODAY) == DocumentMeta("581/BNV-CCHC", date(2019, 3, 5))
    assert parse_meta_line("-; 05.03.2019; Báo cáo quý I", TODAY) == DocumentMeta(None, date(2019, 3, 5),
                                                                                   "Báo cáo quý I")


def test_a_semicolon_inside_the_subject_stays_in_the_subject() -> None:
    meta = parse_meta_line("12/BC-SGDĐT; 01/10/2019; Báo cáo A; phần B; Sở GDĐT", TODAY)
    assert (meta.summary, meta.issuer) == ("Báo cáo A; phần B", "Sở GDĐT")


def test_nfd_input_is_stored_as_nfc() -> None:
    import unicodedata

    meta = parse_meta_line(unicodedata.normalize("NFD", "1/QĐ-SGDĐT; 02/01/2019; Quyết định"), TODAY)
    assert meta.number == "1/QĐ-SGDĐT" and meta.summary == unicodedata.normalize("NFC", "Quyết định")


@pytest.mark.parametrize("raw", ["31/02/2019", "32/01/2019", "05/13/2019", "5 tháng 3", "2019-03-05", "01/01/1900"])
def test_an_impossible_date_is_refused(raw: str) -> None:
    with pytest.raises(Refused) as err:
        parse_meta_line(f"123/KH-SGDĐT; {raw}", TODAY)
    assert err.value.key == "doc_bad_date"


def test_a_date_after_today_is_refused() -> None:
    with pytest.raises(Refused) as err:
        parse_issue_date("16/11/2019", TODAY)
    assert err.value.key == "doc_future_date"
    assert parse_issue_date("15/11/2019", TODAY) == TODAY


def test_an_empty_line_and_an_overlong_number_are_refused() -> None:
    for raw, key in ((" ; ; ", "doc_meta_empty"), ("", "doc_meta_empty"), ("1" * 70 + "/KH", "doc_number_too_long")):
        with pytest.raises(Refused) as err:
            parse_meta_line(raw, TODAY)
        assert err.value.key == key


@pytest.mark.parametrize("number", ["123/KH-SGDĐT", "18-NQ/TW", "42/2022/NĐ-CP", "05/2019/TT-BGDĐT", "581/BNV-CCHC",
                                    "1234/QĐ-UBND", "12a/kh-sgdđt"])
def test_usual_document_numbers_raise_no_warning(number: str) -> None:
    assert number_warning(number) is None


@pytest.mark.parametrize("number", ["Kế hoạch", "123", "KH-SGDĐT", "123/"])
def test_odd_numbers_are_warned_in_vietnamese_not_refused(number: str) -> None:
    with language("vi"):
        warning = number_warning(number)
    assert warning is not None and f"\"{number}\"" in warning and "kiểm tra lại" in warning


@pytest.mark.parametrize(("raw", "value", "counts"), [("12/40", 30.0, (12, 40)), (" 12 / 40 ", 30.0, (12, 40)),
                                                     ("1.200/4.000", 30.0, (1200, 4000)), ("0/7", 0.0, (0, 7)),
                                                     ("40/40", 100.0, (40, 40)), ("95,5%", 95.5, (None, None))])
def test_a_percent_can_be_entered_as_numerator_and_denominator(raw: str, value: float,
                                                              counts: tuple[int | None, int | None]) -> None:
    reading = parse_reading(PERCENT, raw)
    assert (reading.value, reading.numerator, reading.denominator) == (value, *counts)
    assert parse_value(PERCENT, raw) == value


def test_the_ratio_is_compared_with_the_target() -> None:
    assert is_met(PERCENT, parse_value(PERCENT, "12/40")) and not is_met(PERCENT, parse_value(PERCENT, "11/40"))


@pytest.mark.parametrize(("raw", "why"), [("12/0", "mẫu số"), ("41/40", "tử số"), ("12/4x", "12/40"),
                                          ("/40", "12/40")])
def test_a_bad_ratio_is_refused_saying_what_to_fix(raw: str, why: str) -> None:
    with language("vi"), pytest.raises(Refused) as err:
        parse_reading(PERCENT, raw)
    assert err.value.key == "metric_bad_value" and why in err.value.params["why"]


def test_a_count_metric_does_not_take_a_ratio() -> None:
    with pytest.raises(Refused):
        parse_reading(COUNT, "12/40")


def test_a_ratio_is_shown_with_its_counts() -> None:
    with language("vi"):
        assert fmt_value("percent", 30.0, 12, 40) == "30,0% (12/40)"
        assert fmt_value("percent", 30.0, 1200, 4000) == "30,0% (1.200/4.000)"
        assert fmt_value("percent", 95.5) == "95,5%"
    with language("en"):
        assert fmt_value("percent", 30.0, 12, 40) == "30.0% (12/40)"


CRITERIA = """
- {code: "1.1", name: Kế hoạch CCHC, max_points: 2, tasks: ["1.1"]}
- {code: "3.2", name: Cắt giảm thời gian, max_points: 1.5, tasks: ["3.4", "3.5", "3.5"]}
"""


def test_a_criteria_file_keeps_order_points_and_tasks() -> None:
    specs = parse_criteria(CRITERIA)
    assert [(s.code, s.max_points, s.tasks) for s in specs] == [("1.1", 2.0, ("1.1",)), ("3.2", 1.5, ("3.4", "3.5"))]
    assert parse_criteria("criteria:" + CRITERIA.replace("\n-", "\n  -"))[1].code == "3.2"


def test_every_problem_of_a_criteria_file_is_listed_in_vietnamese() -> None:
    bad = """
- {code: "1.1", name: A, max_points: 0, tasks: ["1.1"]}
- {code: "1.1", name: "", max_points: 2, tasks: "1.1"}
- just text
"""
    with language("vi"), pytest.raises(CriteriaError) as err:
        parse_criteria(bad, "tc.yaml")
    text = "\n".join(err.value.problems)
    assert len(err.value.problems) == 5, text
    assert "tiêu chí thứ 1: điểm tối đa" in text and "mã 1.1 bị trùng" in text and "thiếu tên" in text
    assert "tasks phải là danh sách" in text and "tiêu chí thứ 3" in text


@pytest.mark.parametrize(("raw", "score"), [("2", 2.0), ("1,5", 1.5), ("0", 0.0), ("1.25", 1.25)])
def test_a_self_score_is_a_number_from_zero_to_the_maximum(raw: str, score: float) -> None:
    assert parse_score(raw, 2.0) == score


@pytest.mark.parametrize("raw", ["2,5", "-1", "hai", "1,234", ""])
def test_a_score_outside_the_range_is_refused(raw: str) -> None:
    with pytest.raises(Refused) as err:
        parse_score(raw, 2.0)
    assert err.value.key == "score_bad" and err.value.params["max"] == "2"
