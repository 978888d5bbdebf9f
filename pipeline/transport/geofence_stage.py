"""The geofence agent's work for one record: the track's step, then the partition's clock.

For each ``tracks.points`` record: step the track (``handlers.fence_point``) and store its
state; then move the partition's event-time clock (``geofence/timers.py``) to the record's
time and expire the partition's tracks whose lost deadline it reached, storing their states
and sending their ``track.lost`` events. Writes to other tracks' keys happen while handling a
record of the same partition, so faust puts them on the right changelog partition.

The clocks are derived state: built from the table on the first record of a partition
(every stored state carries its partition), dropped when the partition leaves the worker,
rebuilt exactly (the watermark is the newest ``last_ts_ms`` of the partition's tracks).

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
from typing import Protocol

from pipeline.geofence.state import TrackState
from pipeline.geofence.timers import LostAfter, PartitionClock, expire, lost_deadline
from pipeline.geofence.zones import ZoneSet
from pipeline.transport import codec
from pipeline.transport.handlers import Handled, Output, RecordMeta, dump_track_state, fence_point
from pipeline.transport.topics import ZONE_EVENTS

log = logging.getLogger(__name__)

MAX_AHEAD_MS = 10 * 60_000
"""How far a report may move its partition's clock past the record's timestamp."""


class StateTable(Protocol):
    """What the stage needs of the faust table (a dict works in tests)."""

    def get(self, key: bytes, /) -> bytes | None: ...

    def __setitem__(self, key: bytes, value: bytes, /) -> None: ...

    def items(self) -> Iterable[tuple[bytes, bytes]]: ...


class GeofenceStage:
    """Steps tracks and expires silent ones; one instance per worker."""

    def __init__(self, zones: Callable[[], ZoneSet], max_gap_ms: int,
                 lost_after: LostAfter) -> None:
        self._zones = zones
        self.max_gap_ms = max_gap_ms
        self.lost_after = lost_after
        self._clocks: dict[int, PartitionClock] = {}

    def reset(self) -> None:
        """Forget every clock (partitions may have moved)."""
        self._clocks = {}

    def forget(self, partition: int) -> None:
        """Forget the clock of a partition that left this worker."""
        self._clocks.pop(partition, None)

    def _clock(self, partition: int, table: StateTable, now_ms: int) -> PartitionClock:
        clock = self._clocks.get(partition)
        if clock is None:
            clock = self._clocks[partition] = self._rebuild(partition, table, now_ms)
        return clock

    def _rebuild(self, partition: int, table: StateTable, now_ms: int) -> PartitionClock:
        clock = PartitionClock()
        for key, value in table.items():
            if value is None:
                continue
            data = codec.load_state(value)
            if data.get("partition") != partition:
                continue
            state = TrackState.from_dict(data)
            track_id = key.decode()
            clock.set_deadline(track_id, lost_deadline(track_id, state, self.lost_after))
            newest = min(state.last_ts_ms, now_ms + MAX_AHEAD_MS)
            if clock.watermark_ms is None or newest > clock.watermark_ms:
                clock.watermark_ms = newest  # tracks due already go at the next record
        log.info("geofence clock rebuilt partition=%d tracks=%d", partition, len(clock))
        return clock

    def handle(self, raw: bytes, key: bytes | None, meta: RecordMeta, table: StateTable,
               now_ms: int) -> Handled:
        zones = self._zones()
        handled, point, result = fence_point(raw, key, meta, table.get(key or b""), zones,
                                             self.max_gap_ms, now_ms, self.lost_after)
        if handled.state is not None and key is not None:
            table[key] = handled.state
        if point is None or result is None or meta.partition is None:
            return handled
        clock = self._clock(meta.partition, table, now_ms)
        clock.set_deadline(point.track_id,
                           lost_deadline(point.track_id, result.state, self.lost_after))
        for track_id in clock.advance(min(point.ts_ms, meta.timestamp_ms + MAX_AHEAD_MS)):
            self._expire(track_id, clock, meta, table, zones, handled)
        return handled

    def _expire(self, track_id: str, clock: PartitionClock, meta: RecordMeta,
                table: StateTable, zones: ZoneSet, handled: Handled) -> None:
        key = track_id.encode()
        stored = table.get(key)
        if stored is None or clock.watermark_ms is None:
            return
        state, events = expire(track_id, TrackState.from_dict(codec.load_state(stored)),
                               clock.watermark_ms, zones, self.lost_after)
        if not events:
            return
        table[key] = dump_track_state(state, meta.partition)
        handled.outputs.extend(Output(ZONE_EVENTS, key, codec.encode_zone_event(event))
                               for event in events)
