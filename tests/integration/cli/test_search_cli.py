"""index, search and similar through the real CLI process."""

import json
import re

GOLDEN = "tests/data/golden/papers.jsonl"


def test_index_then_search_and_similar(cli, tmp_path):
    assert cli("ingest", "jsonl", GOLDEN).returncode == 0
    first = cli("index")
    assert first.returncode == 0, first.stderr
    assert "lexical index rebuilt: 50 papers added" in first.stdout
    assert "50 embedded" in first.stdout
    assert "summaries: 50 papers given a TL;DR and keywords" in first.stdout
    again = cli("index")
    assert "0 embedded, 0 unchanged text" in again.stdout
    assert "summaries: 0 papers given a TL;DR and keywords" in again.stdout
    assert (tmp_path / "cli.db.lexical").is_dir()

    hits = json.loads(cli("search", "wind power forecasting", "--json", "--limit", "3").stdout)
    assert hits[0]["id"] == "2507.00105"
    assert {"id", "title", "score", "reasons", "snippet", "parts"} <= set(hits[0])
    assert hits[0]["reasons"]

    text = cli("search", 'graph author:"Zhang" -wind').stdout
    assert text.splitlines()[0].endswith("results for any of graph; without wind; by Zhang")
    nothing = cli("search", "qwxzv plorkt")  # no embedding neighbours passed off as hits (#12)
    assert nothing.returncode == 0
    assert nothing.stdout == "No paper matches any of qwxzv, plorkt\n"

    similar = json.loads(cli("similar", "2601.22777", "--json").stdout)
    assert similar and "2601.22777" not in [h["id"] for h in similar]

    assert re.search(r"sentence vectors \(.+\): 50 papers", first.stdout)
    assert re.search(r"sentence vectors \(.+\): 0 papers", again.stdout)
    faceted = json.loads(cli("similar", "2601.22777", "--facet", "result", "--json").stdout)
    assert faceted and "2601.22777" not in [h["id"] for h in faceted]
    assert any("facet" in hit["parts"] for hit in faceted)
    for facet in ("method", "background"):  # not offered (FACET_WEIGHTS)
        refused = cli("similar", "2601.22777", "--facet", facet)
        assert refused.returncode == 2 and f"'{facet}' is not 'result'" in refused.stderr
    several = cli("similar", "2601.22777", "2601.16618", "--facet", "result")
    assert several.returncode == 2 and "--facet takes one paper" in several.stderr


def test_search_odd_input_and_unknown_paper(cli):
    cli("ingest", "jsonl", GOLDEN)
    quote = cli("search", 'unbalanced "quote')
    assert quote.returncode == 0
    assert "note: unbalanced quote" in quote.stderr
    field = cli("search", "foo:bar baz")
    assert field.returncode == 0 and "unknown field foo" in field.stderr
    missing = cli("similar", "2601.99999")
    assert missing.returncode == 1
    assert missing.stderr.strip() == "Error: no paper 2601.99999 in the store"
