"""The browser tests' database: a few papers (LaTeX titles, a hostile <script> title) listed
today by the real clock and on earlier days, and accounts made beforehand, one per flow."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from papertide.clock import SystemClock
from papertide.community.accounts import AccountService
from papertide.models import Listing, Paper, PaperExtras, PaperSummary, Record
from papertide.store.sqlite import SqliteStore

PASSWORD = "correct horse battery staple"
USERS = (
    "voter",
    "commenter",
    "submitter",
    "follower",
    "watcher",
    "photographer",
    "asker",
    "answerer",
    "keyworder",
    "orgfan",
    "claimant",
)
LATEX_ID = "2511.00011"
LATEX_TITLE = r"Attention in $\mathcal{O}(n \log n)$ with $\alpha$-entmax"
HOSTILE_ID = "2511.00012"
HOSTILE_TITLE = "<script>alert('xss-title')</script> Robust $\\beta$-VAE training & more"
RETRIEVAL_ID = "2511.00013"
RETRIEVAL_TITLE = "Contrastive retrieval for scientific papers"
SPARSE_ID = "2511.00014"
GRAPH_ID = "2511.00015"
GRAPH_TITLE = "Graph neural networks for molecules"
GRAPH_ORG = "Molecule Lab"  # imported with the graph paper's listing, as Hugging Face gives it
OLD_ID = "2511.00016"
VOTE_ID = RETRIEVAL_ID  # the paper the upvote flow clicks
VOTE_IMPORTED = 7
SUBMIT_ID = (
    "1605.08386"  # not stored: submitting it fetches tests/data/arxiv_api/2026_id_1605.08386.xml
)
SUBMIT_TITLE = "Heat-bath random walks with Markov bases"
AUTHOR = "Grace Hopper"
CATEGORY = "cs.IR"
SEARCH_WORD = "contrastive"
# Hugging Face's summary of LATEX_ID (the others get ours from `papertide index`), its org, media
LATEX_TLDR = r"Entmax attention runs in $O(n \log n)$ time and keeps the accuracy of softmax."
LATEX_KEYWORDS = (
    "alpha-entmax",
    "sparse attention",
    "long documents",
    "efficient transformers",
    "softmax",
    "sub-quadratic attention with a long keyword",
    "bound",
)
HOSTILE_TLDR = "<script>alert('xss-tldr')</script> </Think> & $x<y$"
HOSTILE_KEYWORDS = ("<script>alert('xss-kw')</script>", "</Think>", "R&D")
HOSTILE_ORG = "<script>alert('xss-org')</script> Lab & Co"


def paper(paper_id: str, title: str, abstract: str, **extra: object) -> Paper:
    values: dict[str, object] = {
        "authors": ("Ada Lovelace", "Alan Turing"),
        "categories": ("cs.CL", "cs.LG"),
        "published": datetime(2025, 11, 3, 9, 0, tzinfo=UTC),
        **extra,
    }
    return Paper(paper_id, title, abstract, **values)  # type: ignore[arg-type]


def records(today: date) -> list[Record]:
    """Four papers on today's list, one yesterday, one three days ago."""
    noon = datetime.combine(today, time(12, 0), UTC)
    papers = [
        paper(LATEX_ID, LATEX_TITLE, r"We bound the cost by $O(n \log n)$ and show $x^2 \ge 0$."),
        paper(
            HOSTILE_ID,
            HOSTILE_TITLE,
            "An abstract with <img src=x onerror=alert('xss-abstract')> markup & entities.",
        ),
        paper(
            RETRIEVAL_ID,
            RETRIEVAL_TITLE,
            "Contrastive learning of dense retrievers finds related scientific papers.",
            authors=(AUTHOR, "Ada Lovelace"),
            categories=(CATEGORY, "cs.CL"),
        ),
        paper(SPARSE_ID, "Sparse transformers on long documents", "Sparse attention for books."),
    ]
    today_list = [
        Record(p, Listing(today, p.id, n, None, None, upvotes=10 - n)) for n, p in enumerate(papers)
    ]
    today_list[2] = Record(
        papers[2], Listing(today, RETRIEVAL_ID, 2, "curator", noon, VOTE_IMPORTED)
    )
    graph = paper(GRAPH_ID, GRAPH_TITLE, "Message passing predicts molecular properties.")
    old = paper(OLD_ID, "Diffusion models for protein design", "Denoising diffusion for proteins.")
    return [
        *today_list,
        Record(
            graph,
            Listing(today - timedelta(days=1), GRAPH_ID, 0, None, None, upvotes=3),
            PaperExtras(org_name=GRAPH_ORG, org_slug="molecule-lab"),
        ),
        Record(old, Listing(today - timedelta(days=3), OLD_ID, 0, None, None, upvotes=1)),
    ]


def build_world(db: Path, today: date) -> None:
    """The database at `db`: migrated, the papers and listings written, USERS signed up."""
    clock = SystemClock()
    store = SqliteStore(db, clock)
    try:
        store.migrate()
        store.write_batch(records(today), [])
        store.put_summaries(
            [
                PaperSummary(LATEX_ID, "huggingface", LATEX_TLDR, LATEX_KEYWORDS),
                PaperSummary(HOSTILE_ID, "huggingface", HOSTILE_TLDR, HOSTILE_KEYWORDS),
            ]
        )
        store.set_paper_org(LATEX_ID, "entmax-lab", "Entmax Lab", "huggingface")
        store.set_paper_org(HOSTILE_ID, "hostile-lab", HOSTILE_ORG, "huggingface")
        store.put_media(LATEX_ID, ["https://example.org/entmax.mp4"])
        accounts = AccountService(store, clock)
        accounts.sign_up("curator", PASSWORD)  # the first account is the admin: keep flows plain
        for name in USERS:
            accounts.sign_up(name, PASSWORD)
    finally:
        store.close()
