"""Plan-file messages in Vietnamese (default) and English."""

from __future__ import annotations

from typing import Any

# code → (Vietnamese, English); {placeholders} come from the params.
MESSAGES: dict[str, tuple[str, str]] = {
    "file_missing": ("không tìm thấy tệp kế hoạch", "plan file not found"),
    "file_unreadable": ("không đọc được tệp: {reason}", "cannot read the file: {reason}"),
    "not_utf8": ("tệp không phải văn bản UTF-8 (hãy lưu lại với mã hóa UTF-8)",
                 "the file is not UTF-8 text (save it again as UTF-8)"),
    "empty_file": ("tệp trống: cần có các mục plan, units, areas, tasks",
                   "the file is empty: it needs plan, units, areas and tasks"),
    "not_mapping": ("tệp phải là một bảng khóa: giá trị (plan, units, areas, tasks...)",
                    "the file must be a mapping (plan, units, areas, tasks...)"),
    "yaml_tab": ("dùng phím Tab để thụt lề; YAML chỉ chấp nhận dấu cách",
                 "tab used for indentation; YAML accepts spaces only"),
    "yaml_syntax": ("lỗi cú pháp YAML: {problem_vi}", "YAML syntax error: {problem}"),
    "yaml_tag": ("thẻ YAML {tag} không được dùng trong kế hoạch", "the YAML tag {tag} is not allowed in a plan"),
    "duplicate_key": ("khóa \"{key}\" bị lặp lại trong cùng một mục", "key \"{key}\" appears twice in one mapping"),
    "yaml_alias_loop": ("bí danh YAML (*tên) trỏ vào chính mục chứa nó (vòng lặp vô hạn)",
                        "a YAML alias (*name) points into the item that contains it (an endless loop)"),
    "yaml_too_big": ("các bí danh YAML nở ra quá {limit} giá trị; kế hoạch không được lớn như vậy",
                     "YAML aliases expand to more than {limit} values; a plan is never that large"),
    "complex_key": ("khóa phải là văn bản đơn giản", "a key must be plain text"),
    "unquoted_time": ("giờ {text} chưa đặt trong ngoặc kép nên YAML đọc thành số {number}; hãy viết \"{text}\"",
                      "the time {text} is not quoted, so YAML reads it as the number {number}; write \"{text}\""),
    "bad_scalar": ("giá trị \"{text}\" không hợp lệ ({reason})", "invalid value \"{text}\" ({reason})"),
    "missing": ("thiếu trường bắt buộc", "required field is missing"),
    "extra_forbidden": ("trường không có trong lược đồ kế hoạch (gõ sai tên?)",
                        "unknown field (not in the plan schema; a typo?)"),
    "string_type": ("phải là văn bản", "must be text"),
    "string_too_short": ("không được để trống", "must not be empty"),
    "string_too_long": ("quá dài", "too long"),
    "string_pattern_mismatch": ("mã chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới (tối đa 24 ký tự)",
                                "an id has only letters, digits, '.', '-', '_' (at most 24 characters)"),
    "int_type": ("phải là số nguyên", "must be an integer"),
    "int_parsing": ("phải là số nguyên", "must be an integer"),
    "int_from_float": ("phải là số nguyên", "must be an integer"),
    "float_type": ("phải là số", "must be a number"),
    "float_parsing": ("phải là số", "must be a number"),
    "bool_type": ("phải là true hoặc false", "must be true or false"),
    "bool_parsing": ("phải là true hoặc false", "must be true or false"),
    "list_type": ("phải là một danh sách (các dòng bắt đầu bằng \"- \")",
                  "must be a list (lines starting with \"- \")"),
    "dict_type": ("phải là một bảng khóa: giá trị", "must be a mapping of key: value"),
    "model_type": ("phải là một bảng khóa: giá trị", "must be a mapping of key: value"),
    "model_attributes_type": ("phải là một bảng khóa: giá trị", "must be a mapping of key: value"),
    "too_short": ("cần ít nhất {min_length} phần tử", "needs at least {min_length} item(s)"),
    "greater_than_equal": ("phải lớn hơn hoặc bằng {ge}", "must be at least {ge}"),
    "less_than_equal": ("phải nhỏ hơn hoặc bằng {le}", "must be at most {le}"),
    "literal_error": ("phải là một trong: {expected}", "must be one of: {expected}"),
    "enum": ("phải là một trong: {expected}", "must be one of: {expected}"),
    "bad_date": ("ngày {value} không đúng dạng dd/mm/yyyy", "date {value} is not in the form dd/mm/yyyy"),
    "impossible_date": ("ngày {value} không tồn tại", "date {value} does not exist"),
    "bad_day_month": ("{value} không đúng dạng ngày/tháng dd/mm", "{value} is not a day/month dd/mm"),
    "bad_time": ("giờ {value} không đúng dạng \"HH:MM\" (đặt trong ngoặc kép)",
                 "time {value} is not a quoted \"HH:MM\""),
    "bad_rrule": ("RRULE không hợp lệ; chi tiết (tiếng Anh): {reason}", "invalid RRULE: {reason}"),
    "rrule_never": ("RRULE không bao giờ tới hạn: không tháng nào có ngày BYMONTHDAY={days}",
                    "the RRULE never falls due: no month has BYMONTHDAY={days}"),
    "rrule_dtstart": ("không ghi DTSTART trong RRULE: ngày bắt đầu lấy theo năm của kế hoạch",
                      "do not put DTSTART in the RRULE: it comes from the plan's years"),
    "deadline_kind": ("mỗi hạn chỉ ghi đúng một trong: date, yearly, window, rrule (đang có: {given})",
                      "a deadline takes exactly one of date, yearly, window, rrule (given: {given})"),
    "window_shape": ("window ghi quarter, hoặc cả from và to", "a window takes quarter, or both from and to"),
    "percent_range": ("tỷ lệ phần trăm phải từ 0 đến 100", "a percentage is between 0 and 100"),
    "count_range": ("số lượng phải là số nguyên không âm", "a count is a non-negative integer"),
    "nobody_responsible": ("cần ghi ít nhất một đơn vị hoặc nhóm (lead hoặc others)",
                           "name at least one unit or group (lead or others)"),
    "bad_timezone": ("múi giờ {value} không tồn tại", "unknown time zone {value}"),
    "duplicate_id": ("mã \"{id}\" bị trùng", "id \"{id}\" is used twice"),
    "unknown_unit": ("đơn vị hoặc nhóm \"{unit}\" không có trong units/groups",
                     "unit or group \"{unit}\" is not in units/groups"),
    "unknown_area": ("lĩnh vực \"{area}\" không có trong areas", "area \"{area}\" is not in areas"),
    "unknown_role": ("vai trò \"{role}\" không có trong roles", "role \"{role}\" is not in roles"),
    "group_is_unit": ("mã \"{id}\" vừa là đơn vị vừa là nhóm", "\"{id}\" is both a unit and a group"),
}

# PyYAML's problem texts (English) → Vietnamese, matched by prefix; the first match wins.
_YAML_PROBLEMS_VI: tuple[tuple[str, str], ...] = (
    ("mapping values are not allowed", "không được có dấu \": \" ở đây (thụt lề sai, hoặc văn bản chứa \": \" "
                                       "cần đặt trong ngoặc kép)"),
    ("could not find expected ':'", "thiếu dấu \":\" sau tên khóa"),
    ("did not find expected key", "thụt lề không khớp hoặc thiếu dấu \":\""),
    ("expected <block end>", "thụt lề không khớp với các dòng phía trên"),
    ("sequence entries are not allowed", "không được bắt đầu một mục \"- \" ở đây (thụt lề sai?)"),
    ("block sequence entries are not allowed", "không được bắt đầu một mục \"- \" ở đây (thụt lề sai?)"),
    ("expected ',' or ']'", "danh sách [ ... ] chưa đóng hoặc thiếu dấu phẩy"),
    ("expected ',' or '}'", "bảng { ... } chưa đóng hoặc thiếu dấu phẩy"),
    ("found unexpected end of stream", "chuỗi trong ngoặc kép chưa đóng trước khi hết tệp"),
    ("found unknown escape character", "ký tự sau dấu \\ không hợp lệ trong ngoặc kép (dùng ngoặc đơn '...')"),
    ("found character", "ký tự này không được đứng đầu một giá trị (hãy đặt giá trị trong ngoặc kép)"),
    ("found undefined alias", "bí danh * chưa được khai báo bằng &"),
    ("but found another document", "tệp chỉ được chứa một tài liệu YAML (bỏ dòng \"---\" thứ hai)"),
    ("expected a single document", "tệp chỉ được chứa một tài liệu YAML (bỏ dòng \"---\" thứ hai)"),
    ("unacceptable character", "tệp chứa ký tự điều khiển không được phép"),
)


def yaml_problem_vi(problem: str) -> str:
    """A Vietnamese wording of a PyYAML syntax problem; the original text when it is not known."""
    for prefix, text in _YAML_PROBLEMS_VI:
        if problem.startswith(prefix):
            return text
    return f"chi tiết (tiếng Anh): {problem}"


HEADERS = {
    "vi": ("Kế hoạch {file} có {count} lỗi:", "dòng {line}, cột {col}", "Sửa các lỗi trên rồi chạy lại."),
    "en": ("Plan {file} has {count} error(s):", "line {line}, column {col}", "Fix the errors above and run again."),
}


def render(code: str, params: dict[str, Any], lang: str, fallback: str = "") -> str:
    """The message for an issue code in `lang`; pydantic's own text when the code is unknown."""
    pair = MESSAGES.get(code)
    if pair is None:
        return fallback or code
    template = pair[0] if lang == "vi" else pair[1]
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template
