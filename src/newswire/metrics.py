"""Prometheus metrics, exposed at /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

PUBLICATION_EVENTS = Counter(
    "newswire_feed_events_total", "Publication events seen by this process", ["kind"]
)
FEED_SEQ = Gauge("newswire_feed_seq", "The newest feed sequence number this process knows")
