"""The pipeline run offline, through the same track path the workers run.

Integration tests compare what the real workers wrote to the broker with this: the stages
are plain functions, and the track stage steps each track's reports in event-time order
(``docs/time.md``), so running the feed through
:class:`~pipeline.transport.offline_pipeline.OfflinePipeline` gives the exact records a
correct deployment must produce, whatever its partitioning, batching, pace or restarts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import orjson

from pipeline.eventtime.limits import TimeLimits
from pipeline.geofence.timers import LostAfter
from pipeline.geofence.zones import ZoneSet
from pipeline.identify.enrich import IdentifyContext
from pipeline.transport import handlers
from pipeline.transport.handlers import RecordMeta
from pipeline.transport.offline_pipeline import OfflinePipeline as _Harness
from pipeline.transport.offline_pipeline import partition_of
from pipeline.transport.topics import (
    ADSB_SBS,
    DEADLETTER,
    IDENTIFICATIONS,
    TRACK_POINTS,
    ZONE_EVENTS,
)
from pipeline.transport.track_path import TrackPath

__all__ = ["OfflinePipeline", "OracleResult", "partition_of", "run_offline"]

WALL_MS = 1_798_761_600_000
"""2027-01-01: the record timestamp the oracle gives records (after every recording)."""


@dataclass
class OracleResult:
    points: int = 0
    zone_events: list[dict[str, object]] = field(default_factory=list)
    identifications: list[dict[str, object]] = field(default_factory=list)
    deadletters: list[dict[str, object]] = field(default_factory=list)


class OfflinePipeline:
    """SBS lines under one key through the offline harness; ``zones`` may be replaced
    between two :meth:`feed` calls. Each :meth:`feed` ends with every source idle (the
    input caught up), so everything fed so far is stepped."""

    def __init__(self, zones: ZoneSet, ctx: IdentifyContext, partitions: int = 4,
                 max_gap_ms: int = 300_000, lost_after: LostAfter | None = None,
                 limits: TimeLimits | None = None, key: bytes | None = b"feeds") -> None:
        self.zones = zones
        self.ctx = ctx
        self.partitions = partitions
        self.key = key
        self.result = OracleResult()
        path = TrackPath(lambda: self.zones, ctx, max_gap_ms, lost_after or LostAfter(),
                         limits)
        self.harness = _Harness(path, partitions)

    def feed(self, lines: Iterable[bytes], record_ts_ms: int = WALL_MS) -> OracleResult:
        start = len(self.harness.outputs)
        self.harness.run((ADSB_SBS, self.key, line, record_ts_ms) for line in lines)
        result = self.result
        for out in self.harness.outputs[start:]:
            if out.topic is TRACK_POINTS:
                result.points += 1
            elif out.topic is ZONE_EVENTS:
                result.zone_events.append(orjson.loads(out.value))
            elif out.topic is IDENTIFICATIONS:
                result.identifications.append(orjson.loads(out.value))
            else:
                assert out.topic is DEADLETTER, out
                result.deadletters.append(orjson.loads(out.value))
        return result


def run_offline(lines: Iterable[bytes], zones: ZoneSet, ctx: IdentifyContext,
                record_ts_ms: int = WALL_MS, max_gap_ms: int = 300_000) -> OracleResult:
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
