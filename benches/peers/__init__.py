"""Peer libraries measured against buyernet, each behind a worker run in its own process."""
