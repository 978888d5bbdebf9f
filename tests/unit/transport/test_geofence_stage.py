"""The geofence stage: a partition's traffic declares its silent tracks lost; restarts
rebuild the clocks from the partition's states; a report far ahead of its record cannot move
the clock there; every event type is schema-valid; identify skips the new
types."""

from __future__ import annotations

import orjson

from pipeline.geofence.state import TrackState
from pipeline.geofence.timers import LostAfter
from pipeline.geofence.zones import ZoneSet, load_zone_collection
from pipeline.identify.enrich import DEFAULT_ALLIED_COUNTRIES, IdentifyContext
from pipeline.identify.rules import load_rule_table
from pipeline.identify.stage import on_zone_event
from pipeline.model.track import Source, TrackKind, TrackPoint
from pipeline.transport import codec
from pipeline.transport.geofence_stage import GeofenceStage
from tests.schema_check import assert_valid

T0 = 1_721_800_000_000
RECORD_MS = T0 + 86_400_000  # the records' own timestamps: a day after the reports
SQUARE = [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]


def _zones(**props: object) -> ZoneSet:
    feature = {"type": "Feature", "properties": {"id": "sq", "name": "SQ", **props},
               "geometry": {"type": "Polygon", "coordinates": SQUARE}}
    return ZoneSet(load_zone_collection({"type": "FeatureCollection", "features": [feature]}))


def _record(icao: str, seconds: float, lat: float, lon: float,
            alt: int | None = None) -> TrackPoint:
    return TrackPoint(f"icao24:{icao}", TrackKind.AIRCRAFT, Source.SBS,
                      T0 + round(seconds * 1000), lat, lon, icao24=icao, alt_ft=alt)


def _feed(stage: GeofenceStage, table: dict[bytes, TrackState],
          records: list[TrackPoint], partition: int = 0) -> list[dict[str, object]]:
    """The events of each point as the pipeline publishes them (schema-checked)."""
    events = []
    for point in records:
        for zone_event in stage.handle(point, partition, RECORD_MS, table, RECORD_MS).events:
            event = orjson.loads(codec.encode_zone_event(zone_event))
            assert_valid("zones.events", event)
            events.append(event)
    return events


def _brief(events: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(e["track_id"], e["type"], e["time"]) for e in events]


def test_later_traffic_on_the_partition_declares_a_silent_track_lost() -> None:
    zones = _zones()
    table: dict[bytes, TrackState] = {}
    stage = GeofenceStage(lambda: zones, 300_000, LostAfter())
    events = _feed(stage, table, [
        _record("aaaaaa", 0, 5, 5),        # inside, then silent
        _record("bbbbbb", 0, 20, 20),      # outside, keeps reporting
        _record("bbbbbb", 300, 20, 20.5),
        _record("bbbbbb", 599, 20, 21),
        _record("bbbbbb", 600, 20, 21.1),  # A's deadline reached: A is lost now
        _record("bbbbbb", 900, 20, 22),
        _record("aaaaaa", 1000, 6, 6),     # A again: regained, not lost twice
    ])
    assert _brief(events) == [
        ("icao24:aaaaaa", "zone.entry", "2024-07-24T05:46:40.000Z"),
        ("icao24:aaaaaa", "track.lost", "2024-07-24T05:56:40.000Z"),
        ("icao24:aaaaaa", "track.regained", "2024-07-24T06:03:20.000Z"),
    ]
    lost, regained = events[1], events[2]
    assert (lost["lat"], lost["lon"], lost["last_seen"]) == (5.0, 5.0, "2024-07-24T05:46:40.000Z")
    assert (regained["lat"], regained["lon"]) == (6.0, 6.0)
    assert table[b"icao24:aaaaaa"].lost_at_ms is None  # regained


def test_a_restarted_stage_rebuilds_its_clock_from_the_table() -> None:
    zones = _zones()
    table: dict[bytes, TrackState] = {}
    first = GeofenceStage(lambda: zones, 300_000, LostAfter())
    _feed(first, table, [_record("aaaaaa", 0, 5, 5), _record("bbbbbb", 500, 20, 20)])
    restarted = GeofenceStage(lambda: zones, 300_000, LostAfter())
    # The watermark (500 s) comes back from the stored states: a record at 550 s does not
    # reach A's deadline, one at 601 s does.
    assert _feed(restarted, table, [_record("bbbbbb", 550, 20, 20.1)]) == []
    assert _brief(_feed(restarted, table, [_record("bbbbbb", 601, 20, 20.2)])) == [
        ("icao24:aaaaaa", "track.lost", "2024-07-24T05:56:40.000Z")]


def test_a_report_far_ahead_of_its_record_does_not_move_the_clock_there() -> None:
    zones = _zones()
    table: dict[bytes, TrackState] = {}
    stage = GeofenceStage(lambda: zones, 300_000, LostAfter())
    year_s = 365 * 86_400
    events = _feed(stage, table, [
        _record("aaaaaa", 0, 5, 5),               # inside
        _record("cccccc", 2 * year_s, 20, 20),    # a report dated two years ahead
        _record("cccccc", 2 * year_s + 1, 20, 20.1),
    ])
    # The clock stops at the records' time + 10 min (a day after A), so A is lost once, at
    # its deadline, not at the hostile report's time; the track itself steps as it likes.
    assert _brief(events) == [
        ("icao24:aaaaaa", "zone.entry", "2024-07-24T05:46:40.000Z"),
        ("icao24:aaaaaa", "track.lost", "2024-07-24T05:56:40.000Z")]
    _feed(stage, table, [_record("aaaaaa", 60, 5, 5.1)])
    clock_ms = stage._clocks[0].watermark_ms
    assert clock_ms == RECORD_MS + 600_000


def test_other_partitions_do_not_move_the_clock() -> None:
    zones = _zones()
    table: dict[bytes, TrackState] = {}
    stage = GeofenceStage(lambda: zones, 300_000, LostAfter())
    _feed(stage, table, [_record("aaaaaa", 0, 5, 5)], partition=0)
    other: dict[bytes, TrackState] = {}  # each partition has its own states
    assert _feed(stage, other, [_record("bbbbbb", 5000, 20, 20)], partition=1) == []
    assert _brief(_feed(stage, table, [_record("cccccc", 601, 20, 20)], partition=0)) == [
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
