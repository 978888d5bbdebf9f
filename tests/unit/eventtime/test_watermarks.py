"""A ``tracks.updates`` partition's watermark from the marks of every input partition."""

from __future__ import annotations

import pytest

from pipeline.eventtime.watermarks import Mark, Watermarks

SOURCES = ("adsb.sbs/0", "adsb.sbs/1", "ais.nmea/0")
T = 1_700_000_000_000


def test_a_source_without_a_mark_holds_everything_back() -> None:
    marks = Watermarks()
    marks.update("adsb.sbs/0", Mark(T, False))
    marks.update("ais.nmea/0", Mark(None, True))
    assert marks.advance(SOURCES, 5_000, 0) == (None, None)


def test_the_minimum_over_busy_sources_less_the_lateness() -> None:
    marks = Watermarks()
    marks.update("adsb.sbs/0", Mark(T + 60_000, False))
    marks.update("adsb.sbs/1", Mark(T, False))
    marks.update("ais.nmea/0", Mark(None, True))  # idle from the start: left out
    assert marks.advance(SOURCES, 5_000, 0) == (T - 5_000, T - 5_000)
    # A busy source without any report yet holds it back; never backwards.
    marks.update("ais.nmea/0", Mark(None, False))
    assert marks.advance(SOURCES, 5_000, 0) == (T - 5_000, T - 5_000)


def test_a_mark_never_moves_a_watermark_back() -> None:
    marks = Watermarks()
    assert marks.update("adsb.sbs/0", Mark(T, False))
    assert marks.update("adsb.sbs/0", Mark(T - 1, False)) is False  # a stale mark
    assert marks.marks["adsb.sbs/0"] == Mark(T, False)
    assert marks.update("adsb.sbs/0", Mark(None, True))  # idle, keeps its watermark
    assert marks.marks["adsb.sbs/0"] == Mark(T, True)


def test_all_idle_releases_everything_and_timers_run_on_the_wall_clock() -> None:
    marks = Watermarks()
    for source, wm in zip(SOURCES, (T, T - 20_000, None), strict=True):
        marks.update(source, Mark(wm, True))
    wall = 5_000_000
    assert marks.advance(SOURCES, 5_000, wall) == (T + 1, T + 1)
    assert marks.advance(SOURCES, 5_000, wall + 30_000) == (T + 1, T + 30_000)
    # Traffic again: releases and timers go on from the marks (the quiet clock is gone).
    marks.update("adsb.sbs/0", Mark(T + 2_000, False))
    marks.update("adsb.sbs/1", Mark(T + 9_000, False))
    assert marks.advance(SOURCES, 5_000, wall + 40_000) == (T + 1, T + 1)


@pytest.mark.parametrize("marks", [
    Watermarks(),
    Watermarks({"adsb.sbs/0": Mark(T, False), "ais.nmea/3": Mark(None, True)}, T - 5, T + 9),
])
def test_the_stored_form_round_trips(marks: Watermarks) -> None:
    assert Watermarks.from_dict(marks.to_dict()) == marks
