"""Searching papers: the query language (query.py) and match snippets (snippet.py). Pure."""

from papertide.search.query import Query, parse_query
from papertide.search.snippet import Snippet, make_snippet

__all__ = ["Query", "Snippet", "make_snippet", "parse_query"]
