"""build_community and build_accounts from wiring: a submitted paper is fetched over real HTTP
from a loopback server replaying a recorded arXiv API answer."""

from __future__ import annotations

from pathlib import Path

from papertide.community.accounts import AccountService
from papertide.community.submissions import LISTED
from papertide.config import Settings
from papertide.sources.files import read_bytes
from papertide.wiring import build_accounts, build_community
from tests.integration.community.conftest import finished
from tests.replay_server import Reply, replay_server

RECORDED = Path(__file__).parents[2] / "data" / "arxiv_api" / "2026_id_1605.08386.xml"


def test_build_community_submit_fetches_the_paper_from_the_arxiv_api(store, clock):
    user = store.create_user("ada", None, "not a real hash")
    with replay_server() as server:
        server.add("/api/query", Reply(read_bytes(RECORDED)), id_list="1605.08386")
        settings = Settings(db=store.path, arxiv_api_url=f"{server.url}/api/query")
        community = build_community(settings, store, clock)
        assert finished(community, user, "https://arxiv.org/abs/1605.08386").state == LISTED
        assert [r.query["id_list"] for r in server.requests] == ["1605.08386"]
    paper = store.get_paper("1605.08386")
    assert paper is not None and paper.title == "Heat-bath random walks with Markov bases"
    [(listing, _)] = store.listings_for(clock.now().date())
    assert (listing.paper_id, listing.submitted_by) == ("1605.08386", "ada")


def test_build_accounts_gives_an_account_service(store, clock):
    assert isinstance(build_accounts(store, clock), AccountService)
