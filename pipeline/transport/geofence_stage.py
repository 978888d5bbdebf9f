"""The geofence agent's work for one record: the track's step, then the partition's clock.

For each ``tracks.points`` record: step the track (``handlers.fence_point``) and store its
state; then move the partition's event-time clock (``geofence/timers.py``) to the record's
time and expire the partition's tracks whose lost deadline it reached, storing their states
and sending their ``track.lost`` events. Writes to other tracks' keys happen while handling a
record of the same partition, so faust puts them on the right changelog partition.

The clocks are derived state: built from the table on the first record of a partition
(every stored state carries its partition), dropped on every rebalance, rebuilt exactly
(the watermark is the newest ``last_ts_ms`` of the partition's tracks).
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
        self._clocks: dict[int, PartitionClock] | None = None

    def reset(self) -> None:
        """Forget the clocks (on a rebalance: partitions may have moved)."""
        self._clocks = None

    def _clock(self, partition: int, table: StateTable) -> PartitionClock:
        if self._clocks is None:
            self._clocks = self._rebuild(table)
        return self._clocks.setdefault(partition, PartitionClock())

    def _rebuild(self, table: StateTable) -> dict[int, PartitionClock]:
        clocks: dict[int, PartitionClock] = {}
        for key, value in table.items():
            if value is None:
                continue
            data = codec.load_state(value)
            partition = data.get("partition")
            if not isinstance(partition, int) or isinstance(partition, bool):
                continue
            state = TrackState.from_dict(data)
            clock = clocks.setdefault(partition, PartitionClock())
            track_id = key.decode()
            clock.set_deadline(track_id, lost_deadline(track_id, state, self.lost_after))
            if clock.watermark_ms is None or state.last_ts_ms > clock.watermark_ms:
                clock.watermark_ms = state.last_ts_ms  # tracks due already go at the next record
        log.info("geofence clocks rebuilt partitions=%d tracks=%d", len(clocks),
                 sum(len(c) for c in clocks.values()))
        return clocks

    def handle(self, raw: bytes, key: bytes | None, meta: RecordMeta, table: StateTable,
               now_ms: int) -> Handled:
        zones = self._zones()
        handled, point, result = fence_point(raw, key, meta, table.get(key or b""), zones,
                                             self.max_gap_ms, now_ms, self.lost_after)
        if handled.state is not None and key is not None:
            table[key] = handled.state
        if point is None or result is None or meta.partition is None:
            return handled
        clock = self._clock(meta.partition, table)
        clock.set_deadline(point.track_id,
                           lost_deadline(point.track_id, result.state, self.lost_after))
        for track_id in clock.advance(point.ts_ms):
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
