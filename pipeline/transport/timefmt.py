"""RFC 3339 UTC timestamps with millisecond precision, to and from epoch milliseconds."""

from __future__ import annotations

from datetime import UTC, datetime


def format_ms(ts_ms: int) -> str:
    """``2024-07-24T18:05:00.250Z``."""
    moment = datetime.fromtimestamp(ts_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts_ms % 1000:03d}Z"


def parse_ms(text: str) -> int:
    """Epoch milliseconds of an RFC 3339 timestamp with an explicit offset.

    Raises:
        ValueError: not RFC 3339 or without an offset.
    """
    if len(text) > 40:
        raise ValueError("timestamp too long")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("timestamp without UTC offset")
    return round(moment.timestamp() * 1000)
