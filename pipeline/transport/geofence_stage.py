"""The geofence for one point: step its track, then the partition's clock.

For each point: step the track (``geofence/tracker.py``) and store its state; then move the
partition's event-time clock (``geofence/timers.py``) to the point's time and expire the
partition's tracks whose lost deadline it reached, storing their states and adding their
``track.lost`` events. States are objects here; the runtime serialises them once per batch.

The clocks are derived state: built from the partition's table on its first point, dropped
when the partition leaves the worker, rebuilt exactly (the watermark is the newest
``last_ts_ms`` of the partition's tracks).

The watermark is bounded by the record's own time: a report's time moves it at most
:data:`MAX_AHEAD_MS` past the record timestamp of the ``tracks.updates`` record (stamped by
the decode stage when it re-keyed the report). Without the bound one report from a broken
or hostile source dated years ahead would move the partition's clock there and declare
every track inside a zone on that partition lost at once; its own track still steps with
its own time (and is judged late or duplicate by it), only the partition's clock ignores
the excess.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import NamedTuple, Protocol

from pipeline.geofence.state import TrackState
from pipeline.geofence.timers import LostAfter, PartitionClock, expire, lost_deadline
from pipeline.geofence.tracker import StepOutcome, step
from pipeline.geofence.zones import ZoneSet
from pipeline.model.events import ZoneEvent
from pipeline.model.track import TrackPoint

log = logging.getLogger(__name__)

MAX_AHEAD_MS = 10 * 60_000
"""How far a report may move its partition's clock past the record's timestamp."""


class StateTable(Protocol):
    """The track states of one partition, by track key (a dict works in tests)."""

    def get(self, key: bytes, /) -> TrackState | None: ...

    def __setitem__(self, key: bytes, value: TrackState, /) -> None: ...

    def items(self) -> Iterable[tuple[bytes, TrackState]]: ...


class Fenced(NamedTuple):
    """The geofence's answer for one point."""

    outcome: StepOutcome
    events: list[ZoneEvent]
    """The point's own events, then the events of tracks its time declared lost."""

    @property
    def moved(self) -> bool:
        """The point advanced its track (it was neither a duplicate nor late)."""
        return self.outcome not in (StepOutcome.DUPLICATE, StepOutcome.LATE)


class GeofenceStage:
    """Steps tracks and expires silent ones; one instance per worker."""

    def __init__(self, zones: Callable[[], ZoneSet], max_gap_ms: int,
                 lost_after: LostAfter) -> None:
        self._zones = zones
        self.max_gap_ms = max_gap_ms
        self.lost_after = lost_after
        self._clocks: dict[int, PartitionClock] = {}

    def forget(self, partition: int) -> None:
        """Forget the clock of a partition that left this worker."""
        self._clocks.pop(partition, None)

    def watermark_ms(self, partition: int) -> int | None:
        clock = self._clocks.get(partition)
        return None if clock is None else clock.watermark_ms

    def _clock(self, partition: int, table: StateTable, now_ms: int) -> PartitionClock:
        clock = self._clocks.get(partition)
        if clock is None:
            clock = self._clocks[partition] = self._rebuild(partition, table, now_ms)
        return clock

    def _rebuild(self, partition: int, table: StateTable, now_ms: int) -> PartitionClock:
        clock = PartitionClock()
        for key, state in table.items():
            track_id = key.decode()
            clock.set_deadline(track_id, lost_deadline(track_id, state, self.lost_after))
            newest = min(state.last_ts_ms, now_ms + MAX_AHEAD_MS)
            if clock.watermark_ms is None or newest > clock.watermark_ms:
                clock.watermark_ms = newest  # tracks due already go at the next record
        log.info("geofence clock rebuilt partition=%d tracks=%d", partition, len(clock))
        return clock

    def handle(self, point: TrackPoint, partition: int, record_ts_ms: int, table: StateTable,
               now_ms: int) -> Fenced:
        """Step ``point``'s track, then move the partition's clock and expire who is due.

        ``table`` holds the states of the partition's tracks (only); ``record_ts_ms`` is the
        timestamp of the record that carried the point (it bounds the clock).
        """
        zones = self._zones()
        key = point.track_id.encode()
        result = step(table.get(key), point, zones, self.max_gap_ms, self.lost_after)
        fenced = Fenced(result.outcome, result.events)  # the step's own new list
        if fenced.moved:
            table[key] = result.state
        clock = self._clock(partition, table, now_ms)
        clock.set_deadline(point.track_id,
                           lost_deadline(point.track_id, result.state, self.lost_after))
        for track_id in clock.advance(min(point.ts_ms, record_ts_ms + MAX_AHEAD_MS)):
            self._expire(track_id, clock, table, zones, fenced.events)
        return fenced

    def _expire(self, track_id: str, clock: PartitionClock, table: StateTable, zones: ZoneSet,
                events: list[ZoneEvent]) -> None:
        key = track_id.encode()
        state = table.get(key)
        if state is None or clock.watermark_ms is None:
            return
        state, lost = expire(track_id, state, clock.watermark_ms, zones, self.lost_after)
        if lost:
            table[key] = state
            events.extend(lost)
