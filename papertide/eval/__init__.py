"""The evaluation harness behind `papertide eval`: datasets, metrics, baselines, runner, tuning.

Offline and read-only: it reads ../shared/data (or --data), never the store or the network.
scikit-learn (the `eval` extra) is needed only by the tf-idf baseline.
"""

from papertide.eval.base import FACETS, EvalDoc, EvalQuery, Qrels, Ranker
from papertide.eval.datasets import (
    DatasetError,
    EvalCollection,
    EvalData,
    Split,
    default_data_dir,
    load_csfcube,
    load_daily_papers,
    load_eval_data,
)
from papertide.eval.report import EvalReport, EvalSetup, QueryScore, RankerResult
from papertide.eval.runner import RankingError, run_eval
from papertide.eval.sanity import OracleRanker, RandomRanker
from papertide.eval.tuning import TuneResult, tune

__all__ = [
    "FACETS",
    "DatasetError",
    "EvalCollection",
    "EvalData",
    "EvalDoc",
    "EvalQuery",
    "EvalReport",
    "EvalSetup",
    "OracleRanker",
    "Qrels",
    "QueryScore",
    "RandomRanker",
    "Ranker",
    "RankerResult",
    "RankingError",
    "Split",
    "TuneResult",
    "default_data_dir",
    "load_csfcube",
    "load_daily_papers",
    "load_eval_data",
    "run_eval",
    "tune",
]
