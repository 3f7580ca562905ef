import email
from email import policy
from email.message import EmailMessage

import pytest

from papertide.digest.send import (
    PERMANENT,
    SENT,
    OutgoingEmail,
    RecordingMailer,
    SendResult,
    SmtpConfig,
    build_message,
    check_address,
    is_valid_address,
    new_message_id,
)
from papertide.errors import InputError
from tests.unit.digest.samples import NOW

UNSUBSCRIBE_URL = "https://papers.example.org/digest/unsubscribe?token=" + "x" * 120


def outgoing(to: str = "ada@example.org") -> OutgoingEmail:
    return OutgoingEmail(
        to=to,
        subject="papertide: 2 papers for you, Fri 2 \N{EN DASH} Sun 4 Jan",
        text="Naïve café $\\mathcal{O}(n)$\n" + "a long line " * 20 + "\n.\nlast",
        html="<p>Naïve café</p>\n<p>" + "x" * 300 + "</p>",
        message_id="<2026-01-05.7.abc@example.org>",
        headers=(
            ("List-Unsubscribe", f"<{UNSUBSCRIBE_URL}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ),
    )


def parsed(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_build_message_is_multipart_alternative_with_text_then_html():
    message = parsed(build_message(outgoing(), "papertide <digest@example.org>", NOW))
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert parts[0].get_content().replace("\r\n", "\n") == outgoing().text
    assert parts[1].get_content().startswith("<p>Naïve café</p>")


def test_build_message_headers_stay_whole_and_decode():
    data = build_message(outgoing(), "papertide <digest@example.org>", NOW)
    message = parsed(data)
    assert message["List-Unsubscribe"] == f"<{UNSUBSCRIBE_URL}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Subject"] == outgoing().subject
    assert message["Message-ID"] == "<2026-01-05.7.abc@example.org>"
    assert message["From"].addresses[0].addr_spec == "digest@example.org"
    assert message["Date"].datetime == NOW
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_new_message_id_uses_the_sender_domain_and_is_unique():
    first = new_message_id("papertide <digest@example.org>", "2026-W02.7")
    assert first.startswith("<2026-W02.7.") and first.endswith("@example.org>")
    assert first != new_message_id("papertide <digest@example.org>", "2026-W02.7")
    assert new_message_id("nobody", "x").endswith("@localhost>")


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("ada@example.org", True),
        ("a.b+tag@sub.example.co.uk", True),
        ("no-at-sign", False),
        ("two@@example.org", False),
        ("space in@example.org", False),
        ("ada@localhost", False),
        ("ünï@example.org", False),
        ("a" * 250 + "@example.org", False),
    ],
)
def test_is_valid_address(address: str, valid: bool):
    assert is_valid_address(address) is valid


def test_check_address_strips_and_refuses():
    assert check_address("  ada@example.org ") == "ada@example.org"
    with pytest.raises(InputError, match="not an email address"):
        check_address("nope")


def test_smtp_config_checks_its_settings():
    assert SmtpConfig("mail.example.org", tls="ssl").effective_port == 465
    assert SmtpConfig("mail.example.org", port=2525).effective_port == 2525
    with pytest.raises(InputError, match="smtp_tls"):
        SmtpConfig("mail.example.org", tls="tls")
    with pytest.raises(InputError, match="smtp_host"):
        SmtpConfig("")
    with pytest.raises(InputError, match="mail_from"):
        SmtpConfig("mail.example.org", sender="papertide")


def test_recording_mailer_records_and_scripts_answers():
    bounce = SendResult(PERMANENT, 550, "no such user")
    mailer = RecordingMailer(answers={"gone@example.org": bounce})
    assert mailer.send(outgoing()).status == SENT
    assert mailer.send(outgoing("gone@example.org")) == bounce
    assert [m.to for m in mailer.sent] == ["ada@example.org"]
    assert len(mailer.attempts) == 2
    assert mailer.to("ada@example.org") == [outgoing()]
    mailer.close()
    assert mailer.closed
