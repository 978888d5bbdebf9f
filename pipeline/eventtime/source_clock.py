"""One input partition's event-time clock: its watermark, and the verdict on each report.

A report is judged against the clock as it stood before its record (all reports of one
record, e.g. one ``aircraft.json`` snapshot, are judged against the same watermark, so the
order of aircraft inside a snapshot does not matter):

* dated more than ``max_future_ms`` after its own record's timestamp: ``FUTURE`` (dead
  letter ``future_time``): no honest source reports after it writes;
* older than the watermark by more than the allowed lateness: ``LATE`` (counted and
  skipped, as the geofence skips a late report): the track stage of its track may already
  have stepped past that time;
* dated more than ``max_ahead_ms`` after the watermark: ``AHEAD`` (dead letter
  ``future_time``), unless it confirms the jump of the previous record (within
  ``max_ahead_ms`` of it): one report from a broken clock is refused and never moves the
  watermark, while a recording that really jumps (a quiet night replayed fast) loses only
  the first report after the jump;
* otherwise ``ACCEPT``.

After the record the watermark moves to its newest accepted report. The first report of a
partition (no watermark yet) is judged only against its record's timestamp.

The verdict depends only on the partition's own records, in their order: the same records
give the same verdicts whatever the consumption interleaves with.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple

from pipeline.eventtime.limits import TimeLimits


class Verdict(StrEnum):
    ACCEPT = "accept"
    LATE = "late"
    FUTURE = "future"
    AHEAD = "ahead"


class SourceClock(NamedTuple):
    wm_ms: int | None = None
    """The newest accepted report time on the partition."""
    jump_ms: int | None = None
    """A report of the last record dated beyond ``max_ahead_ms``, awaiting confirmation."""

    def to_list(self) -> list[int | None]:
        return [self.wm_ms, self.jump_ms]

    @classmethod
    def from_list(cls, data: object) -> SourceClock:
        if not isinstance(data, list) or len(data) != 2:
            raise ValueError(f"a source clock is [wm_ms, jump_ms], not {data!r}")
        wm, jump = data
        if not (wm is None or isinstance(wm, int)) or not (jump is None or isinstance(jump, int)):
            raise ValueError(f"a source clock holds integers, not {data!r}")
        return cls(wm, jump)


def judge(clock: SourceClock, ts_ms: int, record_ts_ms: int, limits: TimeLimits) -> Verdict:
    """The verdict on one report dated ``ts_ms`` in a record stamped ``record_ts_ms``."""
    if ts_ms > record_ts_ms + limits.max_future_ms:
        return Verdict.FUTURE
    wm = clock.wm_ms
    if wm is None:
        return Verdict.ACCEPT
    if ts_ms < wm - limits.allowed_lateness_ms:
        return Verdict.LATE
    if ts_ms > wm + limits.max_ahead_ms:
        jump = clock.jump_ms
        if jump is not None and abs(ts_ms - jump) <= limits.max_ahead_ms:
            return Verdict.ACCEPT
        return Verdict.AHEAD
    return Verdict.ACCEPT


def after_record(clock: SourceClock, accepted: Iterable[int], ahead: Iterable[int],
                 ) -> SourceClock:
    """The clock after a record whose reports were judged: ``accepted`` and ``ahead`` times."""
    newest = max(accepted, default=None)
    jump = max(ahead, default=None)
    wm = clock.wm_ms
    if newest is not None and (wm is None or newest > wm):
        wm = newest
    if jump is None and newest is None:
        jump = clock.jump_ms  # a record with nothing judged changes nothing
    return SourceClock(wm, jump)


def describe(verdict: Verdict, clock: SourceClock, ts_ms: int, record_ts_ms: int,
             limits: TimeLimits) -> str:
    """The dead letter's detail for a ``FUTURE`` or ``AHEAD`` report."""
    if verdict is Verdict.FUTURE:
        return (f"report time {ts_ms} is {ts_ms - record_ts_ms} ms after its record's "
                f"timestamp {record_ts_ms} (limit {limits.max_future_ms} ms)")
    return (f"report time {ts_ms} is {ts_ms - (clock.wm_ms or 0)} ms after its input "
            f"partition's watermark {clock.wm_ms} (limit {limits.max_ahead_ms} ms) and no "
            f"report confirms the jump")
