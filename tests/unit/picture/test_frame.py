"""The picture's longitude frame: the seam away from every zone, zones dissolved across 180."""

from __future__ import annotations

import pytest
from shapely.geometry import shape

from pipeline.geofence.zones import default_zone_dir, load_zone_files
from pipeline.picture.frame import (
    DEFAULT_WEST_DEG,
    LonFrame,
    choose_frame,
    zone_intervals,
    zones_geojson,
)


def test_wrap_and_near() -> None:
    frame = LonFrame(29.0)
    assert (frame.wrap(-170.0), frame.wrap(29.0), frame.wrap(28.5)) == (190.0, 29.0, 388.5)
    assert LonFrame.near(-179.5, 179.5) == pytest.approx(180.5)
    assert LonFrame.near(179.5, -179.5) == pytest.approx(-180.5)
    assert LonFrame.near(10.0, 370.0) == pytest.approx(370.0)
    assert frame.offset_into(-150.0) == 360.0


def test_seam_in_the_widest_gap() -> None:
    # Zones at 120..130 E and 170 E..130 W (split at 180): the gaps are 130..170 E and
    # 130 W..120 E (250 degrees, from 230 to 480 going east); the seam is its middle, 5 W.
    frame = choose_frame([(120.0, 130.0), (170.0, 180.0), (-180.0, -130.0)])
    assert frame == LonFrame(-5.0)
    assert choose_frame([]) == LonFrame(DEFAULT_WEST_DEG)
    assert choose_frame([(-180.0, 180.0)]) == LonFrame(DEFAULT_WEST_DEG)


def test_bundled_zones_frame_keeps_the_pacific_whole() -> None:
    zones = load_zone_files([default_zone_dir()])
    frame = choose_frame(zone_intervals(zones))
    assert frame == LonFrame(29.0)  # the Atlantic/Africa/Asia gap, between 63.75 W and 121 E
    for lo, hi in zone_intervals(zones):
        assert frame.west_deg < frame.wrap(lo) <= frame.wrap(hi) or hi == 180.0


def test_alaska_adiz_is_one_outline_across_the_antimeridian() -> None:
    zones = load_zone_files([default_zone_dir()])
    features = {f["id"]: f for f in zones_geojson(zones, LonFrame(29.0))}
    alaska = features["us-alaska-adiz"]
    geometry = shape(alaska["geometry"])  # type: ignore[arg-type]
    assert geometry.geom_type == "Polygon"  # the two halves, split at 180, dissolved
    min_x, min_lat, max_x, max_lat = geometry.bounds
    assert (min_x, min_lat, max_x, max_lat) == (170.0, 50.0, 227.0, 75.0)
    props = alaska["properties"]
    assert props["name"] == "Alaska ADIZ"  # type: ignore[index]
    assert geometry.contains(shape({"type": "Point", "coordinates": [
        props["label"]["x"], props["label"]["lat"]]}))  # type: ignore[index]
    # Every zone lies inside the frame.
    for feature in features.values():
        lo, _, hi, _ = shape(feature["geometry"]).bounds  # type: ignore[arg-type]
        assert 29.0 <= lo < hi <= 389.0
