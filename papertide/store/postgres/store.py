"""PostgresStore: the server engine (PostgreSQL >= 15 with pgvector >= 0.7) behind the same
Store protocol as SqliteStore. Its parts live in the modules beside this one, one per side of the
protocol; this class only puts them together.

Every method runs in its own transaction on a pooled connection, so one store serves many
threads; paper writes queue on an advisory lock, as SQLite's single writer does.
"""

from __future__ import annotations

from papertide.store.postgres.accounts import PgAccounts
from papertide.store.postgres.admin import PgAdmin
from papertide.store.postgres.admin_views import PgAdminViews
from papertide.store.postgres.browse import PgBrowse
from papertide.store.postgres.claims import PgClaims
from papertide.store.postgres.community import PgCommunity
from papertide.store.postgres.digest import PgDigests
from papertide.store.postgres.discussions import PgDiscussions
from papertide.store.postgres.extras import PgExtras
from papertide.store.postgres.feedback import PgFeedback
from papertide.store.postgres.orgs import PgOrgs
from papertide.store.postgres.papers import PgPapers
from papertide.store.postgres.replies import PgReplyEmails
from papertide.store.postgres.sentences import PgSentences
from papertide.store.postgres.summaries import PgSummaryTasks
from papertide.store.postgres.sync import PgSync
from papertide.store.postgres.transfer import PgTransfer
from papertide.store.postgres.vectors import PgVectors


class PostgresStore(
    PgPapers,
    PgVectors,
    PgAccounts,
    PgAdmin,
    PgCommunity,
    PgBrowse,
    PgTransfer,
    PgDigests,
    PgSync,
    PgDiscussions,
    PgExtras,
    PgSummaryTasks,
    PgAdminViews,
    PgOrgs,
    PgClaims,
    PgSentences,
    PgReplyEmails,
    PgFeedback,
):
    """A papertide store in a PostgreSQL database, opened from a postgresql:// URL."""
