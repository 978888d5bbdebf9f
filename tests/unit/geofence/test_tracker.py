"""The geofence step on hand-built zones and on the real Alaska ADIZ."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from pipeline.geofence.tracker import StepOutcome, TrackState, event_id, step
from pipeline.geofence.zones import ZoneSet, load_zone_collection, load_zone_files
from pipeline.model.events import Transition, ZoneEvent
from pipeline.model.track import Source, TrackKind, TrackPoint

T0 = 1_721_800_000_000  # 2024-07-24


def _feature(zone_id: str, geometry_type: str, coordinates: object) -> dict[str, object]:
    return {"type": "Feature", "properties": {"id": zone_id, "name": zone_id.upper()},
            "geometry": {"type": geometry_type, "coordinates": coordinates}}


def _zones(*features: dict[str, object]) -> ZoneSet:
    return ZoneSet(load_zone_collection({"type": "FeatureCollection", "features": list(features)}))


SQUARE = _feature("square", "Polygon", [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]])
# A U open to the north: the notch is x in (4, 6), y in (4, 10].
U_SHAPE = _feature("u", "Polygon", [[[0, 0], [10, 0], [10, 10], [6, 10], [6, 4], [4, 4],
                                     [4, 10], [0, 10], [0, 0]]])
DONUT = _feature("donut", "Polygon", [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
                                      [[3, 3], [3, 7], [7, 7], [7, 3], [3, 3]]])
# RFC 7946 split across the antimeridian: 170E..170W, 50N..60N.
SPLIT = _feature("split", "MultiPolygon", [
    [[[170, 50], [180, 50], [180, 60], [170, 60], [170, 50]]],
    [[[-180, 50], [-170, 50], [-170, 60], [-180, 60], [-180, 50]]],
])


def _pt(seconds: float, lat: float, lon: float) -> TrackPoint:
    return TrackPoint(track_id="icao24:abcdef", kind=TrackKind.AIRCRAFT, source=Source.SBS,
                      ts_ms=T0 + round(seconds * 1000), lat_deg=lat, lon_deg=lon,
                      icao24="abcdef")


def _run(zones: ZoneSet, points: Sequence[TrackPoint]) -> tuple[TrackState | None, list[ZoneEvent],
                                                                list[StepOutcome]]:
    state: TrackState | None = None
    events: list[ZoneEvent] = []
    outcomes = []
    for point in points:
        result = step(state, point, zones)
        state, outcome = result.state, result.outcome
        events.extend(result.events)
        outcomes.append(outcome)
    return state, events, outcomes


def _summary(events: Sequence[ZoneEvent]) -> list[tuple[str, str, float, float, float]]:
    return [(e.transition.value, e.zone_id, (e.at_ms - T0) / 1000, round(e.lat_deg, 6),
             round(e.lon_deg, 6)) for e in events]


def test_first_report_inside_is_an_entry_at_its_time() -> None:
    _, events, outcomes = _run(_zones(SQUARE), [_pt(0, 5, 5)])
    assert _summary(events) == [("zone.entry", "square", 0.0, 5.0, 5.0)]
    assert outcomes == [StepOutcome.FIRST]
    assert not events[0].interpolated


def test_crossing_between_sparse_reports_is_interpolated() -> None:
    # 200 s apart: from x=-5 to x=5 along y=5; the boundary x=0 is crossed half way.
    _, events, _ = _run(_zones(SQUARE), [_pt(0, 5, -5), _pt(200, 5, 5), _pt(400, 5, 15)])
    assert _summary(events) == [
        ("zone.entry", "square", 100.0, 5.0, 0.0),
        ("zone.exit", "square", 300.0, 5.0, 10.0),
    ]
    assert all(e.interpolated for e in events)


def test_segment_through_a_concave_zone_enters_twice() -> None:
    # Along y=7 from x=-1 to x=11: in the left arm, across the notch, in the right arm.
    _, events, _ = _run(_zones(U_SHAPE), [_pt(0, 7, -1), _pt(120, 7, 11)])
    assert _summary(events) == [
        ("zone.entry", "u", 10.0, 7.0, 0.0),
        ("zone.exit", "u", 50.0, 7.0, 4.0),
        ("zone.entry", "u", 70.0, 7.0, 6.0),
        ("zone.exit", "u", 110.0, 7.0, 10.0),
    ]


def test_segment_across_a_hole_exits_and_reenters() -> None:
    _, events, _ = _run(_zones(DONUT), [_pt(0, 5, 1), _pt(80, 5, 9)])
    assert _summary(events) == [
        ("zone.entry", "donut", 0.0, 5.0, 1.0),
        ("zone.exit", "donut", 20.0, 5.0, 3.0),
        ("zone.entry", "donut", 60.0, 5.0, 7.0),
    ]


def test_antimeridian_crossing_inside_a_split_zone_creates_no_event() -> None:
    _, events, _ = _run(_zones(SPLIT), [_pt(0, 55, 175), _pt(100, 55, -175)])
    assert _summary(events) == [("zone.entry", "split", 0.0, 55.0, 175.0)]


def test_antimeridian_crossing_into_a_split_zone_goes_the_short_way() -> None:
    # From 165E eastwards to 175W: 20 degrees the short way, the edge at 170E at a quarter.
    _, events, _ = _run(_zones(SPLIT), [_pt(0, 55, 165), _pt(200, 55, -175)])
    assert _summary(events) == [("zone.entry", "split", 50.0, 55.0, 170.0)]
    # ... and out of it on the far side: the crossing position is wrapped into [-180, 180).
    _, events, _ = _run(_zones(SPLIT), [_pt(0, 55, 178), _pt(100, 55, -162)])
    assert _summary(events) == [
        ("zone.entry", "split", 0.0, 55.0, 178.0),
        ("zone.exit", "split", 60.0, 55.0, -170.0),
    ]


def test_after_a_long_gap_zones_are_compared_at_the_new_report() -> None:
    # 301 s gap: no straight line; the entry is at the new report's time and position.
    _, events, outcomes = _run(_zones(SQUARE), [_pt(0, 5, -5), _pt(301, 5, 5)])
    assert _summary(events) == [("zone.entry", "square", 301.0, 5.0, 5.0)]
    assert outcomes == [StepOutcome.FIRST, StepOutcome.GAP]
    # A segment that passes through the zone during a long gap is not reconstructed.
    _, events, _ = _run(_zones(SQUARE), [_pt(0, 5, -5), _pt(400, 5, 15)])
    assert events == []


def test_a_gap_of_exactly_the_limit_is_still_a_segment() -> None:
    _, events, outcomes = _run(_zones(SQUARE), [_pt(0, 5, -5), _pt(300, 5, 5)])
    assert _summary(events) == [("zone.entry", "square", 150.0, 5.0, 0.0)]
    assert outcomes[1] == StepOutcome.SEGMENT


def test_duplicate_and_late_reports_do_not_move_the_track() -> None:
    zones = _zones(SQUARE)
    state, events, outcomes = _run(zones, [
        _pt(0, 5, -5), _pt(100, 5, -1), _pt(100, 5, 5), _pt(50, 5, 5), _pt(200, 5, 1)])
    assert outcomes == [StepOutcome.FIRST, StepOutcome.SEGMENT, StepOutcome.DUPLICATE,
                        StepOutcome.LATE, StepOutcome.SEGMENT]
    assert _summary(events) == [("zone.entry", "square", 150.0, 5.0, 0.0)]
    assert state == TrackState(T0 + 200_000, 5.0, 1.0, ("square",))


def test_a_report_on_the_boundary_is_inside() -> None:
    _, events, _ = _run(_zones(SQUARE), [_pt(0, 5, -5), _pt(100, 5, 0), _pt(200, 5, -5)])
    assert _summary(events) == [
        ("zone.entry", "square", 100.0, 5.0, 0.0),
        ("zone.exit", "square", 100.0, 5.0, 0.0),
    ]
    assert _run(_zones(SQUARE), [_pt(0, 0, 0)])[0] == TrackState(T0, 0.0, 0.0, ("square",))


def test_grazing_a_vertex_from_outside_is_not_an_entry() -> None:
    # The segment touches the corner (10, 10) only.
    _, events, _ = _run(_zones(SQUARE), [_pt(0, 12, 8), _pt(100, 8, 12)])
    assert events == []


def test_event_ids_are_deterministic() -> None:
    zones = _zones(SQUARE)
    first = _run(zones, [_pt(0, 5, -5), _pt(200, 5, 5)])[1]
    again = _run(zones, [_pt(0, 5, -5), _pt(200, 5, 5)])[1]
    assert [e.event_id for e in first] == [e.event_id for e in again]
    assert first[0].event_id == event_id("icao24:abcdef", "square", Transition.ENTRY,
                                         T0 + 100_000)


def test_state_round_trips_through_its_stored_form() -> None:
    state = TrackState(T0, 55.5, -170.25, ("a", "b"))
    assert TrackState.from_dict(state.to_dict()) == state
    with pytest.raises(ValueError, match="not a stored track state"):
        TrackState.from_dict({"last_ts_ms": "x"})


@pytest.fixture(scope="module")
def adiz() -> ZoneSet:
    from pipeline.geofence.zones import default_zone_dir

    return load_zone_files([default_zone_dir()])


def test_real_alaska_adiz_entry_from_the_west_across_the_antimeridian(adiz: ZoneSet) -> None:
    # 55N from 171E to 178W: the western Alaska ADIZ edge runs from 53N 170E to 60N 180
    # (about 172.9E at 55N), so the entry is west of the antimeridian.
    _, events, _ = _run(adiz, [_pt(0, 55.0, 171.0), _pt(240, 55.0, -178.0)])
    assert [(e.transition, e.zone_id) for e in events] == [(Transition.ENTRY, "us-alaska-adiz")]
    assert 172.0 < events[0].lon_deg < 174.0
    assert 0 < events[0].at_ms - T0 < 240_000


def test_real_alaska_adiz_interior_of_alaska_is_outside(adiz: ZoneSet) -> None:
    assert [z.zone_id for z in adiz.containing(61.2, -149.9)] == []  # Anchorage
    assert [z.zone_id for z in adiz.containing(60.0, -170.0)] == ["us-alaska-adiz"]
    assert [z.zone_id for z in adiz.containing(52.0, 175.0)] == ["us-alaska-adiz"]
