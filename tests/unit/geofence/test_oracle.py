"""The geofence step against an independent slow oracle (``tests/geofence_oracle.py``) on
thousands of generated tracks.

Scenarios: a concave comb, a polygon with holes, a concave zone with a hole split at the
antimeridian, the real Alaska ADIZ around its pole-side (75N) edge and its antimeridian
edges, a banded circle and a banded zone with a dwell time, and a vessel-only zone with a
dwell time. Tracks: aircraft at 120-260 m/s or vessels at 4-14 m/s, reporting every 1-60 s,
sometimes every 2-5 minutes, sometimes after more than 5 minutes (a gap) or after more
than the lost limit, with duplicate and late reports mixed in; altitudes level, climbing or
descending through the band limits, or unknown throughout.

The events must agree exactly in order and type, and in time within 1 s. Tracks that pass
within ~1 km of a sharp corner (the boundary turns by more than 15 degrees) are not used:
there the oracle's sampling could step over a clipped corner; those cases are the
hand-written unit tests' job.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections import Counter

import numpy as np
import shapely

from pipeline.geofence.tracker import step
from pipeline.geofence.zones import ZoneSet, default_zone_dir, load_zone_collection
from pipeline.model.track import Source, TrackKind, TrackPoint
from tests.geofence_oracle import OEvent, OracleZone, run_track

SEED = 20240724
TRACKS_PER_SCENARIO = 500
T0 = 1_721_800_000_000


def _poly(zone_id: str, rings: list[list[list[float]]], **props: object) -> dict[str, object]:
    return {"type": "Feature", "properties": {"id": zone_id, **props},
            "geometry": {"type": "Polygon", "coordinates": rings}}


COMB = _poly("comb", [[[0, 40], [8, 40], [8, 46], [7, 46], [7, 42], [5.5, 42], [5.5, 45],
                       [4, 45], [4, 41.5], [2.5, 41.5], [2.5, 46], [0, 46], [0, 40]]])
HOLES = _poly("holes", [[[20, 40], [28, 40], [28, 46], [20, 46], [20, 40]],
                        [[21, 41], [21, 43], [23, 43], [23, 41], [21, 41]],
                        [[24.5, 42], [25.5, 45], [27, 42.5], [24.5, 42]]])
SPLIT = {"type": "Feature", "properties": {"id": "split"}, "geometry": {
    "type": "MultiPolygon", "coordinates": [
        [[[172, 50], [180, 50], [180, 58], [172, 58], [172, 55], [176, 55], [176, 53],
          [172, 53], [172, 50]]],
        [[[-180, 50], [-170, 50], [-170, 58], [-180, 58], [-180, 50]],
         [[-176, 53], [-176, 55], [-173, 55], [-173, 53], [-176, 53]]]]}}
CIRCLE = {"type": "Feature", "properties": {"id": "circle", "radius_nm": 40, "floor_ft": 5000,
                                            "ceiling_ft": 25000, "applies_to": "aircraft"},
          "geometry": {"type": "Point", "coordinates": [-40.0, 30.0]}}
BAND = _poly("band", [[[-35, 28], [-30, 28], [-32, 30], [-30, 32], [-35, 32], [-35, 28]]],
             floor_ft=10000, ceiling_ft=30000, dwell_s=300)
HARBOUR = _poly("harbour", [[[-60, 10], [-59.5, 10], [-59.5, 10.6], [-59.8, 10.3],
                             [-60, 10.6], [-60, 10]]], applies_to="vessel", dwell_s=600)


def _alaska() -> dict[str, object]:
    data = json.loads((default_zone_dir() / "us-alaska-adiz.geojson").read_text())
    feature: dict[str, object] = data["features"][0]
    return feature


# (name, features, boxes where tracks start: lon0, lat0, lon1, lat1, vessel share)
SCENARIOS: list[tuple[str, list[dict[str, object]], list[tuple[float, float, float, float]],
                      float]] = [
    ("concave", [COMB], [(-1, 39, 9, 47)], 0.0),
    ("holes", [HOLES], [(19, 39, 29, 47)], 0.0),
    ("antimeridian", [SPLIT], [(170, 49, 180, 59), (-180, 49, -168, 59)], 0.0),
    ("alaska-pole-side", [_alaska()], [(-170, 73.5, -140, 76.5), (170, 50, 180, 61),
                                       (-180, 50, -170, 61)], 0.0),
    ("bands-circle-dwell", [CIRCLE, BAND], [(-42, 28, -38, 32), (-36, 27, -29, 33)], 0.0),
    ("vessels", [HARBOUR, CIRCLE], [(-60.4, 9.7, -59.1, 10.9), (-41, 29, -39, 31)], 0.5),
]


def _interval_s(rnd: random.Random, kind: TrackKind) -> float:
    roll = rnd.random()
    if roll < 0.70:
        return rnd.uniform(1, 60) * (5 if kind is TrackKind.VESSEL else 1)
    if roll < 0.90:
        return rnd.uniform(120, 295)
    if roll < 0.97:
        return rnd.uniform(310, 550)
    return rnd.uniform(620, 900) * (2.5 if kind is TrackKind.VESSEL else 1)


def _track(rnd: random.Random, n: int, box: tuple[float, float, float, float],
           vessel_share: float) -> list[TrackPoint]:
    kind = TrackKind.VESSEL if rnd.random() < vessel_share else TrackKind.AIRCRAFT
    track_id = f"mmsi:{366000000 + n}" if kind is TrackKind.VESSEL else f"icao24:{n:06x}"
    lon, lat = rnd.uniform(box[0], box[2]), rnd.uniform(box[1], box[3])
    heading = rnd.uniform(0, 360)
    speed = rnd.uniform(4, 14) if kind is TrackKind.VESSEL else rnd.uniform(120, 260)
    profile = rnd.choice(["level", "climb", "descend", "unknown", "wave"])
    alt = rnd.uniform(0, 35000)
    rate_fps = rnd.uniform(10, 60) * (1 if profile == "climb" else -1)
    t_ms = T0
    points: list[TrackPoint] = []
    for i in range(rnd.randint(15, 35)):
        alt_ft = None if profile == "unknown" or kind is TrackKind.VESSEL else round(alt)
        points.append(TrackPoint(track_id, kind, Source.CANONICAL, t_ms, lat,
                                 (lon + 180) % 360 - 180, alt_ft=alt_ft))
        if rnd.random() < 0.03:  # a duplicate or a late report
            late = t_ms - rnd.choice([0, 1000, 30_000])
            points.append(TrackPoint(track_id, kind, Source.CANONICAL, late,
                                     lat + 0.5, lon, alt_ft=alt_ft))
        dt = _interval_s(rnd, kind)
        t_ms += round(dt * 1000)
        heading += rnd.gauss(0, 10 if dt < 60 else 40)
        dist = math.degrees(speed * min(dt, 300) / 6_371_008.8)
        lat = max(-80.0, min(80.0, lat + dist * math.cos(math.radians(heading))))
        lon += dist * math.sin(math.radians(heading)) / max(0.1, math.cos(math.radians(lat)))
        if profile in ("climb", "descend"):
            alt = max(0.0, min(45000.0, alt + rate_fps * dt))
        elif profile == "wave" and i % 3 == 0:
            alt = rnd.uniform(0, 35000)
    return points


def _sharp_vertices(features: list[dict[str, object]]) -> shapely.STRtree:
    points = []
    for feature in features:
        geometry = shapely.geometry.shape(feature["geometry"])
        polygons = getattr(geometry, "geoms", [geometry])
        for polygon in polygons:
            if polygon.geom_type != "Polygon":
                continue
            for ring in (polygon.exterior, *polygon.interiors):
                coords = list(ring.coords)[:-1]
                for i, (x, y) in enumerate(coords):
                    ax, ay = coords[i - 1]
                    bx, by = coords[(i + 1) % len(coords)]
                    turn = math.degrees(abs(math.atan2(by - y, bx - x)
                                            - math.atan2(y - ay, x - ax)))
                    turn = min(turn, 360 - turn)
                    if turn > 15 and abs(abs(x) - 180) > 1e-9:  # the split seam is no corner
                        points += [shapely.Point(x + dx, y) for dx in (-360, 0, 360)]
    return shapely.STRtree(points)


def _clear_of(tree: shapely.STRtree, points: list[TrackPoint]) -> bool:
    for p0, p1 in itertools.pairwise(points):
        if p1.ts_ms <= p0.ts_ms or p1.ts_ms - p0.ts_ms > 300_000:
            continue
        lon1 = p1.lon_deg + (360 if p1.lon_deg - p0.lon_deg < -180 else
                             -360 if p1.lon_deg - p0.lon_deg > 180 else 0)
        line = shapely.LineString([(p0.lon_deg, p0.lat_deg), (lon1, p1.lat_deg)])
        if len(tree.query(line, predicate="dwithin", distance=0.012)):
            return False
    return True


def _stage_events(points: list[TrackPoint], zones: ZoneSet) -> list[tuple[str, str, int]]:
    state = None
    out = []
    for point in points:
        result = step(state, point, zones)
        state = result.state
        out.extend((e.transition.value, e.zone_id, e.at_ms) for e in result.events)
    return out


def _compare(name: str, stage: list[tuple[str, str, int]], oracle: list[OEvent],
             where: str) -> float:
    mine = [(t, z) for t, z, _ in stage]
    theirs = [(e.type, e.zone_id) for e in oracle]
    assert mine == theirs, f"{name} {where}:\n stage  {stage}\n oracle " + str(
        [(e.type, e.zone_id, round(e.at_ms)) for e in oracle])
    worst = 0.0
    for (_, _, at_ms), event in zip(stage, oracle, strict=True):
        worst = max(worst, abs(at_ms - event.at_ms))
    assert worst <= 1000.0, f"{name} {where}: times differ by {worst} ms"
    return worst


def test_stage_agrees_with_the_dense_sampling_oracle() -> None:
    rnd = random.Random(SEED)
    totals: Counter[str] = Counter()
    worst_ms = 0.0
    for name, features, boxes, vessel_share in SCENARIOS:
        zones = ZoneSet(load_zone_collection({"type": "FeatureCollection",
                                              "features": features}))
        oracle_zones = [OracleZone.from_feature(f) for f in features]
        sharp = _sharp_vertices(features)
        made = 0
        n = 0
        while made < TRACKS_PER_SCENARIO:
            n += 1
            points = _track(rnd, n, rnd.choice(boxes), vessel_share)
            if not _clear_of(sharp, points):
                totals["skipped_near_corner"] += 1
                continue
            made += 1
            stage = _stage_events(points, zones)
            oracle = run_track(points, oracle_zones)
            worst_ms = max(worst_ms, _compare(name, stage, oracle, points[0].track_id))
            totals["tracks"] += 1
            totals["points"] += len(points)
            totals.update(t for t, _, _ in stage)
    print(f"\noracle: {dict(totals)}; worst time difference {worst_ms:.1f} ms")
    assert totals["tracks"] == TRACKS_PER_SCENARIO * len(SCENARIOS)
    # The generator must exercise every kind of event, or the test proves little.
    for kind in ("zone.entry", "zone.exit", "zone.dwell", "track.lost", "track.regained"):
        assert totals[kind] >= 20, (kind, totals)
    assert np.isfinite(worst_ms)
