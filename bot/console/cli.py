"""`nhacviec console-link quantri|lanhdao|MEMBER_ID`: a one-time sign-in link to the console, printed on the
server (the first admin has no other way in)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from functools import partial
from typing import Any

from bot.i18n import _


def add_parser(sub: Any, load_config: Callable[[argparse.Namespace], Any], sync: Callable[[Any], Any]) -> None:
    """Register `console-link WHO [--config F]` on the CLI's subparsers (the CLI hands in how to read the
    configuration and sync the plan: the console does not import the entry points)."""
    text = _("print a one-time sign-in link to the office console: quantri, lanhdao or a member number")
    cmd = sub.add_parser("console-link", help=text, description=text)
    cmd.add_argument("target", metavar=_("WHO"), help=_("quantri, lanhdao, or a member number"))
    cmd.add_argument("--config", default=None, help=_("config file (default: config.yaml if present)"))
    cmd.set_defaults(handler=partial(run, load_config=load_config, sync=sync))


def run(args: argparse.Namespace, load_config: Callable[[argparse.Namespace], Any],
        sync: Callable[[Any], Any]) -> int:
    """Print the link; exit 2 with a sentence when the console is off or nobody matches."""
    from sqlalchemy.orm import Session

    from bot.console import sessions
    from bot.console.app import PREFIX
    from bot.console.refusals import refusal_text
    from bot.db.engine import make_engine
    from bot.services.access import Refused
    from bot.texts import fmt_local

    config = load_config(args)
    if not config.web.base_url:
        print(_("The console is off: set web.base_url (and the page's signing key) in the configuration."),
              file=sys.stderr)
        return 2
    sync(config)  # migrated, and the plan's units known
    engine, now = make_engine(config.database.url), config.make_clock().now()
    try:
        with Session(engine) as session, session.begin():
            member = sessions.member_for(session, args.target, now)
            token = sessions.make_link_token(session, member, now, "cli")
            name = member.name
    except Refused as exc:
        print(refusal_text(exc), file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(_("Sign-in link for {name} (single use, expires {expires}):").format(
        name=name, expires=fmt_local(now + sessions.LINK_TTL)))
    print(f"{config.web.base_url}{PREFIX}/login/{token}")
    return 0
