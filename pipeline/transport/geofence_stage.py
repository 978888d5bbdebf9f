"""The geofence of one partition: step a track's released report, fire the lost timers.

:meth:`GeofenceStage.handle` steps one report's track (``geofence/tracker.py``) and stores
its state. :meth:`GeofenceStage.fire` moves the partition's timer clock
(``geofence/timers.py``) to the event time the partition's watermarks allow
(``eventtime/watermarks.py``) and expires the tracks whose lost deadline it reached. The
clock is never moved by a report's own time: a report says nothing about the other tracks
of its partition, which may come from input partitions that are behind (the cause of
false ``track.lost`` bursts on a backlog, issue 13).

The clocks are derived state: rebuilt from the partition's table (the deadlines) and its
stored timer watermark on the partition's first use, dropped when the partition leaves
the worker.
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


class StateTable(Protocol):
    """The track states of one partition, by track key (a dict works in tests)."""

    def get(self, key: bytes, /) -> TrackState | None: ...

    def __setitem__(self, key: bytes, value: TrackState, /) -> None: ...

    def items(self) -> Iterable[tuple[bytes, TrackState]]: ...


class Fenced(NamedTuple):
    """The geofence's answer for one point."""

    outcome: StepOutcome
    events: list[ZoneEvent]

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

    def _clock(self, partition: int, table: StateTable, timers_ms: int | None,
               ) -> PartitionClock:
        clock = self._clocks.get(partition)
        if clock is None:
            clock = self._clocks[partition] = PartitionClock()
            for key, state in table.items():
                track_id = key.decode()
                clock.set_deadline(track_id, lost_deadline(track_id, state, self.lost_after))
            clock.watermark_ms = timers_ms
            log.info("geofence clock rebuilt partition=%d tracks=%d", partition, len(clock))
        return clock

    def handle(self, point: TrackPoint, partition: int, table: StateTable,
               timers_ms: int | None) -> Fenced:
        """Step ``point``'s track; ``table`` holds the states of the partition's tracks."""
        zones = self._zones()
        key = point.track_id.encode()
        result = step(table.get(key), point, zones, self.max_gap_ms, self.lost_after)
        fenced = Fenced(result.outcome, result.events)
        if fenced.moved:
            table[key] = result.state
            clock = self._clock(partition, table, timers_ms)
            clock.set_deadline(point.track_id,
                               lost_deadline(point.track_id, result.state, self.lost_after))
        return fenced

    def fire(self, partition: int, table: StateTable, timers_ms: int) -> list[ZoneEvent]:
        """Move the partition's timer clock to ``timers_ms``; the lost events now due."""
        clock = self._clock(partition, table, timers_ms)
        events: list[ZoneEvent] = []
        zones = self._zones()
        for track_id in clock.advance(timers_ms):
            key = track_id.encode()
            state = table.get(key)
            if state is None or clock.watermark_ms is None:
                continue
            state, lost = expire(track_id, state, clock.watermark_ms, zones, self.lost_after)
            if lost:
                table[key] = state
                events.extend(lost)
        return events
