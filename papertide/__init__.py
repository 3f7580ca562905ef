"""papertide: a self-hostable research-paper discovery engine."""

from papertide.models import Link, Listing, Paper, Record, Rejected, Version

__all__ = ["Link", "Listing", "Paper", "Record", "Rejected", "Version"]
__version__ = "0.1.0"
