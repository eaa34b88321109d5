"""Prometheus metrics, exposed at /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

PUBLICATION_EVENTS = Counter(
    "newswire_feed_events_total", "Publication events seen by this process", ["kind"]
)
FEED_SEQ = Gauge("newswire_feed_seq", "The newest feed sequence number this process knows")
DELIVERY_ATTEMPTS = Counter(
    "newswire_delivery_attempts_total",
    "Delivery attempts made by this process's worker, by channel kind and outcome",
    ["kind", "outcome"],
)
DELIVERY_LATENCY = Histogram(
    "newswire_delivery_latency_seconds",
    "From a delivery's creation (its publication) to its receiver's acceptance",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600, 3600),
)
