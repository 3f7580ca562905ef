"""Keeping an instance current by itself: `papertide sync` (one run: harvest, mirror, enrich,
refresh the indexes, log the run) and the scheduler `papertide serve` runs it on."""
