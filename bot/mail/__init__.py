"""The e-mail adapter: reminders and notices as HTML and plain text with the reader's personal page link."""

from bot.mail.channel import EmailChannel, SmtpSettings, build_email

__all__ = ["EmailChannel", "SmtpSettings", "build_email"]
