"""argparse in the reader's language: the parser, option types and argparse's own messages
("usage:", "invalid choice"…) from the catalogs.

argparse (3.11+) looks up its module globals `_` and `ngettext` each time it words something; inside
`argparse_speaks()` they are the catalogs' functions, so `--help` and every usage error follow `--lang`.
Outside the block argparse is left as it was (pytest and alembic use argparse in the same process).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import NoReturn, TypeAlias

from bot.domain.plan import parse_day
from bot.i18n import N_, _, ngettext

# argparse's own message ids (CPython 3.11–3.13), extracted into the catalog by N_.
ARGPARSE_MESSAGES = (
    N_("usage: "), N_("positional arguments"), N_("options"), N_("optional arguments"),
    N_("show this help message and exit"), N_("subcommands"),
    N_("argument %(argument_name)s: %(message)s"), N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"), N_("one of the arguments %s is required"),
    N_("expected one argument"), N_("expected at most one argument"), N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"), N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"), N_("unexpected option string: %s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"), N_("%(prog)s: error: %(message)s\n"),
)


def _translate(message: str | None) -> str | None:
    return _(message) if message else message


@contextmanager
def argparse_speaks() -> Iterator[None]:
    """argparse words its help and errors in the current language inside the block."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _translate, ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class UsageError(Exception):
    """Bad command-line arguments (exit 2)."""


class CliParser(argparse.ArgumentParser):
    """argparse that never exits on its own: a mistake becomes a UsageError (worded by bot.cliwords)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


Subcommands = "argparse._SubParsersAction[CliParser]"
Subparsers: TypeAlias = "argparse._SubParsersAction[CliParser]"
Handler = Callable[[argparse.Namespace], int]


def date_arg(value: str) -> date:
    try:
        return parse_day(value)
    except Exception:  # noqa: BLE001  # any unreadable day is the same mistake
        raise argparse.ArgumentTypeError(_("invalid date: {value!r} (write dd/mm/yyyy)").format(value=value)) from None


def int_arg(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a whole number: {value!r}").format(value=value)) from None


def number_arg(value: str) -> float:
    try:
        return float(value.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a number: {value!r}").format(value=value)) from None


def lang_option(parser: argparse.ArgumentParser, top: bool = False) -> None:
    """`--lang vi|en` on the main parser and on every subcommand (so it may come anywhere)."""
    parser.add_argument("--lang", choices=["vi", "en"], default="vi" if top else argparse.SUPPRESS,
                        help=_("language of the output (default: vi)"))


def config_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--config", default=None, metavar=_("FILE"),
                     help=_("configuration file (default: config.yaml if present)"))
