"""The pipeline run offline, through the same track path the workers run.

Integration tests compare what the real workers wrote to the broker with this: the stages
are plain functions, and the track stage steps each track's reports in event-time order
(``docs/time.md``), so running the feed through
:class:`~pipeline.transport.offline_pipeline.OfflinePipeline` gives the exact records a
correct deployment must produce, whatever its partitioning, batching, pace or restarts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import orjson

from pipeline.eventtime.limits import TimeLimits
from pipeline.geofence.timers import LostAfter
from pipeline.geofence.zones import ZoneSet
from pipeline.identify.enrich import IdentifyContext
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


def run_inputs(streams: Sequence[tuple[str, str, bytes | None, list[bytes]]],
               record_ts_ms: int, partitions: int = 4) -> InputsResult:
    """Decode, judge, hold and step keyed input streams as a deployment with ``partitions``
    partitions does, each stream's records produced in order after the previous stream's.

    Args:
        streams: (format, full topic name, record key, record values) per stream.
        record_ts_ms: the timestamp of every record.
    """
    from pipeline.geofence.zones import ZoneSet
    from pipeline.identify.enrich import DEFAULT_ALLIED_COUNTRIES
    from pipeline.identify.rules import load_rule_table
    from pipeline.transport.offline import FORMATS
    from pipeline.transport.topics import TRACK_UPDATES

    zones = ZoneSet([])
    ctx = IdentifyContext.load(load_rule_table(), DEFAULT_ALLIED_COUNTRIES)
    # Without the direct step (it gives the same outputs, tests/unit/transport/
    # test_track_path.py), so that every accepted update is seen on its way.
    harness = _Harness(TrackPath(lambda: zones, ctx, 300_000, LostAfter()), partitions,
                       direct=False)
    result = InputsResult()
    index = 0
    for fmt, topic, key, values in streams:
        spec = FORMATS[fmt][0]
        tracks = result.tracks_by_stream.setdefault((topic, key), set())
        for value in values:
            partition = harness.input_partition(key, index)
            index += 1
            done = harness.feed(spec, partition, key, value, record_ts_ms, 0)
            harness.mark(spec, partition, False)
            handled = done.handled
            outcome = (topic, handled.outcome)
            result.outcomes[outcome] = result.outcomes.get(outcome, 0) + 1
            result.part_letters[topic] = (result.part_letters.get(topic, 0)
                                          + len(handled.part_reasons))
            routed = [o for o in handled.outputs if o.topic is TRACK_UPDATES]
            for out in routed:
                tracks.add((out.key or b"").decode())
                result.updates.append(orjson.loads(out.value))
    harness.finish(0)
    prefixes = {topic.removesuffix(FORMATS[fmt][0].name) for fmt, topic, _, _ in streams}
    (prefix,) = prefixes  # the harness names the topics without the deployment's prefix
    for out in harness.outputs:
        if out.topic is DEADLETTER:
            letter = orjson.loads(out.value)
            letter["topic"] = prefix + str(letter["topic"])
            result.deadletters.append(letter)
        elif out.topic is TRACK_POINTS:
            point = orjson.loads(out.value)
            result.points.setdefault(str(point["track_id"]), []).append(point)
    return result
