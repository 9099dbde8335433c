"""The e-mail channel against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bot.engine.channel import Button, Failure, OutMessage, SendError
from bot.mail import EmailChannel, SmtpSettings

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address.startswith("khongton"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"



@pytest.fixture
def smtp(free_port: Callable[[], int]) -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _channel(port: int, password: str | None = None) -> EmailChannel:
    return EmailChannel(SmtpSettings(host="127.0.0.1", port=port, starttls=False, sender="nhacviec@so-gddt.vn",
                                     password=password, timeout=5))


async def test_digest_mail_arrives_with_vietnamese_text_and_chart(smtp) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp
    text = "📊 Tổng hợp tiến độ tuần — Phòng Tổ chức cán bộ\nĐã xong: 3 việc; quá hạn: 1 việc."
    await _channel(port).send(OutMessage(0, text, photo=PNG, address="tccb@so-gddt.vn"))
    (mail,) = inbox.messages
    assert mail["To"] == "tccb@so-gddt.vn" and mail["Subject"] == "📊 Tổng hợp tiến độ tuần — Phòng Tổ chức cán bộ"
    assert "quá hạn: 1 việc" in mail.get_body(preferencelist=("plain",)).get_content()
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == "tien-do.png" and attachment.get_content() == PNG


def _body(mail: Any) -> str:
    return str(mail.get_body(preferencelist=("plain",)).get_content())


BUTTONS = ((Button("✅ Đã xong", "done:7"),),)
LINK = "https://nhacviec.sogd.example.vn/p/20.0.1576000000.abcdefghijklmnopqrstuvwx"


async def test_a_reminder_with_a_personal_link_ends_with_the_page_to_act_on(smtp) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp
    await _channel(port).send(OutMessage(0, "Nhắc việc: 1.1 Ban hành kế hoạch CCHC", BUTTONS,
                                         address="tccb@so-gddt.vn", link=LINK))
    body = _body(inbox.messages[0]).rstrip()
    assert body.endswith("anh/chị mở trang cá nhân của mình:\n" + LINK)
    assert "Telegram" not in body and "Zalo" not in body


async def test_without_a_link_the_mail_names_both_chat_apps_and_no_page(smtp) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp
    await _channel(port).send(OutMessage(0, "Nhắc việc: 1.1", BUTTONS, address="tccb@so-gddt.vn"))
    await _channel(port).send(OutMessage(0, "Tổng hợp tuần", address="tccb@so-gddt.vn"))
    with_buttons, digest = (_body(m) for m in inbox.messages)
    assert "anh/chị trả lời qua bot (Zalo hoặc Telegram)" in with_buttons
    assert "mở bot trên Telegram" not in with_buttons and "trang cá nhân" not in with_buttons
    assert "bot" not in digest  # nothing to act on: no sentence added


async def test_refused_recipient_is_unreachable(smtp) -> None:  # type: ignore[no-untyped-def]
    _, port = smtp
    with pytest.raises(SendError) as err:
        await _channel(port).send(OutMessage(0, "Nhắc việc", address="khongton@so-gddt.vn"))
    assert err.value.failure is Failure.UNREACHABLE


async def test_server_down_is_retried_and_the_password_never_shows(free_port: Callable[[], int]) -> None:
    with pytest.raises(SendError) as err:
        await _channel(free_port(), password="mat-khau-bi-mat").send(OutMessage(0, "x", address="a@b.vn"))
    assert err.value.failure is Failure.RETRY
    assert "mat-khau-bi-mat" not in str(err.value)


@pytest.mark.parametrize("page", [False, True], ids=["no-page", "personal-page"])
async def test_digests_and_reminders_go_by_email_through_the_outbox_once(smtp, tmp_path, page) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime, time, timezone
    from zoneinfo import ZoneInfo

    from bot.db.engine import make_engine, migrate
    from bot.db.members import ensure_member
    from bot.domain.clock import FixedClock
    from bot.domain.workdays import WorkCalendar
    from bot.engine.digests import DigestSchedule, digest_renderer
    from bot.engine.dispatcher import Dispatcher, DispatchSettings
    from bot.engine.outbox import EmailRouting
    from bot.engine.ratelimit import NoLimit
    from bot.engine.sync import sync_plan
    from bot.plans.loader import parse_plan
    from tests.conftest import MINI_PLAN
    from tests.fakes import ScriptedChannel

    inbox, port = smtp
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    text = MINI_PLAN.read_text(encoding="utf-8").replace(
        "{id: TCCB, name: Phòng Tổ chức cán bộ}", "{id: TCCB, name: Phòng Tổ chức cán bộ, email: tccb@so-gddt.vn}")
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    migrate(engine)
    clock = FixedClock(datetime(2019, 10, 28, tzinfo=timezone.utc))  # installed on a Monday
    sync_plan(engine, parse_plan(text, "mini.yaml"), WorkCalendar(), clock.now())
    ensure_member(engine, clock.now(), chat_id=1, role="admin", unit="VP", name="Văn phòng")
    ensure_member(engine, clock.now(), chat_id=20, role="head", unit="TCCB", name="Trưởng TCCB")
    settings = DispatchSettings(concurrency=1, digests=DigestSchedule(4, time(16, 0), zone),
                                email=EmailRouting(office=("vp@so-gddt.vn",), reminders=True))
    telegram = ScriptedChannel()
    from bot.web.links import read_link
    from bot.web.personal import LinkMaker
    links = LinkMaker(engine, b"page-secret-0123456789", "https://nv.example.gov.vn", clock) if page else None
    dispatcher = Dispatcher(engine, telegram, clock, NoLimit(), settings, digest_renderer=digest_renderer(engine, zone),
                            email_channel=_channel(port), links=links)
    clock.set(datetime(2019, 10, 30, 1, 0, tzinfo=timezone.utc))  # 08:00: the 14-working-day reminders
    await dispatcher.sweep()
    reminders = [m for m in inbox.messages if m["To"] == "tccb@so-gddt.vn" and "Nhắc việc" in m["Subject"]]
    assert len(reminders) == 1
    body = reminders[0].get_body(preferencelist=("plain",)).get_content()
    if page:
        url = body.split("https://nv.example.gov.vn/p/")[1].split()[0]
        head = read_link(b"page-secret-0123456789", url, clock.now()).member_id
        assert "mở trang cá nhân" in body and head == 2  # the TCCB head's page, not the office's
        assert telegram.sent and all(not m.link for m in telegram.sent)  # Telegram cards: buttons, no link
    else:
        assert "qua bot (Zalo hoặc Telegram)" in body
    assert not [m for m in inbox.messages if m["To"] == "vp@so-gddt.vn"]  # the office gets no reminders
    clock.set(datetime(2019, 11, 1, 9, 0, tzinfo=timezone.utc))  # Friday 16:00 local: digests
    await dispatcher.sweep()
    await dispatcher.sweep()
    unit_digests = [m for m in inbox.messages if m["To"] == "tccb@so-gddt.vn" and "Nhắc việc" not in m["Subject"]]
    assert unit_digests  # the unit's weekly digest goes to its mailbox too
    linked = ["https://nv.example.gov.vn/p/" in m.get_body(preferencelist=("plain",)).get_content()
              for m in unit_digests]
    assert linked == [page] * len(unit_digests)
    digests_vp = [m for m in inbox.messages if m["To"] == "vp@so-gddt.vn"]
    assert len(digests_vp) >= 2  # overview text part(s), then the chart
    assert any(list(m.iter_attachments()) for m in digests_vp)
    count = len(inbox.messages)
    dispatcher2 = Dispatcher(engine, telegram, clock, NoLimit(), settings,
                             digest_renderer=digest_renderer(engine, zone), email_channel=_channel(port))
    dispatcher2.recover_all()
    await dispatcher2.sweep()  # a restart sends nothing twice
    assert len(inbox.messages) == count
    engine.dispose()
