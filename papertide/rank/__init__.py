"""Ranking papers: trending (trending.py, pure) and the service that loads its signals."""

from papertide.rank.trending import (
    TRENDING_WINDOW_DAYS,
    TrendingParams,
    TrendingScore,
    rank_trending,
)

__all__ = ["TRENDING_WINDOW_DAYS", "TrendingParams", "TrendingScore", "rank_trending"]
