"""The event-time limits, all settings (``ADIZWATCH_ALLOWED_LATENESS_MS`` and others)."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_ALLOWED_LATENESS_MS = 5_000
"""How far behind the newest report of its input partition a report may be and still be
stepped in order. Receivers' clocks and delivery disagree by a second or two (AIS tag-block
times have a resolution of one second); five seconds covers that with margin. It is also
the delay every zone event waits before it is published (see ``docs/time.md``)."""

DEFAULT_IDLE_MS = 5_000
"""How long an input partition that is caught up must deliver nothing before the minimum
over the partitions leaves it out (Flink's ``withIdleness``)."""

DEFAULT_MAX_FUTURE_MS = 10 * 60_000
"""How far a report may be dated after the timestamp of the Kafka record that carried it:
an honest source cannot report what has not happened when it writes the record."""

DEFAULT_MAX_AHEAD_MS = 6 * 3_600_000
"""How far a report may be dated after its input partition's watermark without a second
report confirming the jump (a recording replayed fast may jump over a quiet night; a
broken clock jumps once)."""


@dataclass(frozen=True, slots=True)
class TimeLimits:
    allowed_lateness_ms: int = DEFAULT_ALLOWED_LATENESS_MS
    idle_ms: int = DEFAULT_IDLE_MS
    max_future_ms: int = DEFAULT_MAX_FUTURE_MS
    max_ahead_ms: int = DEFAULT_MAX_AHEAD_MS
