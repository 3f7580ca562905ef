"""SummaryStore on both engines: upsert by (paper, source), batched reads, hashes by source."""

from __future__ import annotations

from papertide.models import PaperSummary


def test_put_summaries_upserts_by_paper_and_source_and_reads_them_batched(store):
    hf = PaperSummary("2501.00001", "huggingface", "HF says: <b>fast</b>.", ("attention", "LLM"))
    ours = PaperSummary("2501.00001", "papertide", None, ("sparse attention",), "h1")
    other = PaperSummary("2501.00002", "papertide", "Ours 2.", ("vision",), "h2")
    store.put_summaries([hf, ours, other])
    changed = PaperSummary("2501.00001", "papertide", "Now a sentence.", ("kw", "Ünïcode"), "h3")
    store.put_summaries([changed])

    found = store.summaries_for(["2501.00001", "2501.00002", "2501.99999"])

    assert found == {"2501.00001": [hf, changed], "2501.00002": [other]}
    assert store.summaries_for([]) == {}
    assert store.summary_hashes("papertide") == {"2501.00001": "h3", "2501.00002": "h2"}
    assert store.summary_hashes("huggingface") == {"2501.00001": ""}


def test_summaries_survive_an_export_and_import_of_their_table(store):
    summary = PaperSummary("2501.00003", "huggingface", "TL;DR.", ("a", "b"), "h")
    store.put_summaries([summary])

    rows = store.export_rows("paper_summaries", None, 10)

    assert rows == [("2501.00003", "huggingface", "TL;DR.", ["a", "b"], "h")]
    assert store.import_rows("paper_summaries", rows) == 0


def test_a_paper_org_is_made_once_by_slug_and_read_batched(store):
    first = store.set_paper_org("2501.00001", "acme-ai", "ACME AI", "huggingface")
    again = store.set_paper_org("2501.00002", "acme-ai", "Another spelling", "curator:ann")
    store.set_paper_org("2501.00001", "acme-ai", "ACME AI", "curator:ann")
    store.set_paper_org("2501.00001", "beta", "<script>x</script>", "curator:ann")

    found = store.orgs_for(["2501.00001", "2501.00002", "2501.00003"])

    assert again == first and first.name == "ACME AI"
    assert [org.slug for org in found["2501.00001"]] == ["acme-ai", "beta"]
    assert found["2501.00002"] == [first] and "2501.00003" not in found
    assert len(store.export_rows("paper_orgs", None, 10)) == 3


def test_media_are_replaced_whole_and_read_in_order(store):
    store.put_media("2501.00001", ["https://x.org/1.png", "https://x.org/2.mp4"])
    store.put_media("2501.00001", ["https://x.org/3.png"])
    store.put_media("2501.00002", ["https://x.org/4.png", "https://x.org/5.png"])

    assert store.media_for(["2501.00001", "2501.00002"]) == {
        "2501.00001": ["https://x.org/3.png"],
        "2501.00002": ["https://x.org/4.png", "https://x.org/5.png"],
    }
    assert store.media_for([]) == {}
