"""Time stamps as every output format writes them."""

from __future__ import annotations

from datetime import UTC, datetime


def rfc3339(moment: datetime) -> str:
    """`moment` in UTC as RFC 3339 with a "Z", e.g. "2025-02-19T10:00:00Z".

    A naive datetime is taken to be UTC already: that is how newswire stores time.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
