"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

from hypothesis import strategies as st

from pipeline.geofence.zones import ZoneSet, load_zone_collection
from pipeline.model.track import Source, TrackKind, TrackPoint

T0 = 1_721_800_000_000


def _poly(zone_id: str, rings: list[list[list[float]]], **props: object) -> dict[str, object]:
    return {"type": "Feature", "properties": {"id": zone_id, **props},
            "geometry": {"type": "Polygon", "coordinates": rings}}


# Small zones around (0..10, 0..10) and across the antimeridian, with every optional rule.
PROPERTY_ZONES = ZoneSet(load_zone_collection({"type": "FeatureCollection", "features": [
    _poly("u", [[[0, 0], [10, 0], [10, 10], [6, 10], [6, 4], [4, 4], [4, 10], [0, 10],
                 [0, 0]]]),
    _poly("donut", [[[1, 1], [9, 1], [9, 9], [1, 9], [1, 1]],
                    [[3, 3], [3, 7], [7, 7], [7, 3], [3, 3]]], floor_ft=1000, ceiling_ft=20000),
    _poly("sticky", [[[2, -2], [8, -2], [8, 12], [2, 12], [2, -2]]], min_inside_s=60,
          dwell_s=120),
    _poly("far", [[[2, 2], [5, 2], [5, 5], [2, 5], [2, 2]]], min_inside_nm=20,
          applies_to="aircraft"),
    {"type": "Feature", "properties": {"id": "circle", "radius_nm": 120, "dwell_s": 30},
     "geometry": {"type": "Point", "coordinates": [5.0, 5.0]}},
    {"type": "Feature", "properties": {"id": "split"}, "geometry": {
        "type": "MultiPolygon", "coordinates": [
            [[[176, 0], [180, 0], [180, 6], [176, 6], [176, 0]]],
            [[[-180, 0], [-176, 0], [-176, 6], [-180, 6], [-180, 0]]]]}},
]}))


@st.composite
def tracks(draw: st.DrawFn, max_points: int = 25) -> list[TrackPoint]:
    """One track's reports in arrival order: mostly forward in time, with duplicates, late
    reports, gaps and long silences; positions around the property zones."""
    kind = draw(st.sampled_from([TrackKind.AIRCRAFT, TrackKind.AIRCRAFT, TrackKind.VESSEL]))
    track_id = "icao24:abc123" if kind is TrackKind.AIRCRAFT else "mmsi:366000001"
    near_split = draw(st.booleans())
    lon_box = (174.0, 186.0) if near_split else (-2.0, 12.0)
    n = draw(st.integers(1, max_points))
    t_ms = T0
    points = []
    for _ in range(n):
        step_ms = draw(st.one_of(
            st.integers(0, 60_000), st.integers(60_000, 320_000),
            st.sampled_from([0, -1_000, 700_000, 2_000_000])))
        t_ms += step_ms
        lon = draw(st.floats(*lon_box, allow_nan=False))
        lon = (lon + 180.0) % 360.0 - 180.0
        lat = draw(st.one_of(st.floats(-3.0, 13.0, allow_nan=False),
                             st.sampled_from([0.0, 1.0, 3.0, 4.0, 5.0, 10.0])))
        alt = draw(st.one_of(st.none(), st.integers(0, 30000), st.sampled_from([1000, 20000])))
        points.append(TrackPoint(track_id, kind, Source.CANONICAL, t_ms, lat, lon,
                                 alt_ft=None if kind is TrackKind.VESSEL else alt))
    return points
