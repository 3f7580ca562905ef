"""What the web tier is given: every service it calls, built once in wiring.py. No logic here."""

from __future__ import annotations

from dataclasses import dataclass

from papertide.clock import Clock
from papertide.community.accounts import AccountService
from papertide.community.actions import CommunityService
from papertide.community.admin import AdminService
from papertide.community.claims import ClaimService
from papertide.config import Settings
from papertide.digest.service import DigestService
from papertide.index.thumbnails import Thumbnails
from papertide.rank.listings import ListingsService
from papertide.search.service import SearchService
from papertide.store.base import Store


@dataclass(frozen=True)
class WebServices:
    settings: Settings
    store: Store
    search: SearchService
    accounts: AccountService
    community: CommunityService
    listings: ListingsService
    admin: AdminService
    claims: ClaimService
    digests: DigestService
    clock: Clock
    secret_key: bytes
    thumbnails: Thumbnails | None = None  # None: an in-memory store keeps no files
