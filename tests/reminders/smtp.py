"""Real SMTP servers for the tests, in the test process.

- ``MailServer``: aiosmtpd in its own thread (so subprocesses can reach it too); it keeps every
  accepted message, and can refuse recipients (550) or answer 451 to the first N attempts.
- ``dropping_server``: accepts a connection and closes it at once, or after the greeting.
- ``self_signed``: a certificate for 127.0.0.1, made with the openssl command.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import subprocess
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        content: str = part.get_content()  # type: ignore[attr-defined]
        return content.replace("\r\n", "\n")

    @property
    def html(self) -> str:
        part = self.message.get_body(("html",))
        assert part is not None
        content: str = part.get_content()  # type: ignore[attr-defined]
        return content.replace("\r\n", "\n")


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    """Recipients answered 550."""
    busy_for: int = 0
    """Answer 451 to this many DATA commands first."""
    attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.attempts += 1
            if self.busy_for > 0:
                self.busy_for -= 1
                return "451 4.3.0 Try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if address in r.recipients]

    def count(self) -> int:
        with self.lock:
            return len(self.received)


class MailServer:
    def __init__(self, handler: Handler, port: int, **smtp_options: Any) -> None:
        self.handler = handler
        self.port = port
        self.controller = Controller(handler, hostname="127.0.0.1", port=port, **smtp_options)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@contextmanager
def mail_server(**smtp_options: Any) -> Iterator[MailServer]:
    server = MailServer(Handler(), free_port(), **smtp_options)
    server.controller.start()
    try:
        yield server
    finally:
        server.controller.stop()


@asynccontextmanager
async def dropping_server(*, greet: bool = False) -> AsyncIterator[str]:
    """An SMTP URL whose server drops every connection (after a 220 greeting if ``greet``)."""

    async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if greet:
            writer.write(b"220 flaky.example ESMTP\r\n")
            await writer.drain()
            await reader.readline()
        writer.close()

    server = await asyncio.start_server(drop, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"smtp://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


def self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def password_check(user: str, password: str) -> Any:
    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        )
        return AuthResult(success=ok, handled=False)

    return authenticate
