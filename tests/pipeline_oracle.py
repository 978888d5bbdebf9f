"""The pipeline run offline, in order, through the same handlers the agents call.

Integration tests compare what the real workers wrote to the broker with this: the handlers
are plain functions, so processing the feed sequentially per track gives the exact records a
correct deployment must produce, whatever its partitioning or restarts.

The geofence runs as the agent does: one :class:`GeofenceStage` with the points of each
track on the partition the producer's default (murmur2) partitioner puts its key on, so a
partition's later traffic declares its silent tracks lost as on the broker. When all input
lines go to ``adsb.sbs`` under one key, each ``tracks.points`` partition sees its tracks in
the input order, on the broker as here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import orjson
from aiokafka.partitioner import DefaultPartitioner

from pipeline.geofence.timers import LostAfter
from pipeline.geofence.zones import ZoneSet
from pipeline.identify.identity import Identifier
from pipeline.transport import handlers
from pipeline.transport.geofence_stage import GeofenceStage
from pipeline.transport.handlers import RecordMeta
from pipeline.transport.topics import DEADLETTER, IDENTIFICATIONS, TRACK_POINTS, ZONE_EVENTS


@dataclass
class OracleResult:
    points: int = 0
    zone_events: list[dict[str, object]] = field(default_factory=list)
    identifications: list[dict[str, object]] = field(default_factory=list)
    deadletters: list[dict[str, object]] = field(default_factory=list)


def partition_of(key: bytes, partitions: int) -> int:
    """The partition aiokafka's (and Kafka's) default partitioner gives ``key``."""
    chosen: int = DefaultPartitioner()(key, list(range(partitions)), list(range(partitions)))
    return chosen


class OfflinePipeline:
    """The stages in order; ``zones`` may be replaced between two :meth:`feed` calls."""

    def __init__(self, zones: ZoneSet, identifier: Identifier, partitions: int = 4,
                 max_gap_ms: int = 300_000, lost_after: LostAfter | None = None) -> None:
        self.zones = zones
        self.identifier = identifier
        self.partitions = partitions
        self.result = OracleResult()
        self._memory: dict[bytes, bytes] = {}
        self._fence: dict[bytes, bytes] = {}
        self._stage = GeofenceStage(lambda: self.zones, max_gap_ms, lost_after or LostAfter())

    def feed(self, lines: Iterable[bytes], record_ts_ms: int = 0) -> OracleResult:
        result = self.result
        meta = RecordMeta("adsb.sbs", None, None, record_ts_ms)
        for line in lines:
            for update in handlers.handle_sbs(line, meta, 0).outputs:
                if update.topic is DEADLETTER:
                    result.deadletters.append(orjson.loads(update.value))
                    continue
                assert update.key is not None
                merged = handlers.handle_update(update.value, update.key, meta,
                                                self._memory.get(update.key), 0)
                if merged.state is not None:
                    self._memory[update.key] = merged.state
                for point in merged.outputs:
                    assert point.topic is TRACK_POINTS and point.key is not None
                    result.points += 1
                    point_meta = RecordMeta("tracks.points",
                                            partition_of(point.key, self.partitions), None, 0)
                    fenced = self._stage.handle(point.value, point.key, point_meta,
                                                self._fence, 0)
                    for event in fenced.outputs:
                        assert event.topic is ZONE_EVENTS
                        result.zone_events.append(orjson.loads(event.value))
                        for ident in handlers.handle_zone_event(event.value, meta,
                                                                self.identifier, 0).outputs:
                            assert ident.topic is IDENTIFICATIONS
                            result.identifications.append(orjson.loads(ident.value))
        return result


def run_offline(lines: Iterable[bytes], zones: ZoneSet, identifier: Identifier,
                record_ts_ms: int = 0, max_gap_ms: int = 300_000) -> OracleResult:
    return OfflinePipeline(zones, identifier, max_gap_ms=max_gap_ms).feed(lines, record_ts_ms)
