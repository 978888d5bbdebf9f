"""The geofence step with the optional zone rules: bands and vertical crossings, applies_to,
circles, dwell, hysteresis, lost and regained."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from pipeline.geofence.state import Pending, TrackState, Visit
from pipeline.geofence.timers import LostAfter, PartitionClock, expire, lost_deadline
from pipeline.geofence.tracker import StepOutcome, step
from pipeline.geofence.zones import ZoneSet, load_zone_collection
from pipeline.model.events import Boundary, ZoneEvent
from pipeline.model.track import Source, TrackKind, TrackPoint

T0 = 1_721_800_000_000
SQUARE = [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]


def _zones(**props: object) -> ZoneSet:
    feature = {"type": "Feature", "properties": {"id": "sq", "name": "SQ", **props},
               "geometry": {"type": "Polygon", "coordinates": SQUARE}}
    return ZoneSet(load_zone_collection({"type": "FeatureCollection", "features": [feature]}))


def _pt(seconds: float, lat: float, lon: float, alt: int | None = None,
        kind: TrackKind = TrackKind.AIRCRAFT) -> TrackPoint:
    track_id = "icao24:abcdef" if kind is TrackKind.AIRCRAFT else "mmsi:366999999"
    return TrackPoint(track_id=track_id, kind=kind, source=Source.SBS,
                      ts_ms=T0 + round(seconds * 1000), lat_deg=lat, lon_deg=lon, alt_ft=alt)


def _run(zones: ZoneSet, points: Sequence[TrackPoint]) -> tuple[TrackState | None,
                                                                list[ZoneEvent]]:
    state: TrackState | None = None
    events: list[ZoneEvent] = []
    for point in points:
        result = step(state, point, zones)
        state = result.state
        events.extend(result.events)
    return state, events


def _summary(events: Sequence[ZoneEvent]) -> list[tuple[object, ...]]:
    return [(e.transition.value, (e.at_ms - T0) / 1000, round(e.lat_deg, 6), round(e.lon_deg, 6),
             e.alt_ft, e.via.value if e.via else None) for e in events]


def test_altitude_band_decides_inside_at_a_report() -> None:
    zones = _zones(floor_ft=1000, ceiling_ft=10000)
    assert _run(zones, [_pt(0, 5, 5, alt=20000)])[1] == []
    assert _summary(_run(zones, [_pt(0, 5, 5, alt=10000)])[1]) == [
        ("zone.entry", 0.0, 5.0, 5.0, 10000.0, None)]
    # Unknown altitude cannot rule the aircraft out; vessels ignore bands.
    assert len(_run(zones, [_pt(0, 5, 5)])[1]) == 1
    assert len(_run(zones, [_pt(0, 5, 5, kind=TrackKind.VESSEL)])[1]) == 1


def test_climbing_through_the_ceiling_is_an_interpolated_exit() -> None:
    zones = _zones(floor_ft=1000, ceiling_ft=10000)
    _, events = _run(zones, [_pt(0, 5, 4, alt=8000), _pt(100, 5, 6, alt=12000)])
    assert _summary(events) == [
        ("zone.entry", 0.0, 5.0, 4.0, 8000.0, None),
        ("zone.exit", 50.0, 5.0, 5.0, 10000.0, "ceiling"),
    ]
    assert events[1].interpolated


def test_descending_through_the_ceiling_and_floor_inside_the_footprint() -> None:
    zones = _zones(floor_ft=1000, ceiling_ft=10000)
    _, events = _run(zones, [_pt(0, 5, 4, alt=12000), _pt(120, 5, 6, alt=0)])
    assert _summary(events) == [
        ("zone.entry", 20.0, 5.0, 4.333333, 10000.0, "ceiling"),
        ("zone.exit", 110.0, 5.0, 5.833333, 1000.0, "floor"),
    ]


def test_lateral_entry_below_the_floor_then_climbing_through_it() -> None:
    zones = _zones(floor_ft=1000)
    # Crosses x=0 at t=50 s at 500 ft, reaches 1000 ft at t=100 s.
    _, events = _run(zones, [_pt(0, 5, -1, alt=0), _pt(200, 5, 3, alt=2000)])
    assert _summary(events) == [("zone.entry", 100.0, 5.0, 1.0, 1000.0, "floor")]


def test_a_three_dimensional_touch_is_not_an_entry() -> None:
    # Reaches the ceiling exactly where it leaves the footprint: inside for an instant only.
    zones = _zones(ceiling_ft=10000)
    _, events = _run(zones, [_pt(0, 5, 9, alt=12000), _pt(100, 5, 11, alt=8000)])
    assert events == []


def test_applies_to_filters_kinds() -> None:
    zones = _zones(applies_to="vessel")
    assert _run(zones, [_pt(0, 5, 5)])[1] == []
    assert len(_run(zones, [_pt(0, 5, 5, kind=TrackKind.VESSEL)])[1]) == 1


def test_circle_zone_crossing() -> None:
    feature = {"type": "Feature", "properties": {"id": "c", "radius_nm": 60},
               "geometry": {"type": "Point", "coordinates": [0.0, 0.0]}}
    zones = ZoneSet(load_zone_collection({"type": "FeatureCollection", "features": [feature]}))
    _, events = _run(zones, [_pt(0, 0, -2), _pt(200, 0, 2)])
    assert [(e.transition.value, e.via) for e in events] == [
        ("zone.entry", Boundary.LATERAL), ("zone.exit", Boundary.LATERAL)]
    # 60 NM = 1.0 degree of arc on the sphere: entry at a quarter, exit at three quarters.
    assert [(e.at_ms - T0) / 1000 for e in events] == pytest.approx([50.0, 150.0], abs=0.1)


def test_dwell_is_reported_once_at_entry_plus_the_dwell_time() -> None:
    zones = _zones(dwell_s=100)
    _, events = _run(zones, [_pt(0, 5, -1), _pt(60, 5, 2), _pt(120, 5, 5), _pt(180, 5, 8),
                             _pt(240, 5, 11)])
    assert _summary(events) == [
        ("zone.entry", 20.0, 5.0, 0.0, None, "lateral"),
        ("zone.dwell", 120.0, 5.0, 5.0, None, None),
        ("zone.exit", 220.0, 5.0, 10.0, None, "lateral"),
    ]


def test_dwell_due_inside_a_segment_is_interpolated_before_the_exit() -> None:
    zones = _zones(dwell_s=100)
    _, events = _run(zones, [_pt(0, 5, 5), _pt(200, 5, 15)])
    assert _summary(events) == [
        ("zone.entry", 0.0, 5.0, 5.0, None, None),
        ("zone.dwell", 100.0, 5.0, 10.0, None, None),
        ("zone.exit", 100.0, 5.0, 10.0, None, "lateral"),
    ]
    # Leaving earlier: no dwell.
    assert [e.transition.value for e in _run(zones, [_pt(0, 5, 5), _pt(50, 5, 15)])[1]] == [
        "zone.entry", "zone.exit"]


def test_hysteresis_in_time_ignores_a_skim_and_back_dates_a_real_entry() -> None:
    zones = _zones(min_inside_s=60)
    # Inside from 10 s to 30 s only: nothing at all.
    assert _run(zones, [_pt(0, 5, -1), _pt(20, 5, 1), _pt(40, 5, -1)])[1] == []
    state, events = _run(zones, [_pt(0, 5, -1), _pt(20, 5, 1)])
    assert events == [] and state is not None and state.inside == ()
    assert [p.zone_id for p in state.pending] == ["sq"]
    # Still inside at 100 s: the entry counts, with its crossing time and position.
    state, events = _run(zones, [_pt(0, 5, -1), _pt(20, 5, 1), _pt(100, 5, 2)])
    assert _summary(events) == [("zone.entry", 10.0, 5.0, 0.0, None, "lateral")]
    assert state is not None and state.inside == ("sq",) and state.pending == ()


def test_hysteresis_in_distance() -> None:
    zones = _zones(min_inside_nm=150)  # 277.8 km, 2.5 degrees of longitude at 5N
    # In 1 degree and back out: 2 degrees inside in all, not enough.
    assert _run(zones, [_pt(0, 5, -1), _pt(60, 5, 1), _pt(120, 5, -1)])[1] == []
    _, events = _run(zones, [_pt(0, 5, -1), _pt(60, 5, 1), _pt(120, 5, 3), _pt(180, 5, 11)])
    assert [(e.transition.value, (e.at_ms - T0) / 1000) for e in events] == [
        ("zone.entry", 30.0), ("zone.exit", 172.5)]


def test_lost_then_regained_from_the_tracks_own_next_report() -> None:
    zones = _zones()
    _, events = _run(zones, [_pt(0, 5, 5), _pt(700, 6, 6)])
    assert _summary(events) == [
        ("zone.entry", 0.0, 5.0, 5.0, None, None),
        ("track.lost", 600.0, 5.0, 5.0, None, None),
        ("track.regained", 700.0, 6.0, 6.0, None, None),
    ]
    lost, regained = events[1], events[2]
    assert lost.last_seen_ms == regained.last_seen_ms == T0
    assert lost.point.ts_ms == T0 and regained.point.ts_ms == T0 + 700_000
    # Reappearing outside: regained, then the exit found by comparing after the gap.
    _, events = _run(zones, [_pt(0, 5, 5), _pt(700, 20, 20)])
    assert [e.transition.value for e in events[1:]] == ["track.lost", "track.regained",
                                                        "zone.exit"]


def test_vessels_have_a_longer_lost_limit_and_outside_tracks_are_never_lost() -> None:
    zones = _zones()
    vessel = [_pt(0, 5, 5, kind=TrackKind.VESSEL), _pt(1700, 5, 5.1, kind=TrackKind.VESSEL)]
    assert [e.transition.value for e in _run(zones, vessel)[1]] == ["zone.entry"]
    assert _run(zones, [_pt(0, 20, 20), _pt(5000, 20, 20.1)])[1] == []


def test_expire_and_the_partition_clock_agree_with_the_step() -> None:
    zones = _zones()
    lost_after = LostAfter()
    state, _ = _run(zones, [_pt(0, 5, 5)])
    assert state is not None
    deadline = lost_deadline("icao24:abcdef", state, lost_after)
    assert deadline == T0 + 600_000
    clock = PartitionClock()
    clock.set_deadline("icao24:abcdef", deadline)
    clock.set_deadline("icao24:000001", T0 + 900_000)
    assert clock.advance(T0 + 599_999) == []
    assert clock.advance(T0 + 650_000) == ["icao24:abcdef"]
    assert clock.advance(T0 + 10) == [] and clock.watermark_ms == T0 + 10  # may move back
    lost_state, events = expire("icao24:abcdef", state, T0 + 650_000, zones, lost_after)
    # The same event as the step would have produced at the track's next report.
    by_step = step(state, _pt(700, 6, 6), zones).events[0]
    assert events == [by_step]
    assert lost_state.lost_at_ms == T0 + 600_000
    assert expire("icao24:abcdef", lost_state, T0 + 2_000_000, zones, lost_after)[1] == []
    # Regained only once, whichever declared the loss.
    after = step(lost_state, _pt(700, 6, 6), zones)
    assert [e.transition.value for e in after.events] == ["track.regained"]
    assert after.state.lost_at_ms is None and after.outcome is StepOutcome.GAP


def test_full_state_round_trips_through_its_stored_form() -> None:
    report = _pt(0, 5, 5, alt=3000)
    state = TrackState(T0, 5.0, 5.0, ("a",), 3000, (Visit("a", T0 - 5, True),),
                       (Pending("b", T0 - 9, 1.0, 2.0, 2500.0, Boundary.FLOOR, True, 12.5),),
                       T0 + 1, report)
    again = TrackState.from_dict(state.to_dict())
    assert again == state and again.report == report
    # A state written by the skeleton still loads.
    assert TrackState.from_dict({"last_ts_ms": T0, "last_lat_deg": 1, "last_lon_deg": 2,
                                 "inside": ["a"]}) == TrackState(T0, 1.0, 2.0, ("a",))
