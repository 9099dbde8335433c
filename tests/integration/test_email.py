"""The e-mail channel against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bot.engine.channel import Failure, OutMessage, SendError
from bot.engine.email import EmailChannel, SmtpSettings

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), _free_port()
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


async def test_refused_recipient_is_unreachable(smtp) -> None:  # type: ignore[no-untyped-def]
    _, port = smtp
    with pytest.raises(SendError) as err:
        await _channel(port).send(OutMessage(0, "Nhắc việc", address="khongton@so-gddt.vn"))
    assert err.value.failure is Failure.UNREACHABLE


async def test_server_down_is_retried_and_the_password_never_shows() -> None:
    with pytest.raises(SendError) as err:
        await _channel(_free_port(), password="mat-khau-bi-mat").send(OutMessage(0, "x", address="a@b.vn"))
    assert err.value.failure is Failure.RETRY
    assert "mat-khau-bi-mat" not in str(err.value)
