"""SMTP delivery against real servers in the test process: accepted, refused, busy, dropped,
STARTTLS with login."""

from __future__ import annotations

import ssl
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.reminders.smtp import (
    dropping_server,
    free_port,
    mail_server,
    password_check,
    self_signed,
)
from tracker.errors import InvalidInput
from tracker.reminders.mailer import SendFailed, SmtpConfig, SmtpMailer, parse_smtp_url


def note(to: str = "glyn.peach@lcc.example") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Programme tracker <tracker@lcc.example>"
    message["To"] = to
    message["Subject"] = "Test"
    message["Message-ID"] = "<reminder.test@lcc.example>"
    message.set_content("Hello")
    return message


class Sleeps:
    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def test_a_plain_url_upgrades_to_starttls_only_when_offered() -> None:
    assert parse_smtp_url("smtp://mail.lcc.example") == SmtpConfig(
        host="mail.lcc.example", port=25, start_tls=None
    )


def test_credentials_make_starttls_required_and_are_percent_decoded() -> None:
    config = parse_smtp_url("smtp://tracker%40lcc.example:p%3Ass@mail.lcc.example:587")
    assert (config.username, config.password, config.port) == ("tracker@lcc.example", "p:ss", 587)
    assert config.start_tls is True and config.use_tls is False
    assert "p:ss" not in repr(config)


def test_smtps_is_tls_from_the_first_byte_and_options_are_read() -> None:
    config = parse_smtp_url("smtps://u:p@mail.lcc.example?cafile=/etc/ca.pem&timeout=5")
    assert (config.port, config.use_tls, config.start_tls) == (465, True, False)
    assert (config.cafile, config.timeout) == ("/etc/ca.pem", 5.0)


@pytest.mark.parametrize(
    "url",
    ["", "http://mail.lcc.example", "smtp://", "smtp://h?starttls=maybe", "smtp://h?verify=no"],
)
def test_a_bad_smtp_url_is_refused_with_a_clear_error(url: str) -> None:
    with pytest.raises(InvalidInput, match="TRACKER_SMTP_URL"):
        parse_smtp_url(url)


async def test_a_message_reaches_the_server() -> None:
    with mail_server() as server:
        await SmtpMailer(parse_smtp_url(server.url)).send(note())
        [received] = server.handler.received
    assert received.recipients == ["glyn.peach@lcc.example"]
    assert received.message["Message-ID"] == "<reminder.test@lcc.example>"


async def test_starttls_and_login_with_a_trusted_certificate(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    options = {
        "tls_context": context,
        "require_starttls": True,
        "authenticator": password_check("tracker", "s3cret"),
        "auth_require_tls": True,
    }
    with mail_server(**options) as server:
        url = f"smtp://tracker:s3cret@127.0.0.1:{server.port}?cafile={cert}"
        await SmtpMailer(parse_smtp_url(url)).send(note())
        assert len(server.handler.received) == 1

        sleeps = Sleeps()
        wrong = f"smtp://tracker:wrong@127.0.0.1:{server.port}?cafile={cert}"
        with pytest.raises(SendFailed) as refused:
            await SmtpMailer(parse_smtp_url(wrong), sleep=sleeps).send(note())
        assert (refused.value.permanent, refused.value.attempts, sleeps.seconds) == (True, 1, [])
        assert "535" in refused.value.message

        untrusted = f"smtp://tracker:s3cret@127.0.0.1:{server.port}"
        with pytest.raises(SendFailed, match="certificate"):
            await SmtpMailer(parse_smtp_url(untrusted), attempts=1).send(note())
        assert len(server.handler.received) == 1


async def test_a_refused_recipient_is_a_permanent_failure_and_is_not_retried() -> None:
    sleeps = Sleeps()
    with mail_server() as server:
        server.handler.refuse.add("glyn.peach@lcc.example")
        mailer = SmtpMailer(parse_smtp_url(server.url), attempts=3, backoff=1.0, sleep=sleeps)
        with pytest.raises(SendFailed) as failure:
            await mailer.send(note())
    assert failure.value.permanent is True
    assert failure.value.attempts == 1
    assert "550" in failure.value.message
    assert sleeps.seconds == []


async def test_a_busy_server_is_retried_with_back_off_until_it_accepts() -> None:
    sleeps = Sleeps()
    with mail_server() as server:
        server.handler.busy_for = 2
        mailer = SmtpMailer(parse_smtp_url(server.url), attempts=3, backoff=0.5, sleep=sleeps)
        await mailer.send(note())
        assert server.handler.attempts == 3
        assert len(server.handler.received) == 1
    assert sleeps.seconds == [0.5, 1.0]


@pytest.mark.parametrize("greet", [False, True], ids=["at-connect", "after-greeting"])
async def test_a_dropped_connection_is_retried_then_reported_as_transient(greet: bool) -> None:
    sleeps = Sleeps()
    async with dropping_server(greet=greet) as url:
        mailer = SmtpMailer(parse_smtp_url(url), attempts=3, backoff=0.25, sleep=sleeps)
        with pytest.raises(SendFailed) as failure:
            await mailer.send(note())
    assert (failure.value.permanent, failure.value.attempts) == (False, 3)
    assert sleeps.seconds == [0.25, 0.5]


async def test_no_server_listening_is_a_transient_failure() -> None:
    mailer = SmtpMailer(parse_smtp_url(f"smtp://127.0.0.1:{free_port()}"), attempts=2, backoff=0)
    with pytest.raises(SendFailed) as failure:
        await mailer.send(note())
    assert (failure.value.permanent, failure.value.attempts) == (False, 2)
    assert "SMTPConnectError" in failure.value.message
