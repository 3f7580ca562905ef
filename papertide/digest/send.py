"""Sending email: the Mailer protocol, SmtpMailer (smtplib: STARTTLS or SSL, auth, timeouts,
retries with backoff on temporary 4xx failures) and RecordingMailer for tests. MIME is built
here (multipart/alternative, quoted-printable UTF-8 parts); what to say is render.py's job.
"""

from __future__ import annotations

import binascii
import queue
import re
import secrets
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from typing import Protocol

from papertide.clock import Clock
from papertide.errors import InputError, SourceUnavailableError

SENT = "sent"
TEMPORARY = "temporary"
PERMANENT = "permanent"
TLS_MODES = ("none", "starttls", "ssl")
DEFAULT_PORTS: Mapping[str, int] = {"none": 25, "starttls": 587, "ssl": 465}
SMTP_TIMEOUT_S = 30.0
SMTP_RETRIES = 3
SMTP_BACKOFF_S = 2.0  # waits 2, 4, 8 s between attempts
ADDRESS_MAX_CHARS = 254  # RFC 5321, 4.5.3.1.3
_ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"\\]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


class MailServerError(SourceUnavailableError):
    """The mail server cannot be reached or refuses us (not one recipient): stop sending."""


class MailLoginError(MailServerError):
    """The mail server refused our credentials (retrying will not help)."""


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    """One message to one recipient; `headers` are extra ones (List-Unsubscribe, ...)."""

    to: str
    subject: str
    text: str
    html: str
    message_id: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class SendResult:
    """How a send ended: sent, temporary (worth trying later) or permanent (a bounce)."""

    status: str
    code: int | None = None
    detail: str = ""


class Mailer(Protocol):
    """Sends messages; a recipient's failure is a result, never an exception. MailServerError
    means no message can go out now (server down, wrong credentials). `send` may be called
    from up to `concurrency` threads at once."""

    @property
    def concurrency(self) -> int: ...

    def send(self, email: OutgoingEmail) -> SendResult: ...

    def close(self) -> None: ...


def is_valid_address(address: str) -> bool:
    """Whether `address` looks deliverable: ASCII local@domain.tld, at most 254 chars."""
    return (
        len(address) <= ADDRESS_MAX_CHARS
        and address.isascii()  # no SMTPUTF8 here
        and _ADDRESS.fullmatch(address) is not None
    )


def check_address(address: str) -> str:
    """The address without surrounding spaces; InputError when it does not look deliverable."""
    cleaned = address.strip()
    if not is_valid_address(cleaned):
        raise InputError(f"not an email address: {cleaned[:80]!r}")
    return cleaned


def new_message_id(sender: str, tag: str) -> str:
    """<tag.random@domain-of-sender>: unique, chosen before the first attempt (RFC 5322 3.6.4)."""
    return f"<{tag}.{secrets.token_hex(8)}@{sender_domain(sender)}>"


def sender_domain(sender: str) -> str:
    """The domain of the sender's address ("localhost" when it has none)."""
    _, at, domain = parseaddr(sender)[1].rpartition("@")
    return domain if at and domain else "localhost"


def build_message(email: OutgoingEmail, sender: str, now: datetime) -> bytes:
    """The message as sent: headers, then a multipart/alternative body of a text/plain and a
    text/html part, each UTF-8 quoted-printable. Lines end with CRLF.

    Built by hand rather than with email.message.EmailMessage: that took ~12 ms a message
    (bench/digest.py) and folds long List-Unsubscribe URLs into encoded words, which clients
    do not decode there. Header values here are single lines; URLs stay whole.
    """
    boundary = f"=_papertide_{secrets.token_hex(12)}"
    headers = [
        ("From", _address_header(sender)),
        ("To", _address_header(email.to)),
        ("Subject", _text_header(email.subject)),
        ("Date", format_datetime(now)),
        ("Message-ID", email.message_id),
        ("MIME-Version", "1.0"),
        *((name, _one_line(value)) for name, value in email.headers),
        ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
    ]
    head = "".join(f"{name}: {value}\r\n" for name, value in headers).encode("ascii")
    parts = (_part("text/plain", email.text), _part("text/html", email.html))
    separator = f"--{boundary}\r\n".encode("ascii")
    body = b"".join(separator + part + b"\r\n" for part in parts)
    return head + b"\r\n" + body + f"--{boundary}--\r\n".encode("ascii")


def _part(content_type: str, text: str) -> bytes:
    """A UTF-8 quoted-printable part; b2a_qp keeps the CRLF line ends it is given."""
    crlf = text.replace("\r\n", "\n").replace("\n", "\r\n")
    encoded = binascii.b2a_qp(crlf.encode("utf-8"), istext=True)
    return (
        f'Content-Type: {content_type}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode("ascii") + encoded


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _text_header(value: str) -> str:
    line = _one_line(value)
    return line if line.isascii() else Header(line, "utf-8").encode(linesep="\r\n")


def _address_header(value: str) -> str:
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if name else address


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """Where and how to send: host, port (0: the default of the TLS mode), TLS mode (none,
    starttls, ssl), credentials (user "" = no AUTH), sender, timeout, retries and backoff."""

    host: str
    port: int = 0
    tls: str = "starttls"
    user: str = ""
    password: str = ""
    sender: str = "papertide <digest@localhost>"
    timeout_s: float = SMTP_TIMEOUT_S
    retries: int = SMTP_RETRIES
    backoff_s: float = SMTP_BACKOFF_S

    def __post_init__(self) -> None:
        if self.tls not in TLS_MODES:
            raise InputError(f"smtp_tls must be one of {', '.join(TLS_MODES)}, not {self.tls!r}")
        if not self.host:
            raise InputError("no mail server configured: set smtp_host (see docs/settings.md)")
        if "@" not in parseaddr(self.sender)[1]:
            raise InputError(f"mail_from is not an email address: {self.sender!r}")

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.tls]


class SmtpMailer:
    """Sends through up to `connections` SMTP connections (threads may send at once), each
    opened on first use and reused; a dropped connection is reopened. Temporary failures (4xx,
    timeouts, disconnects) are retried with exponential backoff on the clock; 5xx answers and
    invalid addresses are permanent at once."""

    def __init__(
        self,
        config: SmtpConfig,
        clock: Clock,
        tls_context: ssl.SSLContext | None = None,
        connections: int = 1,
    ) -> None:
        self.config = config
        self.concurrency = max(1, connections)
        self._clock = clock
        context = tls_context or ssl.create_default_context()
        self._all = [_SmtpConnection(config, context) for _ in range(self.concurrency)]
        self._idle: queue.LifoQueue[_SmtpConnection] = queue.LifoQueue()
        for connection in self._all:
            self._idle.put(connection)

    def send(self, email: OutgoingEmail) -> SendResult:
        if not is_valid_address(email.to):
            return SendResult(PERMANENT, None, f"invalid address {email.to[:80]!r}")
        data = build_message(email, self.config.sender, self._clock.now())
        sender = parseaddr(self.config.sender)[1]
        result = SendResult(TEMPORARY)
        connection = self._idle.get()
        try:
            for attempt in range(self.config.retries + 1):
                if attempt:
                    self._clock.sleep(self.config.backoff_s * 2 ** (attempt - 1))
                last = attempt == self.config.retries
                result = connection.attempt(sender, email.to, data, last)
                if result.status != TEMPORARY:
                    return result
        finally:
            self._idle.put(connection)
        return result

    def close(self) -> None:
        """QUIT politely on every open connection (call when no send is under way)."""
        for connection in self._all:
            connection.close()


class _SmtpConnection:
    """One SMTP connection of an SmtpMailer, used by one thread at a time."""

    def __init__(self, config: SmtpConfig, tls_context: ssl.SSLContext) -> None:
        self.config = config
        self._tls_context = tls_context
        self._smtp: smtplib.SMTP | None = None

    def attempt(self, sender: str, to: str, data: bytes, last: bool) -> SendResult:
        """One try; a server that cannot be reached fails the last try with MailServerError."""
        try:
            smtp = self._connection()
        except MailLoginError:
            raise
        except MailServerError as error:
            if last:
                raise
            return SendResult(TEMPORARY, None, str(error))
        try:
            smtp.sendmail(sender, [to], data)
        except smtplib.SMTPRecipientsRefused as error:
            code, message = error.recipients.get(to, (550, b"recipient refused"))
            self._drop_if_closing(code)
            return _classified(code, message)
        except smtplib.SMTPResponseException as error:
            self._drop_if_closing(error.smtp_code)
            return _classified(error.smtp_code, error.smtp_error)
        except (smtplib.SMTPException, OSError) as error:  # disconnects, timeouts
            self._drop()
            return SendResult(TEMPORARY, None, f"{type(error).__name__}: {error}")
        return SendResult(SENT, 250)

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            self._smtp = self._open()
        return self._smtp

    def _open(self) -> smtplib.SMTP:
        config = self.config
        try:
            smtp: smtplib.SMTP
            if config.tls == "ssl":
                smtp = smtplib.SMTP_SSL(
                    config.host, config.effective_port, timeout=config.timeout_s,
                    context=self._tls_context,
                )  # fmt: skip
            else:
                smtp = smtplib.SMTP(config.host, config.effective_port, timeout=config.timeout_s)
            if config.tls == "starttls":
                smtp.starttls(context=self._tls_context)
            if config.user:
                smtp.login(config.user, config.password)
        except smtplib.SMTPAuthenticationError as error:
            smtp.close()
            raise MailLoginError(f"the mail server refused our login: {error}") from None
        except (smtplib.SMTPException, OSError) as error:
            where = f"{config.host}:{config.effective_port}"
            raise MailServerError(f"cannot reach the mail server {where}: {error}") from None
        return smtp

    def _drop_if_closing(self, code: int) -> None:
        if code == 421:  # "service not available, closing transmission channel"
            self._drop()

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


class NoMailServer:
    """The Mailer when no smtp_host is set: every send says how to configure one."""

    concurrency = 1

    def send(self, email: OutgoingEmail) -> SendResult:
        raise MailServerError(
            f"cannot email {email.to}: no mail server configured (set smtp_host, see"
            " docs/settings.md)"
        )

    def close(self) -> None:
        """Nothing to close."""


def _classified(code: int, message: bytes | str) -> SendResult:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    status = PERMANENT if 500 <= code < 600 else TEMPORARY
    return SendResult(status, code, f"{code} {text}"[:500])


@dataclass
class RecordingMailer:
    """A Mailer for tests: keeps every message; `answers` scripts results by recipient
    (a callable gets the message and returns the result; default: sent)."""

    answers: Mapping[str, SendResult] = field(default_factory=dict)
    concurrency: int = 1
    decide: Callable[[OutgoingEmail], SendResult | None] | None = None
    sent: list[OutgoingEmail] = field(default_factory=list)
    attempts: list[OutgoingEmail] = field(default_factory=list)
    closed: bool = False

    def send(self, email: OutgoingEmail) -> SendResult:
        self.attempts.append(email)
        result = self.decide(email) if self.decide else None
        result = result or self.answers.get(email.to, SendResult(SENT, 250))
        if result.status == SENT:
            self.sent.append(email)
        return result

    def to(self, address: str) -> list[OutgoingEmail]:
        """The messages sent to `address`, oldest first."""
        return [email for email in self.sent if email.to == address]

    def close(self) -> None:
        self.closed = True
