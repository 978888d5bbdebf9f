"""Gone-dark detection: ``track.lost`` in event time.

A track inside at least one zone that sends nothing for ``LostAfter`` (10 minutes for an
aircraft, 30 for a vessel by default) is lost: one ``track.lost`` per zone it is inside, at
the instant the silence reached the limit, at its last known position, with its last report.
Time is event time, never the clock:

* the track's own next report, if it comes after the limit, declares the loss first (then
  ``track.regained``, see ``tracker.py``);
* otherwise the partition's timer watermark does (``eventtime/watermarks.py``: the minimum
  over every input partition's watermark, so it never runs ahead of a track's own input):
  a :class:`PartitionClock` keeps the deadlines of the partition's tracks that could be lost
  and hands back those the watermark has reached. Whichever comes first, the event is the
  same (same id, time and content).

The deadlines are rebuilt from the stored states after a restart, the watermark from its
store.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace

from pipeline.geofence.events import make_event
from pipeline.geofence.state import TrackState
from pipeline.geofence.zones import ZoneSet
from pipeline.model.events import Transition, ZoneEvent
from pipeline.model.track import Source, TrackKind, TrackPoint

DEFAULT_LOST_AIRCRAFT_MS = 10 * 60_000
"""An aircraft inside a zone silent for 10 minutes has gone dark (issue 4)."""

DEFAULT_LOST_VESSEL_MS = 30 * 60_000
"""Vessels report far less often (AIS class B at anchor: every 3 minutes; gaps are normal)."""


@dataclass(frozen=True, slots=True)
class LostAfter:
    aircraft_ms: int = DEFAULT_LOST_AIRCRAFT_MS
    vessel_ms: int = DEFAULT_LOST_VESSEL_MS

    def for_kind(self, kind: TrackKind) -> int:
        return self.vessel_ms if kind is TrackKind.VESSEL else self.aircraft_ms


def _kind_of(track_id: str, state: TrackState) -> TrackKind:
    if state.report is not None:
        return state.report.kind
    return TrackKind.VESSEL if track_id.startswith("mmsi:") else TrackKind.AIRCRAFT


def last_report(track_id: str, state: TrackState) -> TrackPoint:
    """The track's last report (rebuilt from the position for a skeleton-era state)."""
    if state.report is not None:
        return state.report
    icao24 = track_id.removeprefix("icao24:") if track_id.startswith("icao24:") else None
    return TrackPoint(track_id=track_id, kind=_kind_of(track_id, state), source=Source.CANONICAL,
                      ts_ms=state.last_ts_ms, lat_deg=state.last_lat_deg,
                      lon_deg=state.last_lon_deg, icao24=icao24, alt_ft=state.last_alt_ft)


def lost_deadline(track_id: str, state: TrackState, lost_after: LostAfter) -> int | None:
    """When the track will be lost if it stays silent; None if it cannot be."""
    if not state.inside or state.lost_at_ms is not None:
        return None
    return state.last_ts_ms + lost_after.for_kind(_kind_of(track_id, state))


def lost_events(track_id: str, state: TrackState, at_ms: int,
                zones: ZoneSet) -> list[ZoneEvent]:
    report = last_report(track_id, state)
    return [make_event(report, zones, zid, Transition.LOST, at_ms, state.last_lat_deg,
                       state.last_lon_deg, False, alt_ft=state.last_alt_ft,
                       last_seen_ms=state.last_ts_ms)
            for zid in state.inside]


def expire(track_id: str, state: TrackState, now_ms: int, zones: ZoneSet,
           lost_after: LostAfter) -> tuple[TrackState, list[ZoneEvent]]:
    """Declare the track lost if event time ``now_ms`` has reached its deadline."""
    deadline = lost_deadline(track_id, state, lost_after)
    if deadline is None or now_ms < deadline:
        return state, []
    return replace(state, lost_at_ms=deadline), lost_events(track_id, state, deadline, zones)


class PartitionClock:
    """Event-time watermark and lost deadlines of the tracks of one partition."""

    def __init__(self) -> None:
        self.watermark_ms: int | None = None
        self._deadlines: dict[str, int] = {}
        self._heap: list[tuple[int, str]] = []

    def __len__(self) -> int:
        return len(self._deadlines)

    def set_deadline(self, track_id: str, deadline_ms: int | None) -> None:
        """Record (or with None, forget) when ``track_id`` will be lost."""
        if deadline_ms is None:
            self._deadlines.pop(track_id, None)
            return
        known = self._deadlines.get(track_id)
        self._deadlines[track_id] = deadline_ms
        # One heap entry per track: a later deadline is found when the entry comes up.
        if known is None or deadline_ms < known:
            heapq.heappush(self._heap, (deadline_ms, track_id))

    def advance(self, ts_ms: int) -> list[str]:
        """Set the watermark to ``ts_ms``; the tracks now due, by deadline then id.

        Due tracks are forgotten; the caller expires them and sets new deadlines if any. The
        watermark may move back (the quiet clock of ``eventtime/watermarks.py`` gives way to
        the reports' time when traffic resumes): what it fired stays fired.
        """
        self.watermark_ms = ts_ms
        due: list[tuple[int, str]] = []
        heap, deadlines, now = self._heap, self._deadlines, self.watermark_ms
        while heap and heap[0][0] <= now:
            _, track_id = heapq.heappop(heap)
            current = deadlines.get(track_id)
            if current is None:
                continue  # forgotten since
            if current <= now:
                del deadlines[track_id]
                due.append((current, track_id))
            else:
                heapq.heappush(heap, (current, track_id))
        return [track_id for _, track_id in sorted(due)]
