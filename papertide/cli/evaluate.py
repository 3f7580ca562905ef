"""`eval`: compare the product's rankers with BM25 and the arxiv-sanity-style baseline on the
shared evaluation data (CSFCube, Daily Papers). Reads files only; never the store.
"""

from __future__ import annotations

from pathlib import Path

import click

from papertide.cli.common import json_option, print_json
from papertide.eval.compare import (
    FIGURE_GAIN,
    HYBRID_NAME,
    SIMILAR_PREFIX,
    Comparison,
    compare_rankers,
)
from papertide.eval.datasets import DAILY_PAPERS_SIZE, default_data_dir, load_eval_data
from papertide.eval.official import PUBLISHED, gap_lines, official_table
from papertide.eval.rankers import describe_fusion, product_fusion, similar_grid
from papertide.eval.recommend import CONTEXTUAL_ROW, STATIC_ROW, compare_recommenders
from papertide.eval.summaries import SPLITS, evaluate_summaries, load_reference
from papertide.index.embed import Embedder
from papertide.search.hybrid import CONTEXTUAL_SIMILAR_FUSION, SIMILAR_FUSION
from papertide.wiring import build_embedder


@click.command("eval")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Evaluation data directory. Default: ../shared/data.",
)
@click.option(
    "--skip-contextual",
    is_flag=True,
    help="Leave out the contextual embedder (embedding 4,205 papers takes minutes).",
)
@click.option(
    "--daily-papers",
    "daily_size",
    type=click.IntRange(0),
    default=DAILY_PAPERS_SIZE,
    show_default=True,
    help="Daily Papers titles to sample (0: skip the MRR column).",
)
@click.option(
    "--recommend",
    is_flag=True,
    help="Evaluate recommendations instead: P@10 of simulated users' monthly digests "
    "(docs/recommend.md).",
)
@click.option(
    "--summaries",
    is_flag=True,
    help="Evaluate our TL;DRs and keywords against Hugging Face's own instead (dev and test "
    "halves of the Daily Papers archive; docs/summaries.md).",
)
@json_option
def evaluate(
    data_dir: Path | None,
    skip_contextual: bool,
    daily_size: int,
    recommend: bool,
    summaries: bool,
    as_json: bool,
) -> None:
    """Rank CSFCube (test fold) and Daily Papers with BM25, a tf-idf SVM baseline, dense
    embedders, `similar` as shipped and the hybrid, whose fusion is chosen on the CSFCube dev
    fold; print one table, then CSFCube by its authors' protocol (MAP, NDCG%20 per facet;
    there `similar` with the static vectors too is tuned on each fold's dev queries) beside
    published models.

    With --recommend: trending, the tf-idf SVM and papertide's recommender on simulated users
    of the Daily Papers archive. With --summaries: our TL;DRs and keywords beside baselines,
    scored against Hugging Face's ai_summary and ai_keywords."""
    if summaries:
        evaluate_summary_halves(data_dir or default_data_dir(), as_json)
        return
    if recommend:
        evaluate_recommendations(data_dir or default_data_dir(), skip_contextual, as_json)
        return
    data = load_eval_data(data_dir or default_data_dir(), daily_papers_size=daily_size)
    embedders: dict[str, Embedder] = {"dense-fast": build_embedder("static")}
    similar = {"dense-fast": product_fusion(SIMILAR_FUSION)}
    if not skip_contextual:
        embedders["dense-contextual"] = build_embedder("contextual")
        similar["dense-contextual"] = product_fusion(CONTEXTUAL_SIMILAR_FUSION)
    grids = {"dense-fast": similar_grid()}  # the static row is tuned per fold (official table)
    comparison = compare_rankers(
        data, embedders, lambda line: click.echo(line, err=True), similar, grids
    )
    if as_json:
        print_json(comparison.to_dict())
        return
    click.echo(summary(comparison))


def summary(comparison: Comparison) -> str:
    """The table, the fusion chosen on dev and the hybrid's gains on test nDCG@20 (overall),
    then CSFCube by its own protocol beside the published figures."""
    gains = ", ".join(f"{name} {gain:+.1%}" for name, gain in comparison.gains.items())
    verdict = "holds" if comparison.figure_holds else "does not hold"
    ours = [r.name for r in comparison.official if r.name.startswith(SIMILAR_PREFIX)]
    official = [
        "",
        "CSFCube by its own protocol (ranking_eval.py: MAP, NDCG%20; mean of fold1_test and "
        "fold2_test, the hybrid tuned on each fold's dev queries):",
        official_table([*comparison.official, *PUBLISHED]),
        "",
        *(f"hybrid on {fold}_test: {desc}" for fold, desc in comparison.fold_fusions.items()),
        *(f"{row}_test: {desc}" for row, desc in comparison.similar_fusions.items()),
        *(
            f"{row}_test facet weights (dev): "
            + ", ".join(f"{facet} {weight:g}" for facet, weight in weights.items())
            for row, weights in comparison.facet_weights.items()
        ),
        *gap_lines(comparison.official, [*ours, HYBRID_NAME]),
    ]
    return "\n".join(
        [
            comparison.report.table(),
            "",
            f"hybrid = {comparison.lexical_for_hybrid} + {comparison.dense_for_hybrid}, "
            f"fusion {describe_fusion(comparison.fusion.best)} "
            f"(CSFCube dev nDCG@20 {comparison.fusion.score:.3f})",
            f"hybrid gain in CSFCube test nDCG@20 (overall): {gains}",
            f"figure (>= {FIGURE_GAIN:.0%} over both): {verdict}",
            *(official if comparison.official else []),
        ]
    )


def evaluate_recommendations(data_dir: Path, skip_contextual: bool, as_json: bool) -> None:
    """`eval --recommend`: one row per ranker, papertide's once per embedder."""
    embedders: dict[str, Embedder] = {STATIC_ROW: build_embedder("static")}
    if not skip_contextual:
        embedders[CONTEXTUAL_ROW] = build_embedder("contextual")
    report = compare_recommenders(data_dir, embedders, lambda line: click.echo(line, err=True))
    if as_json:
        print_json(report.to_dict())
        return
    click.echo(report.summary())


def evaluate_summary_halves(data_dir: Path, as_json: bool) -> None:
    """`eval --summaries`: the dev half (where the weights were tuned), then the test half."""
    papers = load_reference(data_dir)
    embedder = build_embedder("static")
    reports = [evaluate_summaries(papers, embedder, split) for split in SPLITS]
    if as_json:
        print_json({report.split: report.to_dict() for report in reports})
        return
    click.echo("\n\n".join(report.table() for report in reports))
