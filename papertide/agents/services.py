"""What the agent tools are given: the services they call, built once in wiring.py. No logic."""

from __future__ import annotations

from dataclasses import dataclass

from papertide.rank.listings import ListingsService
from papertide.search.service import SearchService
from papertide.store.base import Store


@dataclass(frozen=True, slots=True)
class AgentServices:
    store: Store
    search: SearchService
    listings: ListingsService
