"""Digests for the render and send tests: papers with markup, LaTeX and non-ASCII text."""

from datetime import UTC, date, datetime

from papertide.clock import FixedClock
from papertide.digest.compose import PERSONAL, TRENDING, Digest, DigestEntry, Period
from papertide.digest.render import DigestLinks
from papertide.digest.tokens import DigestTokens
from papertide.models import Paper
from papertide.store.digest_base import Subscription

NOW = datetime(2026, 1, 6, 7, tzinfo=UTC)
EVIL_TITLE = 'Attacks <script>alert("x")</script> & $\\mathcal{O}(n^2)$ bounds'
PERIOD = Period("daily", "2026-01-06", date(2026, 1, 5), date(2026, 1, 5))


def subscription(content: str = "both") -> Subscription:
    return Subscription(7, "ada@example.org", None, "daily", content, NOW, confirmed_at=NOW)


def papers() -> list[Paper]:
    return [
        Paper(
            id="2601.00001",
            title=EVIL_TITLE,
            abstract=(
                "We show that <b>bold</b> claims hold for $x_i \\le y$.\nSecond line, naïve café."
            ),
            authors=("Ada Lovelace", "Émile Borel", "C", "D", "E"),
            categories=("cs.LG",),
        ),
        Paper(id="hep-th/9901001", title="Old style id", abstract="Strings. " * 100),
    ]


def digest(content: str = "both", personalised: bool = True) -> Digest:
    first, second = papers()
    entries = (
        DigestEntry(first, PERSONAL, 0.9, ("like “Attention is all you need”",)),
        DigestEntry(second, TRENDING, 3.0, ("trending: 12 upvotes",)),
    )
    return Digest(subscription(content), PERIOD, entries, personalised)


def links() -> DigestLinks:
    return DigestLinks("https://papers.example.org/", DigestTokens(b"k" * 32, FixedClock(NOW)), 7)
