"""Every way a plan file can be wrong, and how the error tells the office where and what.

Each case checks the issue (code, field path, line, column) and both renderings:
Vietnamese for the office (file, "dòng N, cột M", field path, Vietnamese text)
and English.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n import gettext_in
from bot.plans.loader import LocatedIssue, PlanError, load_plan, parse_plan
from bot.plans.messages import MESSAGES

FILE = "ke-hoach.yaml"

# Line numbers below refer to this text; keep it in step with the cases.
BASE = """\
plan:
  id: ke-hoach
  title: Kế hoạch thử
  issued_by: Giám đốc Sở
  years: [2019]
  office: VP
  ladder:
    at: "08:00"
units:
  - id: VP
    name: Văn phòng Sở
  - id: TCCB
    name: Phòng Tổ chức cán bộ
groups:
  - id: PHONG
    name: Các phòng
    members: [TCCB]
roles:
  - id: leadership
    name: Lãnh đạo Sở
areas:
  - id: "1"
    name: Chỉ đạo điều hành
    responsibility:
      lead: [VP]
      others: [PHONG]
tasks:
  - id: "1.1"
    area: "1"
    title: Ban hành kế hoạch
    deadlines:
      - id: nam
        label: Báo cáo năm
        date: "05/12/2019"
        source: seed
"""

SECOND_TASK = """\
  - id: "1.1"
    area: "1"
    title: Nhiệm vụ khác
"""


def edit(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def error_of(text: str) -> PlanError:
    with pytest.raises(PlanError) as caught:
        parse_plan(text, FILE)
    return caught.value


def only_issue(text: str) -> LocatedIssue:
    err = error_of(text)
    assert len(err.issues) == 1, err.render("en")
    return err.issues[0]


def where(issue: LocatedIssue) -> tuple[object, ...]:
    return issue.code, issue.path, issue.line, issue.column


def assert_rendered(err: PlanError, *, line: int | None, column: int | None, path: str, vi: str, en: str) -> None:
    """Both renderings name the file, the place and the field, each in its own language."""
    text_vi, text_en = err.render("vi"), err.render("en")
    assert f"Kế hoạch {FILE} có {len(err.issues)} lỗi:" in text_vi
    assert f"Plan {FILE} has {len(err.issues)} error(s):" in text_en
    if line is not None:
        assert f"{FILE}, dòng {line}, cột {column}: " in text_vi
        assert f"{FILE}, line {line}, column {column}: " in text_en
    else:
        assert "dòng" not in text_vi and "line" not in text_en
    if path:
        assert f": {path}: " in text_vi and f": {path}: " in text_en
    assert vi in text_vi and vi not in text_en
    assert en in text_en and en not in text_vi
    assert "Sửa các lỗi trên rồi chạy lại." in text_vi
    for english in (", line ", "column", "error(s)", "Fix the errors", "Field required", "Input should",
                    "Value error"):
        assert english not in text_vi


def test_base_text_is_a_valid_plan() -> None:
    assert parse_plan(BASE, FILE).task("1.1").title == "Ban hành kế hoạch"


def test_yaml_syntax_error_points_at_the_problem_in_vietnamese() -> None:
    err = error_of(edit("    title: Ban hành kế hoạch\n", "    title: Ban hành: kế hoạch\n"))
    [issue] = err.issues
    assert where(issue) == ("yaml_syntax", (), 30, 20)
    assert_rendered(err, line=30, column=20, path="", vi="lỗi cú pháp YAML: không được có dấu",
                    en="YAML syntax error: mapping values are not allowed here")


def test_unclosed_flow_list_is_a_syntax_error() -> None:
    issue = only_issue(edit("      lead: [VP]\n", "      lead: [VP\n"))
    assert issue.code == "yaml_syntax"
    assert issue.line is not None and issue.line >= 25


def test_tab_indentation_is_reported_as_such() -> None:
    err = error_of(edit('    area: "1"\n', '\tarea: "1"\n'))
    [issue] = err.issues
    assert where(issue) == ("yaml_tab", (), 29, 1)
    assert_rendered(err, line=29, column=1, path="", vi="dùng phím Tab để thụt lề",
                    en="tab used for indentation; YAML accepts spaces only")


def test_unknown_unit_in_a_responsibility() -> None:
    err = error_of(edit("      lead: [VP]\n", "      lead: [VPP]\n"))
    [issue] = err.issues
    assert where(issue) == ("unknown_unit", ("areas", 0, "responsibility", "lead", 0), 25, 14)
    assert issue.params == {"unit": "VPP"}
    assert_rendered(err, line=25, column=14, path="areas[0].responsibility.lead[0]",
                    vi='đơn vị hoặc nhóm "VPP" không có trong units/groups',
                    en='unit or group "VPP" is not in units/groups')


def test_unknown_unit_in_a_task_responsibility() -> None:
    issue = only_issue(edit('    area: "1"\n', '    area: "1"\n    responsibility: {others: [PHONG, KTKD]}\n'))
    assert where(issue) == ("unknown_unit", ("tasks", 0, "responsibility", "others", 1), 30, 38)


def test_unknown_group_member() -> None:
    err = error_of(edit("    members: [TCCB]\n", "    members: [TCCB, TTr]\n"))
    [issue] = err.issues
    assert where(issue) == ("unknown_unit", ("groups", 0, "members", 1), 17, 21)
    assert_rendered(err, line=17, column=21, path="groups[0].members[1]",
                    vi='"TTr" không có trong units/groups', en='"TTr" is not in units/groups')


def test_unknown_office_and_unknown_leadership_role() -> None:
    text = edit("  office: VP\n", "  office: VPS\n", edit("  - id: leadership\n", "  - id: lanh-dao\n"))
    issues = error_of(text).issues
    assert [where(i) for i in issues] == [("unknown_unit", ("plan", "office"), 6, 3),
                                          ("unknown_role", ("plan", "ladder", "leadership_role"), 7, 3)]


def test_unknown_area() -> None:
    err = error_of(edit('    area: "1"\n', '    area: "9"\n'))
    [issue] = err.issues
    assert where(issue) == ("unknown_area", ("tasks", 0, "area"), 29, 5)
    assert_rendered(err, line=29, column=5, path="tasks[0].area",
                    vi='lĩnh vực "9" không có trong areas', en='area "9" is not in areas')


def test_missing_title_points_at_the_task() -> None:
    err = error_of(edit("    title: Ban hành kế hoạch\n", ""))
    [issue] = err.issues
    assert where(issue) == ("missing", ("tasks", 0, "title"), 28, 5)
    assert_rendered(err, line=28, column=5, path="tasks[0].title",
                    vi="thiếu trường bắt buộc", en="required field is missing")


def test_misspelt_field_is_unknown_and_the_real_one_missing() -> None:
    err = error_of(edit("    title: Ban hành kế hoạch\n", "    titel: Ban hành kế hoạch\n"))
    assert [where(i) for i in err.issues] == [("missing", ("tasks", 0, "title"), 28, 5),
                                              ("extra_forbidden", ("tasks", 0, "titel"), 30, 5)]
    assert_rendered(err, line=30, column=5, path="tasks[0].titel",
                    vi="trường không có trong lược đồ kế hoạch (gõ sai tên?)",
                    en="unknown field (not in the plan schema; a typo?)")


@pytest.mark.parametrize("written", ['"31/02/2019"', "2019-02-31", '"2019-02-31"'])
def test_impossible_date_quoted_or_not(written: str) -> None:
    err = error_of(edit('        date: "05/12/2019"\n', f"        date: {written}\n"))
    [issue] = err.issues
    assert where(issue) == ("impossible_date", ("tasks", 0, "deadlines", 0, "date"), 34, 9)
    value = written.strip('"')
    assert issue.params == {"value": value}
    assert_rendered(err, line=34, column=9, path="tasks[0].deadlines[0].date",
                    vi=f"ngày {value} không tồn tại", en=f"date {value} does not exist")


def test_date_in_a_foreign_format() -> None:
    issue = only_issue(edit('        date: "05/12/2019"\n', '        date: "12.05.2019"\n'))
    assert where(issue) == ("bad_date", ("tasks", 0, "deadlines", 0, "date"), 34, 9)


def test_bad_rrule() -> None:
    err = error_of(edit('        date: "05/12/2019"\n', '        rrule: "FREQ=FORTNIGHTLY"\n'))
    [issue] = err.issues
    assert where(issue) == ("bad_rrule", ("tasks", 0, "deadlines", 0, "rrule"), 34, 9)
    assert "FORTNIGHTLY" in issue.params["reason"]
    assert_rendered(err, line=34, column=9, path="tasks[0].deadlines[0].rrule",
                    vi="RRULE không hợp lệ", en="invalid RRULE")


@pytest.mark.parametrize("rule", ["FREQ=MONTHLY;BYMONTHDAY=40", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"])
def test_rrule_that_can_never_fall_due_is_rejected(rule: str) -> None:
    err = error_of(edit('        date: "05/12/2019"\n', f'        rrule: "{rule}"\n'))
    [issue] = err.issues
    assert where(issue) == ("rrule_never", ("tasks", 0, "deadlines", 0, "rrule"), 34, 9)
    assert_rendered(err, line=34, column=9, path="tasks[0].deadlines[0].rrule",
                    vi="RRULE không bao giờ tới hạn", en="the RRULE never falls due")


def test_rrule_with_dtstart_is_rejected() -> None:
    issue = only_issue(edit('        date: "05/12/2019"\n', '        rrule: "DTSTART:20190101T000000\\nFREQ=YEARLY"\n'))
    assert where(issue) == ("rrule_dtstart", ("tasks", 0, "deadlines", 0, "rrule"), 34, 9)


def test_deadline_with_two_kinds() -> None:
    issue = only_issue(edit('        date: "05/12/2019"\n', '        date: "05/12/2019"\n        yearly: "05/12"\n'))
    assert where(issue) == ("deadline_kind", ("tasks", 0, "deadlines", 0), 32, 9)
    assert issue.params["given"] == "date, yearly"


def test_unquoted_time_is_read_by_yaml_as_a_number() -> None:
    err = error_of(edit('    at: "08:00"\n', "    at: 17:45\n"))
    [issue] = err.issues
    assert where(issue) == ("unquoted_time", ("plan", "ladder", "at"), 8, 5)
    assert issue.params == {"text": "17:45", "number": 1065}
    assert_rendered(err, line=8, column=5, path="plan.ladder.at",
                    vi='giờ 17:45 chưa đặt trong ngoặc kép nên YAML đọc thành số 1065; hãy viết "17:45"',
                    en='the time 17:45 is not quoted, so YAML reads it as the number 1065; write "17:45"')


def test_quoted_time_out_of_range() -> None:
    issue = only_issue(edit('    at: "08:00"\n', '    at: "25:00"\n'))
    assert where(issue) == ("bad_time", ("plan", "ladder", "at"), 8, 5)


def test_value_outside_a_fixed_list_names_the_choices_without_english() -> None:
    err = error_of(edit("        source: seed\n", "        source: guess\n"))
    [issue] = err.issues
    assert where(issue) == ("literal_error", ("tasks", 0, "deadlines", 0, "source"), 35, 9)
    assert_rendered(err, line=35, column=9, path="tasks[0].deadlines[0].source",
                    vi="phải là một trong: seed, assumed", en="must be one of: seed, assumed")


def test_duplicate_task_ids() -> None:
    err = error_of(BASE + SECOND_TASK)
    [issue] = err.issues
    assert where(issue) == ("duplicate_id", ("tasks", 1, "id"), 36, 5)
    assert_rendered(err, line=36, column=5, path="tasks[1].id",
                    vi='mã "1.1" bị trùng', en='id "1.1" is used twice')


def test_duplicate_deadline_ids_within_a_task() -> None:
    text = BASE + '      - id: nam\n        label: Lần hai\n        date: "06/12/2019"\n        source: seed\n'
    issue = only_issue(text)
    assert where(issue) == ("duplicate_id", ("tasks", 0, "deadlines", 1, "id"), 36, 9)


def test_duplicate_yaml_key_points_at_the_repeated_key() -> None:
    err = error_of(edit("    title: Ban hành kế hoạch\n", "    title: Ban hành kế hoạch\n    title: Khác\n"))
    [issue] = err.issues
    assert where(issue) == ("duplicate_key", ("tasks", 0, "title"), 31, 5)
    assert_rendered(err, line=31, column=5, path="tasks[0].title",
                    vi='khóa "title" bị lặp lại trong cùng một mục', en='key "title" appears twice in one mapping')


@pytest.mark.parametrize("text", ["", "   \n\n  \n", "\t\n", "# chỉ có ghi chú\n", "---\n"])
def test_empty_file(text: str) -> None:
    err = error_of(text)
    [issue] = err.issues
    assert where(issue) == ("empty_file", (), None, None)
    assert_rendered(err, line=None, column=None, path="", vi="tệp trống", en="the file is empty")


def test_file_whose_top_level_is_a_list() -> None:
    err = error_of("# kế hoạch\n- plan\n- units\n")
    [issue] = err.issues
    assert where(issue) == ("not_mapping", (), 2, 1)
    assert_rendered(err, line=2, column=1, path="", vi="tệp phải là một bảng khóa: giá trị",
                    en="the file must be a mapping")


def test_file_whose_top_level_is_a_scalar() -> None:
    assert where(only_issue("kế hoạch\n")) == ("not_mapping", (), 1, 1)


def test_unknown_yaml_tag() -> None:
    issue = only_issue(edit("  title: Kế hoạch thử\n", "  title: !!python/name:os.system x\n"))
    assert where(issue) == ("yaml_tag", ("plan", "title"), 3, 3)


def test_control_character_gives_its_line() -> None:
    issue = only_issue(edit("  title: Kế hoạch thử\n", "  title: Kế hoạch\x00 thử\n"))
    assert where(issue) == ("yaml_syntax", (), 3, 18)


def test_several_different_errors_are_all_listed_in_file_order() -> None:
    text = edit('    area: "1"\n', '    area: "9"\n')
    text = edit('        date: "05/12/2019"\n', '        date: "31/02/2019"\n', text)
    text = edit("      others: [PHONG]\n", "      others: [PHONGG]\n", text)
    text = edit("    name: Các phòng\n", "    name: Các phòng\n    nam: thừa\n", text)
    text = edit('    at: "08:00"\n', "    at: 17:45\n", text)
    err = error_of(text)
    assert [(i.code, i.line) for i in err.issues] == [
        ("unquoted_time", 8), ("extra_forbidden", 17), ("unknown_unit", 27), ("unknown_area", 30),
        ("impossible_date", 35),
    ]
    rendered = err.render("vi")
    assert f"Kế hoạch {FILE} có 5 lỗi:" in rendered
    assert len(rendered.splitlines()) == 1 + 5 + 1


def test_every_issue_code_has_both_translations() -> None:
    untranslated = [code for code, msgid in MESSAGES.items() if gettext_in("vi", msgid) == msgid]
    assert untranslated == []
    assert all(gettext_in("en", msgid) == msgid for msgid in MESSAGES.values())


# --- Through load_plan: the file system ------------------------------------------


def test_load_plan_reads_a_valid_file_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / FILE
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode("utf-8"))
    assert load_plan(path).plan.id == "ke-hoach"


def test_load_plan_reports_errors_with_the_path_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / FILE
    path.write_text(edit('    area: "1"\n', '    area: "9"\n'), encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert caught.value.file == str(path)
    assert f"{path}, dòng 29, cột 5: tasks[0].area:" in caught.value.render("vi")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "khong-co.yaml"
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    [issue] = caught.value.issues
    assert where(issue) == ("file_missing", (), None, None)
    assert f"{path}: không tìm thấy tệp kế hoạch" in caught.value.render("vi")
    assert f"{path}: plan file not found" in caught.value.render("en")


def test_directory_instead_of_a_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as caught:
        load_plan(tmp_path)
    assert caught.value.issues[0].code == "file_unreadable"
    assert "không đọc được tệp" in caught.value.render("vi")


def test_file_in_a_legacy_encoding_is_not_utf8_and_says_where(tmp_path: Path) -> None:
    path = tmp_path / FILE
    # "à" as one Latin-1/Windows-1258 byte, as an old editor would save it.
    path.write_bytes(BASE.encode("utf-8").replace("Ban hành".encode(), b"Ban h\xe0nh"))
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    [issue] = caught.value.issues
    assert where(issue) == ("not_utf8", (), 30, 17)
    assert "tệp không phải văn bản UTF-8" in caught.value.render("vi")
    assert "the file is not UTF-8 text" in caught.value.render("en")


# --- Issue 12: NFD text, pydantic's English, the new plan fields ------------------

BUNDLED = Path(__file__).resolve().parents[2] / "schedules" / "cchc-2019-2020.yaml"


def test_a_plan_saved_as_nfd_passes_the_check(tmp_path: Path) -> None:
    import unicodedata

    text = BUNDLED.read_text(encoding="utf-8")
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text and "chủ trì" not in decomposed  # Unikey's "Unicode tổ hợp"
    path = tmp_path / "nfd.yaml"
    path.write_text(decomposed, encoding="utf-8")
    plan = load_plan(path)
    assert plan == load_plan(BUNDLED)
    assert plan.area("1").responsibility.lead_as == "chủ trì"


@pytest.mark.parametrize(("old", "new"), [
    ("  years: [2019]\n", "  years: [2019]\n  internal_lead_days: -1\n"),
    ("  years: [2019]\n", "  years: [2019]\n  internal_lead_days: 1000\n"),
    ("  years: [2019]\n", "  years: [2019]\n  internal_lead_days: many\n"),
    ("  years: [2019]\n", "  years: []\n"),
    ("  years: [2019]\n", "  years: [2019]\n  starts: \"31/02/2019\"\n"),
    ("  years: [2019]\n", "  years: [2019]\n  references: [[1]]\n"),
    ("    title: Ban hành kế hoạch\n", "    title: Ban hành kế hoạch\n    owners: {units: [], source: seed}\n"),
    ("    title: Ban hành kế hoạch\n", "    title: Ban hành kế hoạch\n    owners: {units: [VP], source: assumed}\n"),
    ("    title: Ban hành kế hoạch\n", "    title: Ban hành kế hoạch\n    evidence_source: maybe\n"),
    ("    title: Ban hành kế hoạch\n", "    title: Ban hành kế hoạch\n    evidence_required: perhaps\n"),
    ("        source: seed\n", "        source: seed\n        collect: 3\n        units: VP\n"),
    ("        source: seed\n", "        source: seed\n        ladder: {overdue_every: 0.5}\n"),
])
def test_pydantic_english_never_reaches_the_user(old: str, new: str) -> None:
    err = error_of(edit(old, new))
    vi, en = err.render("vi"), err.render("en")
    for text in (vi, en):
        assert "Input should" not in text and "Value error" not in text and "validation error" not in text
    assert not [i for i in err.issues if gettext_in("vi", MESSAGES.get(i.code, "?")) == MESSAGES.get(i.code, "?")], \
        [i.code for i in err.issues]


def test_an_assumed_owner_needs_a_note() -> None:
    err = error_of(edit("    title: Ban hành kế hoạch\n",
                        "    title: Ban hành kế hoạch\n    owners: {units: [VP], source: assumed}\n"))
    assert [i.code for i in err.issues] == ["assumed_needs_note"]
    assert "cần có note" in err.render("vi")


def test_owner_and_deadline_units_must_exist() -> None:
    err = error_of(edit("        source: seed\n", "        source: seed\n        units: [KHTC]\n",
                        edit("    title: Ban hành kế hoạch\n",
                             "    title: Ban hành kế hoạch\n    owners: {units: [XYZ], source: seed}\n")))
    assert sorted((i.code, i.params["unit"]) for i in err.issues) == [("unknown_unit", "KHTC"),
                                                                      ("unknown_unit", "XYZ")]
