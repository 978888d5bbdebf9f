"""The input partition's clock: verdicts on each report, the watermark, jumps held until a
second record confirms or refutes them."""

from __future__ import annotations

from pipeline.eventtime.limits import TimeLimits
from pipeline.eventtime.source_clock import (
    SourceClock,
    Verdict,
    after_record,
    agree,
    confirms,
    judge,
    untimed_time,
)

L = TimeLimits(allowed_lateness_ms=5_000, idle_ms=5_000, max_future_ms=600_000,
               max_ahead_ms=3_600_000)
RECORD = 2_000_000_000_000  # record timestamps: wall clock, long after the events
T = 1_700_000_000_000


def test_the_first_reports_are_held_until_a_second_one_agrees() -> None:
    clock = SourceClock()
    assert judge(clock, RECORD + 600_001, RECORD, L) is Verdict.FUTURE
    assert judge(clock, RECORD + 10**9, 0, L) is Verdict.AHEAD  # no record time known
    assert judge(clock, T, RECORD, L) is Verdict.AHEAD
    held = after_record(clock, [], ((T, 1, b"{}"),))
    assert judge(held, T + 60_000, RECORD, L) is Verdict.ACCEPT
    assert confirms(held, T + 60_000, L)
    # A first report from another era (an untimed line stamped now before the recording's
    # timed ones) is refuted by the next: that one is held in its place.
    assert judge(held, T + 10 * 3_600_000, RECORD, L) is Verdict.AHEAD
    assert agree([T, T + 10, T - 5_000], L) and not agree([T], L)
    assert not agree([T, T + 3_600_001], L)


def test_a_report_without_a_time_of_its_own_takes_the_partition_s_in_a_replay() -> None:
    clock = SourceClock(T)
    assert untimed_time(clock, RECORD, RECORD, L) == T  # stamped with its record: a replay
    assert untimed_time(clock, T + 5, T + 5, L) == T + 5  # live: its record's time is right
    assert untimed_time(clock, T + 7, RECORD, L) == T + 7  # a time of its own
    assert untimed_time(SourceClock(), RECORD, RECORD, L) == RECORD


def test_late_within_and_beyond_the_allowed_lateness() -> None:
    clock = after_record(SourceClock(), [T], ())
    assert clock == SourceClock(T)
    assert judge(clock, T - 5_000, RECORD, L) is Verdict.ACCEPT
    assert judge(clock, T - 5_001, RECORD, L) is Verdict.LATE
    # A late report never moves the watermark back.
    assert after_record(clock, [T - 4_000], ()) == clock


def test_a_snapshot_is_judged_against_the_clock_before_it() -> None:
    clock = SourceClock(T)
    verdicts = [judge(clock, ts, RECORD, L) for ts in (T + 60_000, T - 3_000, T + 1)]
    assert verdicts == [Verdict.ACCEPT] * 3
    assert after_record(clock, [T + 60_000, T - 3_000, T + 1], ()) == SourceClock(T + 60_000)


def test_a_lone_jump_is_held_and_never_moves_the_watermark() -> None:
    clock = SourceClock(T)
    years = T + 3 * 365 * 86_400_000
    assert judge(clock, years, RECORD, L) is Verdict.AHEAD
    held = after_record(clock, [], ((years, 7, b"{}"),))
    assert held == SourceClock(T, years, ((7, b"{}"),))
    # The next record is from the old era: no confirmation; the clock forgets the jump.
    assert judge(held, T + 1_000, RECORD, L) is Verdict.ACCEPT
    assert not confirms(held, T + 1_000, L)
    assert after_record(held, [T + 1_000], ()) == SourceClock(T + 1_000)


def test_a_confirmed_jump_moves_the_watermark() -> None:
    clock = SourceClock(T)
    later = T + 2 * 86_400_000  # a second recording, two days later, replayed next
    held = after_record(clock, [], ((later, 3, b"{}"),))
    assert judge(held, later + 1_000, RECORD, L) is Verdict.ACCEPT
    assert confirms(held, later + 1_000, L)
    assert after_record(held, [later + 1_000, later], ()) == SourceClock(later + 1_000)


def test_a_record_with_nothing_judged_decides_nothing() -> None:
    held = SourceClock(T, T + 10**10, ((3, b"{}"),))
    assert after_record(held, [], ()) == held


def test_the_stored_form_round_trips() -> None:
    for clock in (SourceClock(), SourceClock(T), SourceClock(T, T + 10**10, ((3, b'{"a":1}'),))):
        assert SourceClock.from_list(clock.to_list()) == clock
