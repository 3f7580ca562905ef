"""SqliteStore: the embedded default engine (one file, WAL). Its parts live in the modules
beside this one, one per side of the Store protocol; this class only puts them together.

Each thread gets its own connection, and writes go one at a time (BEGIN IMMEDIATE), see
connection.py.
"""

from __future__ import annotations

from papertide.store.sqlite.accounts import SqliteAccounts
from papertide.store.sqlite.admin import SqliteAdmin
from papertide.store.sqlite.admin_views import SqliteAdminViews
from papertide.store.sqlite.browse import SqliteBrowse
from papertide.store.sqlite.claims import SqliteClaims
from papertide.store.sqlite.community import SqliteCommunity
from papertide.store.sqlite.digest import SqliteDigests
from papertide.store.sqlite.discussions import SqliteDiscussions
from papertide.store.sqlite.extras import SqliteExtras
from papertide.store.sqlite.feedback import SqliteFeedback
from papertide.store.sqlite.orgs import SqliteOrgs
from papertide.store.sqlite.papers import SqlitePapers
from papertide.store.sqlite.replies import SqliteReplyEmails
from papertide.store.sqlite.sentences import SqliteSentences
from papertide.store.sqlite.summaries import SqliteSummaryTasks
from papertide.store.sqlite.sync import SqliteSync
from papertide.store.sqlite.transfer import SqliteTransfer
from papertide.store.sqlite.vectors import SqliteVectors


class SqliteStore(
    SqlitePapers,
    SqliteVectors,
    SqliteAccounts,
    SqliteAdmin,
    SqliteCommunity,
    SqliteBrowse,
    SqliteTransfer,
    SqliteDigests,
    SqliteSync,
    SqliteDiscussions,
    SqliteExtras,
    SqliteSummaryTasks,
    SqliteAdminViews,
    SqliteOrgs,
    SqliteClaims,
    SqliteSentences,
    SqliteReplyEmails,
    SqliteFeedback,
):
    """A papertide store in one SQLite file (or ":memory:")."""
