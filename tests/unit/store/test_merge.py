import hashlib
import json
from datetime import UTC, datetime

from papertide.models import Link, Paper, Record, Version
from papertide.store.codec import paper_to_json, sorted_json_text
from papertide.store.merge import combine_records, content_hash, merge_papers, merge_versions

T1 = datetime(2025, 1, 2, tzinfo=UTC)
T2 = datetime(2025, 2, 3, tzinfo=UTC)


def paper(**fields: object) -> Paper:
    base: dict[str, object] = {"id": "2501.01234", "title": "Title", "abstract": "Abstract"}
    return Paper(**{**base, **fields})  # type: ignore[arg-type]


def test_merge_newer_version_wins_and_keeps_what_it_lacks():
    stored = paper(
        version=1, journal_ref="J. Foo", categories=("cs.CL",), versions=(Version(1, T1),)
    )
    incoming = paper(version=2, title="New", versions=(Version(2, T2),))
    merged = merge_papers(stored, incoming)
    assert merged.title == "New"
    assert merged.version == 2
    assert merged.journal_ref == "J. Foo"
    assert merged.categories == ("cs.CL",)
    assert merged.versions == (Version(1, T1), Version(2, T2))


def test_merge_older_version_only_fills_gaps():
    stored = paper(version=3, title="Latest")
    incoming = paper(version=1, title="Old", doi="10.1/x")
    merged = merge_papers(stored, incoming)
    assert (merged.title, merged.version, merged.doi) == ("Latest", 3, "10.1/x")


def test_merge_record_without_version_does_not_override_a_versioned_one():
    stored = paper(version=1, title="arXiv title")
    merged = merge_papers(stored, paper(title="HF title", comment="from HF"))
    assert (merged.title, merged.comment, merged.version) == ("arXiv title", "from HF", 1)


def test_merge_same_version_needs_a_later_update_time_to_override():
    stored = paper(version=2, title="first", updated=T1)
    assert merge_papers(stored, paper(version=2, title="second", updated=T2)).title == "second"
    assert merge_papers(stored, paper(version=2, title="second")).title == "first"
    assert merge_papers(paper(title="old"), paper(title="new")).title == "old"


def test_merge_of_two_disagreeing_sources_converges():
    arxiv = paper(title="A title", authors=("A",), categories=("cs.CL",))
    hf = paper(title="A Title!", comment="HF", links=(Link("project", "https://p.org"),))
    once = merge_papers(merge_papers(arxiv, hf), arxiv)
    assert merge_papers(merge_papers(once, hf), arxiv) == once


def test_merge_is_idempotent():
    stored = paper(version=2, links=(Link("code", "https://github.com/a/b"),))
    incoming = paper(version=2, comment="10 pages", links=(Link("project", "https://p.org"),))
    once = merge_papers(stored, incoming)
    assert merge_papers(once, incoming) == once
    assert content_hash(merge_papers(once, incoming)) == content_hash(once)


def test_merge_keeps_earliest_published_and_latest_updated():
    merged = merge_papers(paper(published=T2, updated=T1), paper(published=T1, updated=T2))
    assert (merged.published, merged.updated) == (T1, T2)


def test_merge_versions_fills_missing_dates():
    merged = merge_versions((Version(1), Version(2, None, "5kb")), (Version(1, T1),))
    assert merged == (Version(1, T1), Version(2, None, "5kb"))


def test_content_hash_changes_with_any_field():
    assert content_hash(paper()) != content_hash(paper(comment="x"))
    assert content_hash(paper()) == content_hash(paper())


def test_combine_records_reuses_a_given_hash_only_for_an_unmerged_paper():
    alone = paper(id="2501.00001")
    first = paper(id="2501.00002", version=1, versions=(Version(1),))
    again = paper(id="2501.00002", version=2, versions=(Version(2),))
    records = [
        Record(alone, content_hash="given-by-the-parser"),
        Record(first, content_hash=content_hash(first)),
        Record(again, content_hash=content_hash(again)),
        Record(paper(id="2501.00003")),  # no hash given: computed
    ]
    combined, hashes = combine_records(records)
    assert hashes["2501.00001"] == "given-by-the-parser"
    merged = combined["2501.00002"]
    assert merged.versions == (Version(1), Version(2))
    assert hashes["2501.00002"] == content_hash(merged) != content_hash(again)
    assert hashes["2501.00003"] == content_hash(paper(id="2501.00003"))


HASHED = [
    paper(),
    paper(
        version=3,
        authors=("Ada Lovelace", 'Zoë "Q" Ng', "Back\\slash"),
        categories=("cs.CL", "cs.LG"),
        versions=(Version(1, T1, "12kb"), Version(2), Version(3, T2)),
        comment="12 pages\ttabbed \u2028 separated \x1f",
        journal_ref="J. Foo 1 (2025)",
        doi="10.1/x",
        license="http://creativecommons.org/licenses/by/4.0/",
        published=T1,
        updated=datetime(2025, 2, 3, 4, 5, 6, 789, tzinfo=UTC),
        links=(Link("code", "https://github.com/a/b"), Link("project", "https://x.org/ü")),
        abstract="Line one.\n\nLine two with emoji \U0001f600 and </script>",
    ),
    paper(id="pt-0123456789abcdef", title="Ünïcödé", authors=(), versions=(Version(1),)),
]


def test_content_hash_is_of_the_sorted_json_of_the_stored_form():
    """Hashes stored by earlier releases stay valid: the text hashed is exactly json.dumps of
    paper_to_json with sorted keys, which content_hash once called."""
    for one in HASHED:
        text = json.dumps(paper_to_json(one), sort_keys=True, ensure_ascii=False)
        assert sorted_json_text(one) == text
        assert content_hash(one) == hashlib.sha256(text.encode()).hexdigest()[:32]
