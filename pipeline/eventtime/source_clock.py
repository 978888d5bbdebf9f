"""One input partition's event-time clock: its watermark, and the verdict on each report.

A report is judged against the clock as it stood before its record (all reports of one
record, e.g. one ``aircraft.json`` snapshot, are judged against the same watermark, so the
order of aircraft inside a snapshot does not matter):

* dated more than ``max_future_ms`` after its own record's timestamp: ``FUTURE`` (dead
  letter ``future_time``): no honest source reports after it writes;
* older than the watermark by more than the allowed lateness: ``LATE`` (counted and
  skipped, as the geofence skips a late report): the track stage of its track may already
  have stepped past that time;
* dated more than ``max_ahead_ms`` after the watermark, or the partition's first reports
  (no watermark yet): ``AHEAD``, unless it confirms the held jump (within ``max_ahead_ms``
  of it). An ``AHEAD`` report is held in the clock (it never moves the watermark) until the
  partition's next record with reports decides: if one of them confirms the jump, the held
  reports go on, ahead of the new record's, and the watermark jumps (two recordings replayed
  back to back, a quiet night replayed fast); if not, they are dead-lettered
  ``future_time`` (one report from a broken clock). Two reports of one record within
  ``max_ahead_ms`` of each other confirm each other (a first snapshot of many aircraft).
  The first reports of a partition that then goes idle are accepted
  (:func:`settle`): nothing contradicts them;
* otherwise ``ACCEPT``.

A report without a time of its own carries its record's timestamp (the decoders' rule).
On a partition whose reports are dated hours before their records' timestamps (a recording
replayed now), such a report is given the partition's watermark instead
(:func:`untimed_time`): the time of the partition's latest report, not the replay's.

After the record the watermark moves to its newest accepted report. The verdicts depend only
on the partition's own records, in their order: the same records give the same verdicts
whatever the consumption interleaves with.
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
    """The newest held ``AHEAD`` report's time, awaiting confirmation."""
    held: tuple[tuple[int, bytes], ...] = ()
    """The held ``AHEAD`` reports: (offset of their record, encoded update)."""

    def to_list(self) -> list[object]:
        return [self.wm_ms, self.jump_ms, [[offset, raw.decode()] for offset, raw in self.held]]

    @classmethod
    def from_list(cls, data: object) -> SourceClock:
        if not isinstance(data, list) or len(data) != 3:
            raise ValueError(f"a source clock is [wm_ms, jump_ms, held], not {data!r}")
        wm, jump, held = data
        if not (wm is None or isinstance(wm, int)) or not (jump is None or isinstance(jump, int)):
            raise ValueError(f"a source clock holds integers, not {data!r}")
        if not isinstance(held, list) or not all(
                isinstance(h, list) and len(h) == 2 and isinstance(h[0], int)
                and isinstance(h[1], str) for h in held):
            raise ValueError(f"a source clock's held reports are [offset, update], not {held!r}")
        return cls(wm, jump, tuple((h[0], h[1].encode()) for h in held))


def untimed_time(clock: SourceClock, ts_ms: int, record_ts_ms: int,
                 limits: TimeLimits) -> int:
    """The time to judge a report by: its own, unless it has none (it carries its record's
    timestamp) and the partition's watermark is hours behind that (module docstring)."""
    wm = clock.wm_ms
    if ts_ms == record_ts_ms and wm is not None and record_ts_ms > wm + limits.max_ahead_ms:
        return wm
    return ts_ms


def judge(clock: SourceClock, ts_ms: int, record_ts_ms: int, limits: TimeLimits) -> Verdict:
    """The verdict on one report dated ``ts_ms`` in a record stamped ``record_ts_ms``."""
    if record_ts_ms > 0 and ts_ms > record_ts_ms + limits.max_future_ms:
        return Verdict.FUTURE  # (a timestamp of 0 or less: the record's time is unknown)
    wm = clock.wm_ms
    if wm is not None and ts_ms < wm - limits.allowed_lateness_ms:
        return Verdict.LATE
    if wm is None or ts_ms > wm + limits.max_ahead_ms:
        jump = clock.jump_ms
        if jump is not None and abs(ts_ms - jump) <= limits.max_ahead_ms:
            return Verdict.ACCEPT
        return Verdict.AHEAD
    return Verdict.ACCEPT


def confirms(clock: SourceClock, ts_ms: int, limits: TimeLimits) -> bool:
    """An accepted report at ``ts_ms`` confirms the held jump."""
    return clock.jump_ms is not None and (clock.wm_ms is None
                                          or ts_ms > clock.wm_ms + limits.max_ahead_ms)


def agree(ahead: list[int], limits: TimeLimits) -> bool:
    """Reports of one record held as ``AHEAD`` confirm each other: two or more, all within
    ``max_ahead_ms`` of the newest."""
    return len(ahead) >= 2 and max(ahead) - min(ahead) <= limits.max_ahead_ms


def after_record(clock: SourceClock, accepted: Iterable[int],
                 ahead: tuple[tuple[int, int, bytes], ...]) -> SourceClock:
    """The clock after a record: its ``accepted`` report times and its ``ahead`` reports
    (time, record offset, encoded update). The caller has already sent on or dead-lettered
    the reports held before, unless the record judged nothing."""
    newest = max(accepted, default=None)
    wm = clock.wm_ms
    if newest is not None and (wm is None or newest > wm):
        wm = newest
    if not ahead:
        if newest is None:
            return clock._replace(wm_ms=wm)  # a record with nothing judged decides nothing
        return SourceClock(wm)
    return SourceClock(wm, max(ts for ts, _, _ in ahead),
                       tuple((offset, raw) for _, offset, raw in ahead))


def describe(verdict: Verdict, clock: SourceClock, ts_ms: int, record_ts_ms: int,
             limits: TimeLimits) -> str:
    """The dead letter's detail for a ``FUTURE`` report, or for a held ``AHEAD`` one the
    next record did not confirm."""
    if verdict is Verdict.FUTURE:
        return (f"report time {ts_ms} is {ts_ms - record_ts_ms} ms after its record's "
                f"timestamp {record_ts_ms} (limit {limits.max_future_ms} ms)")
    return (f"report time {ts_ms} is more than {limits.max_ahead_ms} ms from its input "
            f"partition's watermark {clock.wm_ms}, and the next record did not confirm "
            f"the jump")
