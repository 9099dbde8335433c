"""E-mail as a Channel (SMTP, STARTTLS): digests always, reminders when configured.

A third channel (e.g. Zalo Official Account) implements the same `send(OutMessage) -> int`
and raises SendError with the failure policy, exactly like this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib

from bot.engine.channel import Failure, OutMessage, SendError
from bot.i18n import _


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    starttls: bool = True
    user: str | None = None
    password: str | None = None
    sender: str = "nhacviec@localhost"
    timeout: float = 30.0


def build_email(message: OutMessage, sender: str) -> EmailMessage:
    """Subject from the first line; the text as body, ending with where to act (the personal page when the
    message carries its link); a chart as a PNG attachment."""
    mail = EmailMessage()
    first = message.text.strip().splitlines()[0] if message.text.strip() else _("CCHC reminder")
    mail["Subject"] = first[:150]
    mail["From"] = sender
    mail["To"] = message.address
    mail["Message-ID"] = make_msgid(domain="nhacviec")
    body = message.text
    if message.link:  # mail has no buttons: the reader acts on their personal page
        body += "\n\n" + _("To confirm a task done, attach evidence or report a blocker, open your personal "
                             "page:") + "\n" + message.link
    elif message.buttons:
        body += "\n\n" + _("(To confirm a task done, send evidence or report a blocker, reply through the bot "
                             "(Zalo or Telegram).)")
    mail.set_content(body)
    if message.photo is not None:
        mail.add_attachment(message.photo, maintype="image", subtype="png", filename="tien-do.png")
    return mail


class EmailChannel:
    """Sends through an SMTP server; the password is never logged or put in an error."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.sent = 0

    def _clean(self, text: str) -> str:
        password = self.settings.password
        return text.replace(password, "***") if password else text

    async def send(self, message: OutMessage) -> int:
        s = self.settings
        mail = build_email(message, s.sender)
        try:
            await aiosmtplib.send(mail, hostname=s.host, port=s.port, start_tls=s.starttls, username=s.user,
                                  password=s.password, timeout=s.timeout)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise SendError(Failure.UNREACHABLE, self._clean(_("address refused: {error}").format(error=exc))) from None
        except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPConnectTimeoutError) as exc:
            failure = _("cannot connect to the mail server: {error}").format(error=exc)
            raise SendError(Failure.RETRY, self._clean(failure)) from None
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError) as exc:
            # The server may have accepted the message before the connection dropped.
            raise SendError(Failure.RETRY_UNCERTAIN, self._clean(str(exc))) from None
        except aiosmtplib.SMTPResponseException as exc:
            failure = Failure.RETRY if 400 <= exc.code < 500 else Failure.PERMANENT
            raise SendError(failure, self._clean(f"SMTP {exc.code}: {exc.message}")) from None
        except OSError as exc:
            failure = _("cannot connect to the mail server: {error}").format(error=exc)
            raise SendError(Failure.RETRY, self._clean(failure)) from None
        except aiosmtplib.SMTPException as exc:
            raise SendError(Failure.PERMANENT, self._clean(str(exc))) from None
        self.sent += 1
        return self.sent
