"""The geofence stage: the partition's timer watermark declares its silent tracks lost, a
report's own time never does; restarts rebuild the clocks from the partition's states and
the stored watermark; every event type is schema-valid; identify skips the new types."""

from __future__ import annotations

import orjson

from pipeline.geofence.state import TrackState
from pipeline.geofence.timers import LostAfter
from pipeline.geofence.zones import ZoneSet, load_zone_collection
from pipeline.identify.enrich import DEFAULT_ALLIED_COUNTRIES, IdentifyContext
from pipeline.identify.rules import load_rule_table
from pipeline.identify.stage import on_zone_event
from pipeline.model.events import ZoneEvent
from pipeline.model.track import Source, TrackKind, TrackPoint
from pipeline.transport import codec
from pipeline.transport.geofence_stage import GeofenceStage
from tests.schema_check import assert_valid

T0 = 1_721_800_000_000
SQUARE = [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]


def _zones(**props: object) -> ZoneSet:
    feature = {"type": "Feature", "properties": {"id": "sq", "name": "SQ", **props},
               "geometry": {"type": "Polygon", "coordinates": SQUARE}}
    return ZoneSet(load_zone_collection({"type": "FeatureCollection", "features": [feature]}))


def _record(icao: str, seconds: float, lat: float, lon: float,
            alt: int | None = None) -> TrackPoint:
    return TrackPoint(f"icao24:{icao}", TrackKind.AIRCRAFT, Source.SBS,
                      T0 + round(seconds * 1000), lat, lon, icao24=icao, alt_ft=alt)


def _publish(zone_events: list[ZoneEvent]) -> list[dict[str, object]]:
    events = []
    for zone_event in zone_events:
        event = orjson.loads(codec.encode_zone_event(zone_event))
        assert_valid("zones.events", event)
        events.append(event)
    return events


def _feed(stage: GeofenceStage, table: dict[bytes, TrackState],
          records: list[TrackPoint], partition: int = 0,
          timers_ms: int | None = None) -> list[dict[str, object]]:
    """The events of each point as the pipeline publishes them (schema-checked)."""
    events = []
    for point in records:
        events.extend(_publish(stage.handle(point, partition, table, timers_ms).events))
    return events


def _fire(stage: GeofenceStage, table: dict[bytes, TrackState], seconds: float,
          partition: int = 0) -> list[dict[str, object]]:
    return _publish(stage.fire(partition, table, T0 + round(seconds * 1000)))


def _brief(events: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(e["track_id"], e["type"], e["time"]) for e in events]


def test_the_watermark_declares_a_silent_track_lost() -> None:
    zones = _zones()
    table: dict[bytes, TrackState] = {}
    stage = GeofenceStage(lambda: zones, 300_000, LostAfter())
    entry = _feed(stage, table, [_record("aaaaaa", 0, 5, 5)])      # inside, then silent
    assert _fire(stage, table, 599.999) == []
    lost = _fire(stage, table, 600)                                   # its deadline
    assert _fire(stage, table, 900) == []                             # lost once
    regained = _feed(stage, table, [_record("aaaaaa", 1000, 6, 6)])
    assert _brief(entry + lost + regained) == [
        ("icao24:aaaaaa", "zone.entry", "2024-07-24T05:46:40.000Z"),
        ("icao24:aaaaaa", "track.lost", "2024-07-24T05:56:40.000Z"),
        ("icao24:aaaaaa", "track.regained", "2024-07-24T06:03:20.000Z"),
    ]
    assert (lost[0]["lat"], lost[0]["lon"], lost[0]["last_seen"]) == (
        5.0, 5.0, "2024-07-24T05:46:40.000Z")
    assert (regained[0]["lat"], regained[0]["lon"]) == (6.0, 6.0)
    assert table[b"icao24:aaaaaa"].lost_at_ms is None  # regained


def test_a_report_of_another_track_never_moves_the_clock() -> None:
    # Issue 13: the partition's newest report is no clock. B's report two years ahead (or
    # merely ten minutes later, from an input partition that is ahead) says nothing of A.
    zones = _zones()
    table: dict[bytes, TrackState] = {}
    stage = GeofenceStage(lambda: zones, 300_000, LostAfter())
    year_s = 365 * 86_400
    events = _feed(stage, table, [
        _record("aaaaaa", 0, 5, 5),
        _record("bbbbbb", 601, 20, 20),
        _record("cccccc", 2 * year_s, 20, 20),
    ])
    assert _brief(events) == [("icao24:aaaaaa", "zone.entry", "2024-07-24T05:46:40.000Z")]
    assert stage.watermark_ms(0) is None


def test_a_restarted_stage_rebuilds_its_clock_from_the_table_and_the_watermark() -> None:
    zones = _zones()
    table: dict[bytes, TrackState] = {}
    first = GeofenceStage(lambda: zones, 300_000, LostAfter())
    _feed(first, table, [_record("aaaaaa", 0, 5, 5), _record("bbbbbb", 500, 20, 20)])
    assert _fire(first, table, 500) == []
    restarted = GeofenceStage(lambda: zones, 300_000, LostAfter())
    # The deadlines come back from the stored states, the watermark from its store.
    assert _feed(restarted, table, [_record("bbbbbb", 550, 20, 20.1)],
                 timers_ms=T0 + 500_000) == []
    assert restarted.watermark_ms(0) == T0 + 500_000
    assert _brief(_fire(restarted, table, 601)) == [
        ("icao24:aaaaaa", "track.lost", "2024-07-24T05:56:40.000Z")]


def test_other_partitions_do_not_move_the_clock() -> None:
    zones = _zones()
    table: dict[bytes, TrackState] = {}
    stage = GeofenceStage(lambda: zones, 300_000, LostAfter())
    _feed(stage, table, [_record("aaaaaa", 0, 5, 5)], partition=0)
    other: dict[bytes, TrackState] = {}  # each partition has its own states
    assert _feed(stage, other, [_record("bbbbbb", 5000, 20, 20)], partition=1) == []
    assert _fire(stage, other, 5000, partition=1) == []
    assert _brief(_fire(stage, table, 601, partition=0)) == [
        ("icao24:aaaaaa", "track.lost", "2024-07-24T05:56:40.000Z")]


def test_every_event_type_is_schema_valid_and_identify_skips_the_new_ones() -> None:
    zones = _zones(floor_ft=0, ceiling_ft=20000, dwell_s=60)
    table: dict[bytes, TrackState] = {}
    stage = GeofenceStage(lambda: zones, 300_000, LostAfter())
    events = _feed(stage, table, [
        _record("aaaaaa", 0, 5, -1, alt=10000), _record("aaaaaa", 100, 5, 1, alt=10000),
        _record("aaaaaa", 200, 5, 2, alt=30000), _record("aaaaaa", 300, 5, 3, alt=10000),
        _record("aaaaaa", 1000, 5, 4, alt=10000)])
    assert [(e["type"], e["via"]) for e in events] == [
        ("zone.entry", "lateral"), ("zone.dwell", None), ("zone.exit", "ceiling"),
        ("zone.entry", "ceiling"), ("track.lost", None), ("track.regained", None),
        ("zone.dwell", None)]  # the second visit's dwell, seen at the report after the gap
    ctx = IdentifyContext.load(load_rule_table(), DEFAULT_ALLIED_COUNTRIES)
    state = None
    published = []
    for event in events:
        state, found = on_zone_event(state, codec.decode_zone_event(orjson.dumps(event)), ctx,
                                     zones)
        published.extend((event["type"], i.trigger.value, i.identity.value) for i in found)
        for ident in found:
            assert_valid("alerts.identification",
                         orjson.loads(codec.encode_identification(ident)))
    # Entries and exits always publish; dwell and lost do not; regained inside a zone is an
    # anomaly that makes the uncorrelated track suspect.
    assert published == [
        ("zone.entry", "zone.entry", "unknown"), ("zone.exit", "zone.exit", "unknown"),
        ("zone.entry", "zone.entry", "unknown"),
        ("track.regained", "identity.change", "suspect")]
