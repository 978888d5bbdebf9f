"""Zone features: validation with reasons, rules, circles and areas."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.geofence.earth import area_km2, haversine_m
from pipeline.geofence.errors import ZoneError, ZoneReason
from pipeline.geofence.rules import AppliesTo, ZoneRules
from pipeline.geofence.zones import ZoneSet, default_zone_dir, load_zone_files, zone_from_feature

SQUARE = [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]


def _feature(coordinates: object = SQUARE, geometry_type: str = "Polygon",
             **props: object) -> dict[str, object]:
    return {"type": "Feature", "properties": {"id": "z", "name": "Z", **props},
            "geometry": {"type": geometry_type, "coordinates": coordinates}}


@pytest.mark.parametrize(("feature", "reason", "detail"), [
    ([1, 2], ZoneReason.NOT_A_FEATURE, "not a GeoJSON Feature"),
    ({"type": "Feature", "properties": {"name": "x"}, "geometry": None},
     ZoneReason.MISSING_ID, "properties.id"),
    (_feature([[[0, 0], [10, 0], [10, 10], [0, 10]]]), ZoneReason.UNCLOSED_RING,
     "ring 0 is not closed"),
    (_feature([[[0, 0], [10, 0], [0, 0]]]), ZoneReason.TOO_FEW_POSITIONS, "3 positions"),
    (_feature([[[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]]), ZoneReason.SELF_INTERSECTION,
     "Self-intersection"),
    # Alaska written as [lat, lon]: latitude -170 is out of range, and looks swapped.
    (_feature([[[60, -170], [61, -170], [61, -168], [60, -168], [60, -170]]]),
     ZoneReason.OUT_OF_RANGE, "looks like [lat, lon]"),
    (_feature([[[0, 0], [190, 0], [190, 10], [0, 10], [0, 0]]]), ZoneReason.OUT_OF_RANGE,
     "longitude 190"),
    # Across the antimeridian without the RFC 7946 split: the edge would go the long way.
    (_feature([[[170, 50], [-170, 50], [-170, 60], [170, 60], [170, 50]]]),
     ZoneReason.ANTIMERIDIAN_EDGE, "spans more than 180 degrees"),
    (_feature([[["a", 0], [1, 0], [1, 1], [0, 0]]]), ZoneReason.MALFORMED_COORDINATES,
     "not [lon, lat]"),
    (_feature([0, 0], "Point"), ZoneReason.BAD_CIRCLE, "radius_nm"),
    (_feature([0, 0], "LineString"), ZoneReason.UNSUPPORTED_GEOMETRY, "LineString"),
    (_feature(floor_ft=5000, ceiling_ft=1000), ZoneReason.BAD_PROPERTY, "not below"),
    (_feature(applies_to="submarine"), ZoneReason.BAD_PROPERTY, "applies_to"),
    (_feature(dwell_s=-5), ZoneReason.BAD_PROPERTY, "dwell_s must be > 0"),
    (_feature(floor_ft="low"), ZoneReason.BAD_PROPERTY, "floor_ft"),
    (_feature([0, 89.5], "Point", radius_nm=100), ZoneReason.BAD_CIRCLE, "pole"),
    (_feature([0, 10], "Point", radius_nm=0), ZoneReason.BAD_CIRCLE, "radius_nm"),
])
def test_invalid_zones_are_refused_with_a_reason(feature: object, reason: ZoneReason,
                                                 detail: str) -> None:
    with pytest.raises(ZoneError) as caught:
        zone_from_feature(feature)
    assert caught.value.reason == reason
    assert re.search(re.escape(detail), str(caught.value)), str(caught.value)


def test_rules_default_to_the_skeleton_and_parse_every_property() -> None:
    assert zone_from_feature(_feature()).rules == ZoneRules()
    rules = zone_from_feature(_feature(kind="Watch", applies_to="aircraft", floor_ft=1000,
                                       ceiling_ft=18000, dwell_s=600, min_inside_s=30,
                                       min_inside_nm=2)).rules
    assert rules == ZoneRules(kind="watch", applies_to=AppliesTo.AIRCRAFT, floor_ft=1000.0,
                              ceiling_ft=18000.0, dwell_ms=600_000, min_inside_ms=30_000,
                              min_inside_m=3704.0)


def test_circle_from_a_point_or_from_properties_is_a_geodesic_circle() -> None:
    a = zone_from_feature(_feature([-117.2, 32.7], "Point", radius_nm=50))
    b = zone_from_feature({"type": "Feature", "geometry": None,
                           "properties": {"id": "z", "center": [-117.2, 32.7], "radius_nm": 50}})
    assert a.geometry.equals(b.geometry)
    for lon, lat in list(a.geometry.exterior.coords)[::45]:
        assert haversine_m(-117.2, 32.7, lon, lat) == pytest.approx(50 * 1852, rel=1e-9)
    assert area_km2(a.geometry) == pytest.approx(3.14159265 * (50 * 1.852) ** 2, rel=1e-3)
    zones = ZoneSet([a])
    assert [z.zone_id for z in zones.containing(32.7, -117.2)] == ["z"]
    assert zones.containing(32.7, -116.0) == []


def test_circle_across_the_antimeridian_is_split() -> None:
    zone = zone_from_feature(_feature([179.5, 52.0], "Point", radius_nm=100))
    assert zone.geometry.geom_type == "MultiPolygon"
    min_lon, _, max_lon, _ = zone.geometry.bounds
    assert (min_lon, max_lon) == (-180.0, 180.0)
    zones = ZoneSet([zone])
    assert [z.zone_id for z in zones.containing(52.0, -179.5)] == ["z"]
    assert [z.zone_id for z in zones.containing(52.0, 178.5)] == ["z"]


def _readme_areas() -> dict[str, float]:
    """Geodesic (WGS84) areas listed in the reference data's README."""
    text = (Path(__file__).resolve().parents[4] / "shared" / "refdata" / "README.md")
    areas = {"us-alaska-adiz": 2_969_620, "us-contiguous-adiz-atlantic-gulf": 1_543_499,
             "us-contiguous-adiz-pacific": 1_197_130, "us-hawaii-adiz": 824_897,
             "us-guam-adiz": 619_692, "cn-east-china-sea-adiz": 440_573}
    if text.exists():  # cross-check the literals against the file when it is there
        for zone_id, value in areas.items():
            assert f"{value:,}" in text.read_text(encoding="utf-8"), zone_id
    return {k: float(v) for k, v in areas.items()}


def test_area_is_within_a_hundredth_of_a_percent_of_the_geodesic_areas() -> None:
    zones = load_zone_files([default_zone_dir()])
    for zone_id, geodesic in _readme_areas().items():
        ours = area_km2(zones.by_id[zone_id].geometry)
        assert ours == pytest.approx(geodesic, rel=1e-4), zone_id


def test_every_bundled_adiz_loads_with_its_citation() -> None:
    zones = load_zone_files([default_zone_dir()])
    assert sorted(zones.by_id) == sorted(_readme_areas())
    for zone in zones.zones:
        assert zone.properties.get("source"), zone.zone_id
        assert zone.rules == ZoneRules(kind="adiz")
    files = sorted(p.name for p in default_zone_dir().glob("*.geojson"))
    assert all(json.loads((default_zone_dir() / f).read_text())["features"] for f in files)
