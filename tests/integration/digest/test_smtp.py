"""SmtpMailer against a real SMTP server (aiosmtpd) on a free loopback port: plain, STARTTLS
with AUTH, and implicit TLS; retries with backoff on 4xx, permanent 5xx, reconnects."""

import email
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from papertide.clock import FixedClock
from papertide.digest.send import (
    PERMANENT,
    SENT,
    TEMPORARY,
    MailLoginError,
    MailServerError,
    OutgoingEmail,
    SmtpConfig,
    SmtpMailer,
)
from tests.integration.digest.conftest import SmtpSink, free_port
from tests.integration.digest.tls import client_context, make_certificate, server_context

SENDER = "papertide <digest@example.org>"


def message(to: str = "ada@example.org", n: int = 1) -> OutgoingEmail:
    return OutgoingEmail(
        to=to,
        subject=f"Digest {n}: naïve $\\alpha$",
        text=f"Text part {n}\n.\nwith a dot line",
        html=f"<p>HTML part {n}</p>",
        message_id=f"<m{n}@example.org>",
        headers=(("List-Unsubscribe", "<https://papers.example.org/digest/unsubscribe?token=t>"),),
    )


def parsed(data: bytes) -> EmailMessage:
    found = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(found, EmailMessage)
    return found


@pytest.fixture
def opened() -> Iterator[list[SmtpMailer]]:
    """Mailers a test made; closed after it (an open SMTP socket left behind would warn)."""
    mailers: list[SmtpMailer] = []
    yield mailers
    for mailer in mailers:
        mailer.close()


@pytest.fixture
def plain_mailer(opened: list[SmtpMailer]) -> Callable[..., SmtpMailer]:
    def make(port: int, clock: FixedClock, **options: Any) -> SmtpMailer:
        config = SmtpConfig("127.0.0.1", port, tls="none", sender=SENDER, timeout_s=10, **options)
        opened.append(SmtpMailer(config, clock))
        return opened[-1]

    return make


def test_smtp_mailer_sends_over_one_connection(
    smtp_server: Controller, sink: SmtpSink, plain_mailer
):
    mailer = plain_mailer(smtp_server.port, FixedClock())
    assert [mailer.send(message(n=n)).status for n in (1, 2)] == [SENT, SENT]
    mailer.close()
    mailer.close()  # idempotent
    assert sink.recipients == [["ada@example.org"], ["ada@example.org"]]
    first = parsed(sink.messages[0])
    assert first["Subject"] == "Digest 1: naïve $\\alpha$"
    assert first["Message-ID"] == "<m1@example.org>"
    text, html = (part.get_content() for part in first.iter_parts())
    assert text.replace("\r\n", "\n") == "Text part 1\n.\nwith a dot line"
    assert html.strip() == "<p>HTML part 1</p>"


def test_smtp_mailer_retries_temporary_failures_with_backoff(
    smtp_server: Controller, sink: SmtpSink, plain_mailer
):
    clock = FixedClock()
    sink.busy = 2
    result = plain_mailer(smtp_server.port, clock, backoff_s=1.5).send(message())
    assert result.status == SENT
    assert clock.sleeps == [1.5, 3.0]
    assert len(sink.messages) == 1


def test_smtp_mailer_gives_up_on_lasting_temporary_failures(
    smtp_server: Controller, sink: SmtpSink, plain_mailer
):
    clock = FixedClock()
    sink.busy = 10
    result = plain_mailer(smtp_server.port, clock).send(message())
    assert (result.status, result.code) == (TEMPORARY, 451)
    assert clock.sleeps == [2.0, 4.0, 8.0]
    assert sink.messages == []


def test_smtp_mailer_records_permanent_refusals_at_once(
    smtp_server: Controller, sink: SmtpSink, plain_mailer
):
    clock = FixedClock()
    sink.refuse["gone@example.org"] = "550 5.1.1 no such user"
    mailer = plain_mailer(smtp_server.port, clock)
    result = mailer.send(message("gone@example.org"))
    assert (result.status, result.code) == (PERMANENT, 550)
    assert "no such user" in result.detail
    assert mailer.send(message("ada@example.org")).status == SENT  # the connection goes on
    assert clock.sleeps == []


def test_smtp_mailer_refuses_invalid_addresses_without_asking(
    smtp_server: Controller, sink: SmtpSink, plain_mailer
):
    result = plain_mailer(smtp_server.port, FixedClock()).send(message("not an address"))
    assert result.status == PERMANENT and "invalid address" in result.detail
    assert sink.started == 0


def test_smtp_mailer_reconnects_after_the_server_closes(
    smtp_server: Controller, sink: SmtpSink, plain_mailer
):
    clock = FixedClock()
    mailer = plain_mailer(smtp_server.port, clock)
    sink.refuse["ada@example.org"] = "421 4.3.2 shutting down"
    assert mailer.send(message()).status == TEMPORARY
    del sink.refuse["ada@example.org"]
    assert mailer.send(message(n=2)).status == SENT
    assert len(sink.messages) == 1


def test_smtp_mailer_raises_when_no_server_listens(plain_mailer):
    clock = FixedClock()
    mailer = plain_mailer(free_port(), clock, retries=2)
    with pytest.raises(MailServerError, match="cannot reach the mail server"):
        mailer.send(message())
    assert clock.sleeps == [2.0, 4.0]


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    return make_certificate(tmp_path)


def authenticate(
    _server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"ada", b"s3cret")
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535


@pytest.fixture
def starttls_server(sink: SmtpSink, certificate: tuple[Path, Path]) -> Iterator[Controller]:
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_context(*certificate),
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    )
    controller.start()
    yield controller
    controller.stop()


def test_smtp_mailer_starttls_and_auth(
    starttls_server: Controller, sink: SmtpSink, certificate: tuple[Path, Path]
):
    config = SmtpConfig(
        "127.0.0.1", starttls_server.port, "starttls", "ada", "s3cret", SENDER, timeout_s=10
    )
    mailer = SmtpMailer(config, FixedClock(), client_context(certificate[0]))
    assert mailer.send(message()).status == SENT
    mailer.close()
    assert len(sink.messages) == 1


def test_smtp_mailer_reports_a_refused_login(
    starttls_server: Controller, certificate: tuple[Path, Path]
):
    config = SmtpConfig(
        "127.0.0.1", starttls_server.port, "starttls", "ada", "wrong", SENDER, timeout_s=10
    )
    clock = FixedClock()
    mailer = SmtpMailer(config, clock, client_context(certificate[0]))
    with pytest.raises(MailLoginError, match="refused our login"):
        mailer.send(message())
    assert clock.sleeps == []


def test_smtp_mailer_refuses_an_untrusted_certificate(starttls_server: Controller):
    config = SmtpConfig(
        "127.0.0.1", starttls_server.port, "starttls", sender=SENDER, timeout_s=10, retries=0
    )
    with pytest.raises(MailServerError, match="CERTIFICATE_VERIFY_FAILED"):
        SmtpMailer(config, FixedClock()).send(message())


def test_smtp_mailer_implicit_tls(sink: SmtpSink, certificate: tuple[Path, Path]):
    controller = Controller(
        sink, hostname="127.0.0.1", port=free_port(), ssl_context=server_context(*certificate)
    )
    controller.start()
    try:
        config = SmtpConfig("127.0.0.1", controller.port, "ssl", sender=SENDER, timeout_s=10)
        mailer = SmtpMailer(config, FixedClock(), client_context(certificate[0]))
        assert mailer.send(message()).status == SENT
        mailer.close()
    finally:
        controller.stop()
    assert len(sink.messages) == 1
