"""Command line: the composition root. `nhacviec check|preview|sync|simulate|run`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import NoReturn

from pathlib import Path

from bot.config import Config, ConfigError, load_config
from bot.db.lock import AlreadyRunning
from bot.domain.plan import parse_day
from bot.domain.workdays import WorkCalendar
from bot.plans.loader import PlanError, load_plan
from bot.preview import render_json, render_table, summary, timeline

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad command-line arguments (exit 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports mistakes in Vietnamese and never exits on its own."""

    def error(self, message: str) -> NoReturn:
        for english, vietnamese in _ARGPARSE_WORDS:
            message = message.replace(english, vietnamese)
        raise UsageError(message)


_ARGPARSE_WORDS = (
    ("the following arguments are required", "thiếu tham số bắt buộc"),
    ("unrecognized arguments", "tham số không nhận ra"),
    ("invalid choice", "lựa chọn không hợp lệ"),
    ("choose from", "chọn một trong"),
    ("expected one argument", "cần một giá trị"),
    ("argument ", "tham số "),
)


def _date_arg(value: str) -> date:
    try:
        return parse_day(value)
    except Exception:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ: {value!r} (dạng dd/mm/yyyy)") from None


def build_parser() -> _Parser:
    """All subcommands and options."""
    parser = _Parser(prog="nhacviec", description="Bot nhắc việc kế hoạch cải cách hành chính.")
    parser.add_argument("--lang", choices=["vi", "en"], default="vi", help="ngôn ngữ thông báo (mặc định: vi)")
    sub = parser.add_subparsers(dest="command", metavar="LỆNH", parser_class=_Parser)
    check = sub.add_parser("check", help="kiểm tra tệp kế hoạch và in tóm tắt")
    check.add_argument("plan", help="đường dẫn tệp kế hoạch YAML")
    check.add_argument("--lang", choices=["vi", "en"], default=argparse.SUPPRESS)
    preview = sub.add_parser("preview", help="xem trước mọi hạn và lời nhắc")
    preview.add_argument("plan", help="đường dẫn tệp kế hoạch YAML")
    preview.add_argument("--from", dest="start", type=_date_arg, help="từ ngày (hạn), dd/mm/yyyy")
    preview.add_argument("--to", dest="end", type=_date_arg, help="đến ngày (hạn), dd/mm/yyyy")
    preview.add_argument("--unit", help="chỉ đơn vị có mã này, ví dụ TCCB")
    preview.add_argument("--format", choices=["table", "json"], default="table")
    preview.add_argument("--lang", choices=["vi", "en"], default=argparse.SUPPRESS)
    sim = sub.add_parser("simulate", help="chạy thử bộ máy nhắc việc theo thời gian giả lập, không cần Telegram")
    sim.add_argument("plan", help="đường dẫn tệp kế hoạch YAML")
    sim.add_argument("--from", dest="start", type=_date_arg, required=True, help="từ ngày, dd/mm/yyyy")
    sim.add_argument("--to", dest="end", type=_date_arg, required=True, help="đến ngày, dd/mm/yyyy")
    sim.add_argument("--format", choices=["text", "json"], default="text")
    for name, text in (("sync", "đồng bộ kế hoạch vào cơ sở dữ liệu"), ("run", "chạy bot")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--config", default=None, help="tệp cấu hình (mặc định: config.yaml nếu có)")
        if name == "run":
            cmd.add_argument("--rehearsal", metavar="START", help="đồng hồ diễn tập bắt đầu lúc này, ví dụ "
                             "2019-11-14T07:58:00+07:00 hoặc \"14/11/2019 07:58\" (thay clock.start)")
            cmd.add_argument("--speed", type=float, help="đồng hồ diễn tập nhanh gấp N lần (thay clock.speed)")
            cmd.add_argument("--port", type=int, help="cổng của trang chế độ thử khi chưa có token (mặc định 8080)")
    export = sub.add_parser("export", help="xuất bảng tổng hợp (.xlsx) và gói minh chứng (.zip) để chấm điểm CCHC")
    export.add_argument("--out", required=True, help="thư mục ghi kết quả")
    export.add_argument("--config", default=None, help="tệp cấu hình (mặc định: config.yaml nếu có)")
    ics = sub.add_parser("ics", help="xuất lịch hạn (.ics) của một đơn vị")
    ics.add_argument("--unit", required=True, help="mã đơn vị, ví dụ TCCB")
    ics.add_argument("--out", default=None, help="tệp .ics (mặc định: <mã đơn vị>.ics ở thư mục hiện tại)")
    ics.add_argument("--config", default=None, help="tệp cấu hình (mặc định: config.yaml nếu có)")
    return parser


def cmd_check(args: argparse.Namespace) -> int:
    """Validate a plan and print its summary."""
    plan = load_plan(args.plan)
    print(summary(plan, WorkCalendar(), args.lang))
    return EXIT_OK


def cmd_preview(args: argparse.Namespace) -> int:
    """Print the timeline of deadlines and reminders."""
    plan = load_plan(args.plan)
    if args.unit and args.unit not in {u.id for u in plan.units}:
        known = ", ".join(u.id for u in plan.units)
        raise UsageError(f"không có đơn vị {args.unit!r} trong kế hoạch; các mã hợp lệ: {known}")
    items = timeline(plan, WorkCalendar(), args.start, args.end, args.unit)
    print(render_json(items) if args.format == "json" else render_table(items, args.lang))
    return EXIT_OK


def cmd_simulate(args: argparse.Namespace) -> int:
    """Run the engine over simulated time and print every message."""
    import asyncio
    import json

    from bot.engine.simulate import as_json, as_text, simulate

    if args.end < args.start:
        raise UsageError("--to phải sau --from")
    plan = load_plan(args.plan)
    messages = asyncio.run(simulate(plan, WorkCalendar(), args.start, args.end))
    print(json.dumps(as_json(messages), ensure_ascii=False, indent=2) if args.format == "json" else as_text(messages))
    return EXIT_OK


def _config(args: argparse.Namespace) -> Config:
    path = args.config
    if path is None and Path("config.yaml").exists():
        path = "config.yaml"
    return load_config(path)


def cmd_sync(args: argparse.Namespace) -> int:
    """Sync the configured plan into the configured database."""
    from bot.runner import sync_only

    report = sync_only(_config(args))
    print(f"Đã đồng bộ kế hoạch: thêm {report.occurrences_added} lượt hạn, cập nhật {report.occurrences_updated}, "
          f"ngừng {report.occurrences_retired}; lời nhắc: thêm {report.reminders_added}, dời {report.reminders_moved}, "
          f"hủy {report.reminders_cancelled}, bỏ qua {report.reminders_skipped_past} (đã qua thời điểm gửi).")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """Start the bot."""
    from bot.runner import BotStopped, MissingToken, run_bot
    from bot.sandbox.options import with_run_options

    try:
        config = with_run_options(_config(args), args.rehearsal, args.speed, args.port)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if config.token() is None and config.sandbox.enabled:  # no token: try the bot without Telegram
        from bot.sandbox.run import run_sandbox

        return run_sandbox(config)
    try:
        run_bot(config)
    except MissingToken as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except BotStopped as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code  # 2: the database file vanished (bot.runner.DatabaseGone)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Write the summary workbook and the evidence package from the configured database."""
    from zoneinfo import ZoneInfo

    from sqlalchemy.orm import Session

    from bot.db.audit import audit
    from bot.db.engine import make_engine, migrate
    from bot.exports.package import fmt_size, write_export
    from bot.exports.records import load_snapshot

    config = _config(args)
    engine, now, zone = make_engine(config.database.url), config.make_clock().now(), ZoneInfo(config.timezone)
    migrate(engine)
    try:
        with Session(engine) as session, session.begin():
            snap = load_snapshot(session, now.astimezone(zone).date())
        done = write_export(snap, Path(args.out), zone=zone)
        pkg = done.package
        with Session(engine) as session, session.begin():
            audit(session, now, "cli", "export_created", str(Path(args.out)),
                  {"files": pkg.file_count, "parts": [p.name for p in pkg.paths], "missing": len(pkg.missing)})
    finally:
        engine.dispose()
    if not snap.occurrences:
        print("Cảnh báo: cơ sở dữ liệu chưa có lượt việc nào (chạy `nhacviec sync` trước).", file=sys.stderr)
    print(f"Đã ghi {done.workbook} ({fmt_size(done.workbook_size)}): {len(snap.occurrences)} lượt việc, "
          f"{len(snap.evidence)} minh chứng.")
    for path, size in zip(pkg.paths, pkg.sizes):
        too_big = " — quá giới hạn một phần, không gửi qua Telegram được" if path in pkg.oversized else ""
        print(f"Đã ghi {path} ({fmt_size(size)}){too_big}")
    print(f"Tổng cộng {pkg.file_count} tệp minh chứng trong {len(pkg.paths)} gói.")
    for item in pkg.missing:
        print(f"Thiếu tệp: {item}", file=sys.stderr)
    for item in pkg.mismatched:
        print(f"Tệp khác bản đã nhận (SHA-256): {item}", file=sys.stderr)
    return EXIT_OK


def cmd_ics(args: argparse.Namespace) -> int:
    """Write one unit's deadlines as an iCalendar file."""
    from sqlalchemy.orm import Session

    from bot.db.audit import audit
    from bot.db.engine import make_engine, migrate
    from bot.exports.calendar import find_unit, unit_calendar
    from bot.services.access import Refused
    from bot.telegram.i18n import t

    config = _config(args)
    engine, now = make_engine(config.database.url), config.make_clock().now()
    migrate(engine)
    try:
        with Session(engine) as session, session.begin():
            unit = find_unit(session, args.unit).id
            data = unit_calendar(session, unit, now)
            out = Path(args.out or f"{unit}.ics")
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            audit(session, now, "cli", "calendar_sent", unit, {"path": str(out), "bytes": len(data)})
    except Refused as exc:
        raise UsageError(t(exc.key, args.lang, **exc.params)) from None
    finally:
        engine.dispose()
    print(f"Đã ghi {out} ({len(data)} byte): lịch hạn của đơn vị {unit}.")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": cmd_check, "preview": cmd_preview, "simulate": cmd_simulate, "sync": cmd_sync, "run": cmd_run,
    "export": cmd_export, "ics": cmd_ics,
}


def _lang_of(argv: Sequence[str]) -> str:
    return "en" if "en" in [b for a, b in zip(argv, argv[1:]) if a == "--lang"] or "--lang=en" in argv else "vi"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `nhacviec` and `python -m bot`; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _lang_of(argv)
    try:
        args = build_parser().parse_args(argv)
        if not args.command:
            build_parser().print_help()
            return EXIT_USAGE
        return COMMANDS[args.command](args)
    except PlanError as exc:
        print(exc.render(lang), file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_USAGE
    except AlreadyRunning as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILURE
    except UsageError as exc:
        word = "Usage error" if lang == "en" else "Lỗi câu lệnh"
        print(f"{word}: {exc}\n{'Run' if lang == 'en' else 'Xem'}: nhacviec --help", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `nhacviec preview ... | head`
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:  # never a traceback for the user; NHACVIEC_DEBUG=1 shows it
        if os.environ.get("NHACVIEC_DEBUG") == "1":
            raise
        print(f"Lỗi không mong đợi ({type(exc).__name__}): {exc}", file=sys.stderr)
        return EXIT_FAILURE
