"""Ranking papers: trending (trending.py, pure; service.py loads its signals) and personal
recommendations: the "For you" feed (foryou.py, recommend.py) from a profile trained on a
user's feedback (profile.py, logistic.py, terms.py, pool.py), follows (follows.py) and a
BibTeX cold start (bibtex.py). See docs/trending.md and docs/recommend.md."""
