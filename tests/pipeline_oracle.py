"""The pipeline run offline, in order, through the same track path the workers run.

Integration tests compare what the real workers wrote to the broker with this: the stages
are plain functions, so processing the feed sequentially per track gives the exact records a
correct deployment must produce, whatever its partitioning, batching or restarts.

The track stage runs as in a worker: one :class:`TrackPath` with the updates of each track
on the partition the producer's default (murmur2) partitioner puts its key on, with that
partition's stores, so a partition's later traffic declares its silent tracks lost as on
the broker. When all input
lines go to ``adsb.sbs`` under one key, each ``tracks.points`` partition sees its tracks in
the input order, on the broker as here.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import orjson
from aiokafka.partitioner import DefaultPartitioner

from pipeline.geofence.timers import LostAfter
from pipeline.geofence.zones import ZoneSet
from pipeline.identify.enrich import IdentifyContext
from pipeline.transport import handlers
from pipeline.transport.handlers import RecordMeta
from pipeline.transport.topics import (
    ADSB_SBS,
    DEADLETTER,
    IDENTIFICATIONS,
    TRACK_POINTS,
    TRACK_UPDATES,
    ZONE_EVENTS,
)
from pipeline.transport.track_path import TrackPath, new_stores


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

    def __init__(self, zones: ZoneSet, ctx: IdentifyContext, partitions: int = 4,
                 max_gap_ms: int = 300_000, lost_after: LostAfter | None = None) -> None:
        self.zones = zones
        self.ctx = ctx
        self.partitions = partitions
        self.result = OracleResult()
        self._path = TrackPath(lambda: self.zones, ctx, max_gap_ms, lost_after or LostAfter())
        self._stores = [new_stores(TRACK_UPDATES, p) for p in range(partitions)]

    def feed(self, lines: Iterable[bytes], record_ts_ms: int = 0) -> OracleResult:
        result = self.result
        meta = RecordMeta("adsb.sbs", None, None, record_ts_ms)
        for line in lines:
            for update in self._path.process(ADSB_SBS, None, line, meta, {}, 0).handled.outputs:
                if update.topic is DEADLETTER:
                    result.deadletters.append(orjson.loads(update.value))
                    continue
                assert update.key is not None
                partition = partition_of(update.key, self.partitions)
                # Stamped now, as the decode stage stamps the re-keyed records.
                update_meta = RecordMeta("tracks.updates", partition, None,
                                         time.time_ns() // 1_000_000)
                done = self._path.process(TRACK_UPDATES, update.key, update.value, update_meta,
                                          self._stores[partition], 0)
                for out in done.handled.outputs:
                    if out.topic is TRACK_POINTS:
                        result.points += 1
                    elif out.topic is ZONE_EVENTS:
                        result.zone_events.append(orjson.loads(out.value))
                    else:
                        assert out.topic is IDENTIFICATIONS, out
                        result.identifications.append(orjson.loads(out.value))
        return result


def run_offline(lines: Iterable[bytes], zones: ZoneSet, ctx: IdentifyContext,
                record_ts_ms: int = 0, max_gap_ms: int = 300_000) -> OracleResult:
    return OfflinePipeline(zones, ctx, max_gap_ms=max_gap_ms).feed(lines, record_ts_ms)


@dataclass
class InputsResult:
    """What the decode and merge stages must produce for a set of keyed input streams."""

    points: dict[str, list[dict[str, object]]] = field(default_factory=dict)  # per track
    updates: list[dict[str, object]] = field(default_factory=list)
    deadletters: list[dict[str, object]] = field(default_factory=list)
    outcomes: dict[tuple[str, str], int] = field(default_factory=dict)  # (topic, outcome)
    part_letters: dict[str, int] = field(default_factory=dict)  # per topic
    tracks_by_stream: dict[tuple[str, bytes | None], set[str]] = field(default_factory=dict)


def run_inputs(streams: Iterable[tuple[str, str, bytes | None, list[bytes]]],
               record_ts_ms: int) -> InputsResult:
    """Decode and merge keyed input streams in order, as one worker would.

    Args:
        streams: (format, full topic name, record key, record values) per stream; AIS
            reassembly state is per key, as in the app's table.
        record_ts_ms: the timestamp of every record.
    """
    from pipeline.transport import inputs as input_handlers
    from pipeline.transport.offline import FORMATS

    result = InputsResult()
    memory: dict[bytes, bytes] = {}
    ais_state: dict[bytes, bytes] = {}
    for fmt, topic, key, values in streams:
        _, _, handler = FORMATS[fmt]
        tracks = result.tracks_by_stream.setdefault((topic, key), set())
        for value in values:
            meta = RecordMeta(topic, None, None, record_ts_ms)
            if handler is None:
                stream = key or b""
                handled = input_handlers.handle_ais(value, meta, ais_state.get(stream), 0)
                if handled.state is not None:
                    ais_state[stream] = handled.state
                elif handled.drop_state:
                    ais_state.pop(stream, None)
            else:
                handled = handler(value, meta, 0)
            outcome = (topic, handled.outcome)
            result.outcomes[outcome] = result.outcomes.get(outcome, 0) + 1
            result.part_letters[topic] = (result.part_letters.get(topic, 0)
                                          + len(handled.part_reasons))
            for out in handled.outputs:
                assert out.topic is DEADLETTER, out
                result.deadletters.append(orjson.loads(out.value))
            for out in handlers.update_outputs(handled):
                assert out.key is not None
                tracks.add(out.key.decode())
                result.updates.append(orjson.loads(out.value))
                merged = handlers.handle_update(out.value, out.key, meta, memory.get(out.key), 0)
                if merged.state is not None:
                    memory[out.key] = merged.state
                for point in merged.outputs:
                    assert point.topic is TRACK_POINTS
                    result.points.setdefault(out.key.decode(), []).append(
                        orjson.loads(point.value))
    return result
