"""Our TL;DRs and keywords against Hugging Face's own on a small fixed sample of the Daily Papers
archive's test half: ours beat every baseline, above floors set below the full run's figures
(BENCHMARKS.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from papertide.eval.summaries import (
    FIRST,
    OURS,
    RANDOM,
    TFIDF,
    SummaryReport,
    evaluate_summaries,
    load_reference,
)
from papertide.index.static import StaticEmbedder

SAMPLE = 400  # the newest papers by arXiv id (all have both fields), about half in test


@pytest.fixture(scope="module")
def report(data_dir: Path) -> SummaryReport:
    papers = load_reference(data_dir)[-SAMPLE:]
    return evaluate_summaries(papers, StaticEmbedder.load(), "test")


def test_our_keywords_beat_the_tfidf_terms(report: SummaryReport):
    rows = {row.name: row for row in report.keywords}
    assert rows[OURS].papers > 100
    assert rows[OURS].f1 > rows[TFIDF].f1 + 0.03
    assert rows[OURS].f1 > 0.1


def test_our_tldrs_beat_the_first_and_a_random_sentence(report: SummaryReport):
    rows = {row.name: row for row in report.tldrs}
    assert rows[OURS].papers > 100
    for baseline in (FIRST, RANDOM):
        assert rows[OURS].rouge_l > rows[baseline].rouge_l + 0.03
        assert rows[OURS].cosine > rows[baseline].cosine + 0.02
    assert rows[OURS].rouge_l > 0.25
    assert rows[OURS].cosine > 0.67
    assert report.ours_beat_baselines()
