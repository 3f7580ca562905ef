"""The loaders on real files: the shared data, and small files written to tmp_path."""

import gzip
import json
import shutil
from pathlib import Path

import pytest

from papertide.eval.datasets import (
    CSFCUBE_DIR,
    DAILY_PAPERS_FILE,
    DatasetError,
    load_csfcube,
    load_daily_papers,
    load_eval_data,
)


def test_csfcube_has_50_faceted_queries_with_pools_qrels_and_a_disjoint_split(data_dir):
    csfcube = load_csfcube(data_dir)
    assert len(csfcube.queries) == 50
    assert {q.facet for q in csfcube.queries} == {"background", "method", "result"}
    assert sum(len(csfcube.qrels[q.id]) for q in csfcube.queries) == 6244
    assert all(len(csfcube.pools[q.id]) == len(csfcube.qrels[q.id]) for q in csfcube.queries)
    dev, test = csfcube.dev_queries(), csfcube.test_queries()
    assert (len(dev), len(test)) == (24, 26)
    assert not {q.id for q in dev} & {q.id for q in test}
    assert csfcube.relevant_grade == 2


def test_csfcube_query_text_is_the_facet_sentences(data_dir):
    queries = {q.id: q for q in load_csfcube(data_dir).queries}
    method = queries["10010426_method"]
    assert method.text.startswith("Using an annotated set of")
    assert "We investigate the characteristics" not in method.text
    assert method.paper is not None
    assert method.paper.abstract.startswith("We investigate the characteristics")
    # background of this query is only an "objective" sentence
    assert queries["11844559_background"].text


def test_csfcube_fold2_swaps_dev_and_test(data_dir):
    fold1, fold2 = load_csfcube(data_dir), load_csfcube(data_dir, fold="fold2")
    assert fold2.dev_queries() == fold1.test_queries()
    assert fold2.test_queries() == fold1.dev_queries()


def test_daily_papers_sample_is_deterministic_untitled_and_self_relevant(data_dir):
    daily = load_daily_papers(data_dir)
    assert len(daily.queries) == 2000
    assert daily == load_daily_papers(data_dir)
    assert load_daily_papers(data_dir, seed=1).queries != daily.queries
    pool = daily.pools[daily.queries[0].id]
    assert len(pool) == 2000
    assert all(daily.pools[q.id] is pool for q in daily.queries)
    assert all(doc.title == "" and doc.abstract for doc in pool)
    assert all(daily.qrels[q.id] == {q.id: 1} for q in daily.queries)


def test_load_eval_data_passes_fold_size_and_seed_on(data_dir):
    data = load_eval_data(data_dir, fold="fold2", daily_papers_size=50, daily_papers_seed=7)
    assert data.csfcube.split is not None and data.csfcube.split.name == "fold2"
    assert data.daily_papers is not None
    assert (len(data.daily_papers.queries), data.daily_papers.seed) == (50, 7)
    assert load_eval_data(data_dir, daily_papers_size=None).daily_papers is None


def test_missing_data_says_where_it_looked_and_how_to_point_elsewhere(tmp_path):
    with pytest.raises(DatasetError, match=r"not found: .*csfcube/corpus.jsonl.gz.*--data DIR"):
        load_csfcube(tmp_path)
    with pytest.raises(DatasetError, match=r"daily_papers\.jsonl\.gz"):
        load_daily_papers(tmp_path)


def test_unknown_fold_is_refused(tmp_path):
    with pytest.raises(DatasetError, match="unknown CSFCube fold"):
        load_csfcube(tmp_path, fold="fold3")


def copy_csfcube(data_dir: Path, tmp_path: Path) -> Path:
    shutil.copytree(data_dir / CSFCUBE_DIR, tmp_path / CSFCUBE_DIR)
    for path in (tmp_path / CSFCUBE_DIR).iterdir():
        path.chmod(0o644)
    return tmp_path / CSFCUBE_DIR


def test_malformed_files_are_reported_with_their_line(data_dir, tmp_path):
    root = copy_csfcube(data_dir, tmp_path)
    (root / "queries.jsonl").write_text('{"query_id": "x"\n')
    with pytest.raises(DatasetError, match=r"queries.jsonl:1: invalid JSON"):
        load_csfcube(tmp_path)
    (root / "queries.jsonl").write_text("[1, 2]\n")
    with pytest.raises(DatasetError, match="expected a JSON object"):
        load_csfcube(tmp_path)


def test_malformed_qrels_and_splits_are_reported(data_dir, tmp_path):
    root = copy_csfcube(data_dir, tmp_path)
    (root / "qrels.tsv").write_text("query_id\tpaper_id\trelevance_adjudicated\nq\tp\thigh\n")
    with pytest.raises(DatasetError, match=r"qrels.tsv:2: not a qrels row"):
        load_csfcube(tmp_path)
    shutil.copy(data_dir / CSFCUBE_DIR / "qrels.tsv", root / "qrels.tsv")
    (root / "evaluation_splits.json").write_text('{"all": {"fold1_dev": ["nope"]}}')
    with pytest.raises(DatasetError, match="fold1_dev and _test"):
        load_csfcube(tmp_path)
    (root / "evaluation_splits.json").write_text(
        '{"all": {"fold1_dev": ["nope"], "fold1_test": [], "fold2_dev": [], "fold2_test": []}}'
    )
    with pytest.raises(DatasetError, match="unknown queries"):
        load_csfcube(tmp_path)


def write_daily(tmp_path: Path, rows: list[dict[str, str]]) -> None:
    path = tmp_path / DAILY_PAPERS_FILE
    path.parent.mkdir(parents=True)
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write("\n".join(json.dumps(row) for row in rows) + "\n\n")


def test_daily_papers_drops_repeats_and_rows_without_text(tmp_path):
    rows = [
        {"arxiv_id": "1", "title": "First", "abstract": "Line one\nline two."},
        {"arxiv_id": "1", "title": "First again", "abstract": "Repeat."},
        {"arxiv_id": "2", "title": " ", "abstract": "No title."},
        {"arxiv_id": "3", "title": "Third", "abstract": "Third abstract."},
    ]
    write_daily(tmp_path, rows)
    daily = load_daily_papers(tmp_path, size=2, seed=0)
    assert [q.text for q in daily.queries] == ["First", "Third"]
    assert daily.pools["1"][0].abstract == "Line one line two."
    with pytest.raises(DatasetError, match="fewer than 3"):
        load_daily_papers(tmp_path, size=3)


def test_load_eval_data_with_no_daily_papers_skips_them(data_dir):
    data = load_eval_data(data_dir, daily_papers_size=0)
    assert data.daily_papers is None
