"""Plan-file messages: English ids in the gettext catalogs (domain `plans`), Vietnamese by default.

Every issue code a plan check can produce (our own and pydantic's error types) has a message here;
pydantic's English text never reaches a user: an unknown type reads "invalid value".
"""

from __future__ import annotations

from typing import Any

from bot.i18n import N_, _, language

# code → message id; {placeholders} come from the params.
MESSAGES: dict[str, str] = {
    "file_missing": N_("plan file not found"),
    "file_unreadable": N_("cannot read the file: {reason}"),
    "not_utf8": N_("the file is not UTF-8 text (save it again as UTF-8)"),
    "empty_file": N_("the file is empty: it needs plan, units, areas and tasks"),
    "not_mapping": N_("the file must be a mapping (plan, units, areas, tasks...)"),
    "yaml_tab": N_("tab used for indentation; YAML accepts spaces only"),
    "yaml_syntax": N_("YAML syntax error: {problem}"),
    "yaml_tag": N_("the YAML tag {tag} is not allowed in a plan"),
    "duplicate_key": N_("key \"{key}\" appears twice in one mapping"),
    "yaml_alias_loop": N_("a YAML alias (*name) points into the item that contains it (an endless loop)"),
    "yaml_too_big": N_("YAML aliases expand to more than {limit} values; a plan is never that large"),
    "complex_key": N_("a key must be plain text"),
    "unquoted_time": N_("the time {text} is not quoted, so YAML reads it as the number {number}; write \"{text}\""),
    "bad_scalar": N_("invalid value \"{text}\" ({reason})"),
    "missing": N_("required field is missing"),
    "extra_forbidden": N_("unknown field (not in the plan schema; a typo?)"),
    "string_type": N_("must be text"),
    "string_sub_type": N_("must be text"),
    "string_unicode": N_("must be text"),
    "string_too_short": N_("must not be empty"),
    "string_too_long": N_("too long"),
    "string_pattern_mismatch": N_("an id has only letters, digits, '.', '-', '_' (at most 24 characters)"),
    "int_type": N_("must be an integer"),
    "int_parsing": N_("must be an integer"),
    "int_from_float": N_("must be an integer"),
    "int_parsing_size": N_("must be an integer"),
    "float_type": N_("must be a number"),
    "float_parsing": N_("must be a number"),
    "finite_number": N_("must be a number"),
    "bool_type": N_("must be true or false"),
    "bool_parsing": N_("must be true or false"),
    "list_type": N_("must be a list (lines starting with \"- \")"),
    "tuple_type": N_("must be a list (lines starting with \"- \")"),
    "set_type": N_("must be a list (lines starting with \"- \")"),
    "iterable_type": N_("must be a list (lines starting with \"- \")"),
    "dict_type": N_("must be a mapping of key: value"),
    "mapping_type": N_("must be a mapping of key: value"),
    "model_type": N_("must be a mapping of key: value"),
    "model_attributes_type": N_("must be a mapping of key: value"),
    "dataclass_type": N_("must be a mapping of key: value"),
    "too_short": N_("needs at least {min_length} item(s)"),
    "too_long": N_("has more than {max_length} item(s)"),
    "greater_than": N_("must be greater than {gt}"),
    "greater_than_equal": N_("must be at least {ge}"),
    "less_than": N_("must be less than {lt}"),
    "less_than_equal": N_("must be at most {le}"),
    "multiple_of": N_("must be a multiple of {multiple_of}"),
    "literal_error": N_("must be one of: {expected}"),
    "enum": N_("must be one of: {expected}"),
    "none_required": N_("must be left empty"),
    "frozen_field": N_("cannot be changed"),
    "date_type": N_("date {value} is not in the form dd/mm/yyyy"),
    "date_parsing": N_("date {value} is not in the form dd/mm/yyyy"),
    "bad_date": N_("date {value} is not in the form dd/mm/yyyy"),
    "impossible_date": N_("date {value} does not exist"),
    "bad_day_month": N_("{value} is not a day/month dd/mm"),
    "bad_time": N_("time {value} is not a quoted \"HH:MM\""),
    "bad_rrule": N_("invalid RRULE; details (in English): {reason}"),
    "rrule_never": N_("the RRULE never falls due: no month has BYMONTHDAY={days}"),
    "rrule_dtstart": N_("do not put DTSTART in the RRULE: it comes from the plan's years"),
    "deadline_kind": N_("a deadline takes exactly one of date, yearly, window, rrule (given: {given})"),
    "window_shape": N_("a window takes quarter, or both from and to"),
    "percent_range": N_("a percentage is between 0 and 100"),
    "count_range": N_("a count is a non-negative integer"),
    "nobody_responsible": N_("name at least one unit or group (lead or others)"),
    "assumed_needs_note": N_("an assumed choice (source: assumed) needs a note for the office to confirm"),
    "bad_timezone": N_("unknown time zone {value}"),
    "duplicate_id": N_("id \"{id}\" is used twice"),
    "unknown_unit": N_("unit or group \"{unit}\" is not in units/groups"),
    "unknown_area": N_("area \"{area}\" is not in areas"),
    "unknown_role": N_("role \"{role}\" is not in roles"),
    "group_is_unit": N_("\"{id}\" is both a unit and a group"),
    "duplicate_plan_id": N_("plan id \"{id}\" is used by two plans: {files}"),
}
INVALID = N_("invalid value")

# PyYAML's problem texts → plain explanations, matched by prefix; the first match wins.
_YAML_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("mapping values are not allowed", N_("\": \" is not allowed here (wrong indentation, or text containing "
                                          "\": \" must be put in quotes)")),
    ("could not find expected ':'", N_("a \":\" is missing after the key")),
    ("did not find expected key", N_("indentation does not match, or a \":\" is missing")),
    ("expected <block end>", N_("indentation does not match the lines above")),
    ("sequence entries are not allowed", N_("a \"- \" item cannot start here (wrong indentation?)")),
    ("block sequence entries are not allowed", N_("a \"- \" item cannot start here (wrong indentation?)")),
    ("expected ',' or ']'", N_("a [ ... ] list is not closed, or a comma is missing")),
    ("expected ',' or '}'", N_("a { ... } mapping is not closed, or a comma is missing")),
    ("found unexpected end of stream", N_("a quoted string is not closed before the end of the file")),
    ("found unknown escape character", N_("the character after \\ is not valid in double quotes (use single "
                                          "quotes '...')")),
    ("found character", N_("this character cannot start a value (put the value in quotes)")),
    ("found undefined alias", N_("the alias * was not declared with &")),
    ("but found another document", N_("the file may hold one YAML document only (remove the second \"---\")")),
    ("expected a single document", N_("the file may hold one YAML document only (remove the second \"---\")")),
    ("unacceptable character", N_("the file contains a control character that is not allowed")),
)


def yaml_problem(problem: str) -> str:
    """PyYAML's syntax problem explained in the current language; its own text when not known."""
    for prefix, text in _YAML_PROBLEMS:
        if problem.startswith(prefix):
            return _(text)
    return _("details (in English): {problem}").format(problem=problem)


def headers() -> tuple[str, str, str]:
    """The report's first line, place format and last line, in the current language."""
    return (_("Plan {file} has {count} error(s):"), _("line {line}, column {col}"),
            _("Fix the errors above and run again."))


def render(code: str, params: dict[str, Any], lang: str, fallback: str = "") -> str:
    """The message for an issue code in `lang` (`fallback`, pydantic's English, is never shown)."""
    with language(lang):
        if code == "yaml_syntax" and "problem" in params and lang != "en":  # English: PyYAML's own words
            params = {**params, "problem": yaml_problem(str(params["problem"]))}
        template = _(MESSAGES.get(code, INVALID))
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
            return template
