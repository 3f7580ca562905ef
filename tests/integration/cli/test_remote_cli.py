"""The remote ingest commands end to end: the real CLI process against a loopback server."""

import json

from papertide.sources.files import read_bytes
from tests.replay_server import Reply, replay_server

DATA = "tests/data"
FAST = {"arxiv_delay_s": "0", "http_retries": "0"}


def reply(path: str) -> Reply:
    return Reply(read_bytes(f"{DATA}/{path}"), headers={"Content-Type": "text/xml"})


def test_ingest_arxiv_by_ids(cli):
    with replay_server() as server:
        server.add("/api/query", reply("arxiv_api/2026_id_1605.08386.xml"), id_list="1605.08386")
        url = server.url + "/api/query"
        result = cli("ingest", "arxiv", "--id", "arXiv:1605.08386", "--url", url, **FAST)
    assert result.returncode == 0, result.stderr
    assert "1 new" in result.stdout
    shown = json.loads(cli("show", "1605.08386", "--json").stdout)
    assert shown["title"].startswith("Heat-bath random walks with Markov bases")


def test_interrupted_oai_harvest_resumes_from_its_token(cli):
    p1, p2 = reply("oai/listrecords_arXivRaw_p1.xml"), reply("oai/listrecords_arXivRaw_p2.xml")
    token = "6960524|1001"
    with replay_server() as server:
        server.add("/oai", Reply(b"down", status=500), resumptionToken=token)
        server.add("/oai", p1, metadataPrefix="arXivRaw")
        args = ("ingest", "oai", "--prefix", "arXivRaw", "--url", server.url + "/oai")
        first = cli(*args, **FAST)
        assert first.returncode == 1
        assert "HTTP 500" in first.stderr and "Traceback" not in first.stderr
        assert "3 new" in first.stdout  # the first page was kept
        server.routes.clear()
        server.requests.clear()
        server.add("/oai", p2, resumptionToken=token)
        second = cli(*args, **FAST)
        assert [r.query for r in server.requests] == [
            {"verb": "ListRecords", "resumptionToken": token}
        ]
    assert second.returncode == 0, second.stderr
    assert "2 new" in second.stdout
    assert json.loads(cli("stats", "--json").stdout)["papers"] == 5
    versions = json.loads(cli("show", "0901.2279", "--json").stdout)["versions"]
    assert [v["version"] for v in versions] == [1, 2, 3]


def test_ingest_hf_daily_from_the_api(cli):
    with replay_server() as server:
        server.add("/api/daily_papers", Reply(read_bytes(f"{DATA}/hf/2026-08-21.json.gz")))
        result = cli(
            "ingest", "hf-daily", "--date", "2026-08-21",
            "--url", server.url + "/api/daily_papers", **FAST,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "17 new" in result.stdout and "listings 17 new" in result.stdout
    daily = json.loads(cli("daily", "--json").stdout)
    assert [row["position"] for row in daily] == list(range(17))
    assert daily[0]["id"] == "2608.19880"
