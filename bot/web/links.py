"""Personal links: signed with HMAC-SHA256, bound to one member, expiring, revocable.

A token is `<member>.<version>.<expires>.<signature>`; revoking bumps the member's `link_version`, so
every link made before stops working. The secret comes from the configuration (`web.secret`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime


class LinkError(Exception):
    """A link that does not open the page: `reason` is `bad`, `expired` or `revoked`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LinkClaims:
    member_id: int
    version: int
    expires: int  # unix seconds


def _mac(secret: bytes, message: str) -> str:
    digest = hmac.new(secret, message.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign_link(secret: bytes, member_id: int, version: int, expires_at: datetime) -> str:
    """The token of a member's link, valid until `expires_at`."""
    payload = f"{member_id}.{version}.{int(expires_at.timestamp())}"
    return f"{payload}.{_mac(secret, 'link|' + payload)}"


def read_link(secret: bytes, token: str, now: datetime) -> LinkClaims:
    """The claims of a genuine, unexpired token (revocation is checked against the member by the caller)."""
    parts = token.split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in parts[:3]):
        raise LinkError("bad")
    payload = ".".join(parts[:3])
    if not hmac.compare_digest(parts[3], _mac(secret, "link|" + payload)):
        raise LinkError("bad")
    claims = LinkClaims(int(parts[0]), int(parts[1]), int(parts[2]))
    if claims.expires <= int(now.astimezone(UTC).timestamp()):
        raise LinkError("expired")
    return claims


def form_token(secret: bytes, token: str) -> str:
    """The anti-forgery value every form of the page must carry (a page from elsewhere cannot know it)."""
    return _mac(secret, "form|" + token)
