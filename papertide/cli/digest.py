"""`digest`: send the due digests (for cron), preview one, and subscribe or unsubscribe
addresses as an admin. Each command builds the DigestService via wiring and calls it once."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from papertide.cli.common import db_option, json_option, open_store, print_json, settings_for
from papertide.clock import SystemClock
from papertide.digest.send import NoMailServer, OutgoingEmail, build_message
from papertide.digest.service import SendReport
from papertide.errors import InputError
from papertide.store.digest_base import CADENCES, CONTENTS, Shard
from papertide.wiring import build_digests


@click.group()
def digest() -> None:
    """Email digests: send the due ones, preview one, manage subscriptions.

    Mail goes through the SMTP server of the smtp_* settings; links point at base_url
    (docs/digest.md).
    """


@digest.command("send")
@click.option("--dry-run", is_flag=True, help="Compose and render, but claim and send nothing.")
@click.option("--shard", default="0/1", show_default=True, metavar="I/N",
              help="Only subscriptions with id % N == I (run N senders side by side).")  # fmt: skip
@db_option
@json_option
def send(dry_run: bool, shard: str, db: str | None, as_json: bool) -> None:
    """Send every digest that is due now, each subscriber's once per period, then the reply
    emails of users who asked for them (batched, at most one per reply_email_interval_min).

    Safe to re-run at any time, also after a crash or kill: digests already sent are not sent
    again, and a digest whose sending was interrupted is re-sent with the same Message-ID.
    """
    settings = settings_for(db)
    with open_store(db) as store:
        clock = SystemClock()
        mailer = NoMailServer() if dry_run else None
        service = build_digests(settings, store, clock, mailer)
        report = service.send_due(dry_run=dry_run, shard=parse_shard(shard))
    if as_json:
        print_json(dataclasses.asdict(report))
        return
    parts = [f"{value:,} {name.replace('_', ' ')}" for name, value in _fields(report)]
    click.echo(("Dry run: " if dry_run else "Digests: ") + ", ".join(parts))


@digest.command("preview")
@click.argument("email")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write FILE: .html the HTML part, .eml the message, else text.")  # fmt: skip
@db_option
def preview(email: str, out: Path | None, db: str | None) -> None:
    """Show the digest EMAIL's subscription would get now (nothing is sent or recorded)."""
    settings = settings_for(db)
    with open_store(db) as store:
        clock = SystemClock()
        service = build_digests(settings, store, clock, NoMailServer())
        found, rendered = service.preview(email)
    if out is None:
        click.echo(f"Subject: {rendered.subject}\n\n{rendered.text}")
        return
    if out.suffix == ".html":
        out.write_text(rendered.html)
    elif out.suffix == ".eml":
        message = OutgoingEmail(
            found.subscription.email, rendered.subject, rendered.text, rendered.html, "<preview>"
        )
        out.write_bytes(build_message(message, settings.mail_from, clock.now()))
    else:
        out.write_text(f"Subject: {rendered.subject}\n\n{rendered.text}")
    click.echo(f"Wrote {out} ({len(found.entries)} papers)", err=True)


@digest.command("subscribe")
@click.argument("email")
@click.option("--cadence", type=click.Choice(CADENCES), default="daily", show_default=True,
              help="daily (weekdays) or weekly.")  # fmt: skip
@click.option("--content", type=click.Choice(CONTENTS), default="both", show_default=True,
              help="Trending papers, personal recommendations, or both.")  # fmt: skip
@click.option("--confirmed", is_flag=True,
              help="Skip the confirmation email (its owner agreed elsewhere).")  # fmt: skip
@db_option
def subscribe(email: str, cadence: str, content: str, confirmed: bool, db: str | None) -> None:
    """Subscribe EMAIL; it gets a confirmation email unless --confirmed."""
    settings = settings_for(db)
    with open_store(db) as store:
        clock = SystemClock()
        mailer = NoMailServer() if confirmed else None
        service = build_digests(settings, store, clock, mailer)
        sub = service.subscribe(email, cadence, content, confirmed=confirmed)
    click.echo(f"{sub.email}: {sub.state} ({sub.cadence}, {sub.content})")


@digest.command("unsubscribe")
@click.argument("email")
@db_option
def unsubscribe(email: str, db: str | None) -> None:
    """Stop sending digests to EMAIL."""
    with open_store(db) as store:
        sub = store.subscription_for_email(email.strip())
        if sub is None:
            raise InputError(f"no subscription for {email.strip()!r}")
        ended = store.end_subscription(sub.id) or sub
    click.echo(f"{ended.email}: {ended.state}")


def parse_shard(text: str) -> Shard:
    """ "i/n" -> (i, n); InputError unless 0 <= i < n."""
    index, _, count = text.partition("/")
    try:
        shard = (int(index), int(count))
    except ValueError:
        raise InputError(f"--shard must be I/N such as 0/4, not {text!r}") from None
    if shard[1] < 1 or not 0 <= shard[0] < shard[1]:
        raise InputError(f"--shard must be I/N with 0 <= I < N, not {text!r}")
    return shard


def _fields(report: SendReport) -> list[tuple[str, int]]:
    """The counts to print: `sent` (or `would send`) always, the others when not zero."""
    always = "would_send" if report.would_send else "sent"
    counts = [(f.name, int(getattr(report, f.name))) for f in dataclasses.fields(report)]
    return [(name, value) for name, value in counts if value or name == always]
