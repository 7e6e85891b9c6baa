"""SMTP delivery through aiosmtplib, with retries and back-off.

``TRACKER_SMTP_URL``:

* ``smtp://host:25``: plain SMTP, upgraded with STARTTLS when the server offers it;
* ``smtp://user:password@host:587``: with credentials STARTTLS is **required** (a server that
  does not offer it is refused rather than sent the password in clear), then AUTH LOGIN/PLAIN;
* ``smtps://user:password@host:465``: TLS from the first byte;
* query options: ``starttls=required|auto|off``, ``cafile=/path/ca.pem`` (trust this CA
  bundle instead of the system's), ``timeout=30`` (seconds). User and password are
  percent-decoded (``%40`` for ``@``).

A send is tried ``attempts`` times, waiting ``backoff``, ``2 x backoff``, ... between tries.
Failures are **transient** (connection refused, dropped or timed out; 4xx replies) or
**permanent** (5xx replies: recipient, sender, data or login refused; STARTTLS required but
not offered): a permanent one is not retried. ``SendFailed`` reports either.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
import msgspec

from tracker.errors import InvalidInput, TrackerError


class SmtpConfig(msgspec.Struct, frozen=True, kw_only=True):
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    start_tls: bool | None = None
    """True: required; None: when offered; False: never."""
    cafile: str | None = None
    timeout: float = 30.0

    def __repr__(self) -> str:  # never print the password
        return f"SmtpConfig(host={self.host!r}, port={self.port}, user={self.username!r})"


_STARTTLS = {"required": True, "auto": None, "off": False}


def parse_smtp_url(url: str, *, timeout: float = 30.0) -> SmtpConfig:
    """An ``smtp://`` or ``smtps://`` URL as a config (see the module docstring)."""
    if not url.strip():
        raise InvalidInput(
            "TRACKER_SMTP_URL is not set: give the mail server, e.g. "
            "smtp://user:password@mail.example.gov.uk:587"
        )
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise InvalidInput(
            "TRACKER_SMTP_URL must look like smtp://[user:password@]host[:port] or smtps://..."
        )
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"starttls", "cafile", "timeout"}
    if unknown:
        raise InvalidInput(f"TRACKER_SMTP_URL has unknown options: {', '.join(sorted(unknown))}")
    username = unquote(parts.username) if parts.username else None
    implicit = parts.scheme == "smtps"
    mode = query.get("starttls", "required" if username and not implicit else "auto")
    if mode not in _STARTTLS:
        raise InvalidInput("TRACKER_SMTP_URL starttls must be required, auto or off")
    try:
        port = parts.port or (465 if implicit else 25)
        seconds = float(query.get("timeout", timeout))
    except ValueError as exc:
        raise InvalidInput(f"TRACKER_SMTP_URL has a bad port or timeout: {exc}") from exc
    return SmtpConfig(
        host=parts.hostname,
        port=port,
        username=username,
        password=unquote(parts.password) if parts.password else None,
        use_tls=implicit,
        start_tls=False if implicit else _STARTTLS[mode],
        cafile=query.get("cafile"),
        timeout=seconds,
    )


class SendFailed(TrackerError):
    code = "send_failed"

    def __init__(self, message: str, *, attempts: int, permanent: bool) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.permanent = permanent


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Deliver or raise ``SendFailed``."""
        ...


def is_permanent(error: Exception) -> bool:
    """5xx replies and refused configurations; everything else may pass on a retry."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(r.code >= 500 for r in error.recipients)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return error.code >= 500
    return isinstance(error, aiosmtplib.SMTPNotSupported)


def describe(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return f"{type(error).__name__}: {text}"


Sleep = Callable[[float], Awaitable[None]]


class SmtpMailer:
    def __init__(
        self,
        config: SmtpConfig,
        *,
        attempts: int = 3,
        backoff: float = 1.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.config = config
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self._sleep = sleep

    async def _send_once(self, message: EmailMessage) -> None:
        c = self.config
        await aiosmtplib.send(
            message,
            hostname=c.host,
            port=c.port,
            username=c.username,
            password=c.password,
            use_tls=c.use_tls,
            start_tls=c.start_tls,
            cert_bundle=c.cafile,
            timeout=c.timeout,
        )

    async def send(self, message: EmailMessage) -> None:
        for attempt in range(1, self.attempts + 1):
            try:
                await self._send_once(message)
                return
            except (aiosmtplib.SMTPException, OSError) as exc:
                if is_permanent(exc):
                    raise SendFailed(describe(exc), attempts=attempt, permanent=True) from exc
                if attempt == self.attempts:
                    raise SendFailed(describe(exc), attempts=attempt, permanent=False) from exc
            await self._sleep(self.backoff * 2 ** (attempt - 1))


__all__ = [
    "Mailer",
    "SendFailed",
    "SmtpConfig",
    "SmtpMailer",
    "describe",
    "is_permanent",
    "parse_smtp_url",
]
