"""Geofence step rate over a realistic mix, against a naive baseline in the same run.

Traffic: synthetic aircraft reporting every 1-10 s (ADS-B positions arrive about once a
second) at 120-260 m/s, interleaved in time as a receiver would deliver them:

* ``far``: tracks starting anywhere between 60S and 70N, most nowhere near a zone;
* ``edge``: tracks launched across a boundary of a bundled ADIZ (a random boundary vertex,
  heading across it), so their segments cut edges, including the antimeridian and the
  75N edge of the Alaska ADIZ;
* ``inside``: tracks deep inside a zone;
* the two bundled feeds (real ae0455 off San Diego, the simulated Alaska scenario).

``ours`` runs :func:`pipeline.geofence.tracker.step` over every point with every bundled ADIZ
zone loaded (states in a dict, as the faust table holds them). ``baseline`` is the naive
approach: a shapely ``contains`` of each point against each zone (no index, no segments, no
crossings). Both are timed in the same process (best of 3), single core.

Writes ``bench/results/geofence.json``: name, items, seconds, items_per_s,
baseline_items_per_s, ratio, python, commit, plus the mix. Usage:
``python bench/bench_geofence.py [--quick]``.
"""

from __future__ import annotations

import argparse
import math
import platform
import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import orjson
import shapely
from revision import commit

from pipeline.assemble.merger import TrackMemory, merge
from pipeline.decode.sbs import decode_sbs
from pipeline.demo import bundled_feeds
from pipeline.geofence.earth import EARTH_RADIUS_M
from pipeline.geofence.geometry import wrap_lon
from pipeline.geofence.state import TrackState
from pipeline.geofence.tracker import step
from pipeline.geofence.zones import ZoneSet, default_zone_dir, load_zone_files
from pipeline.model.track import Source, TrackKind, TrackPoint

RESULTS = Path(__file__).resolve().parent / "results"
REPEAT = 3
T0 = 1_721_800_000_000


def _fly(rnd: random.Random, track_no: int, lon: float, lat: float, heading: float,
         points: int) -> list[TrackPoint]:
    speed = rnd.uniform(120.0, 260.0)
    alt = rnd.choice([None, rnd.randrange(1000, 41000, 100)])
    out = []
    t = T0 + rnd.randrange(0, 600_000)
    for _ in range(points):
        out.append(TrackPoint(f"icao24:{track_no:06x}", TrackKind.AIRCRAFT, Source.SBS, t,
                              max(-85.0, min(85.0, lat)), wrap_lon(lon), alt_ft=alt))
        dt = rnd.uniform(1.0, 10.0)
        t += round(dt * 1000)
        heading += rnd.gauss(0.0, 2.0)
        dist_deg = math.degrees(speed * dt / EARTH_RADIUS_M)
        lat += dist_deg * math.cos(math.radians(heading))
        lon += dist_deg * math.sin(math.radians(heading)) / max(0.05, math.cos(math.radians(lat)))
    return out


def synthetic_tracks(zones: ZoneSet, tracks: int, points: int, seed: int = 4
                     ) -> tuple[list[TrackPoint], Counter[str]]:
    rnd = random.Random(seed)
    vertices = [(x, y) for z in zones.zones for ring in _rings(z.geometry)
                for x, y in ring.coords if -180.0 < x < 180.0]
    out: list[TrackPoint] = []
    mix: Counter[str] = Counter()
    for n in range(tracks):
        roll = rnd.random()
        if roll < 0.80:
            kind = "far"
            lon, lat = rnd.uniform(-180.0, 180.0), rnd.uniform(-60.0, 70.0)
        elif roll < 0.92:
            kind = "edge"
            lon, lat = rnd.choice(vertices)
            heading = rnd.uniform(0.0, 360.0)
            back = math.degrees(points * 5.0 * 190.0 / EARTH_RADIUS_M) / 2
            lat -= back * math.cos(math.radians(heading))
            lon -= back * math.sin(math.radians(heading)) / max(0.05, math.cos(math.radians(lat)))
        else:
            kind = "inside"
            zone = rnd.choice(zones.zones)
            lon, lat = shapely.get_coordinates(zone.geometry.representative_point())[0]
        if kind != "edge":
            heading = rnd.uniform(0.0, 360.0)
        pts = _fly(rnd, n, lon, lat, heading, points)
        mix[kind] += len(pts)
        out.extend(pts)
    out.sort(key=lambda p: (p.ts_ms, p.track_id))
    return out, mix


def _rings(geometry: shapely.Geometry) -> list[shapely.LinearRing]:
    polys = getattr(geometry, "geoms", [geometry])
    return [ring for poly in polys for ring in (poly.exterior, *poly.interiors)]


def feed_points() -> list[TrackPoint]:
    memory: dict[str, TrackMemory] = {}
    points: list[TrackPoint] = []
    for feed in bundled_feeds():
        for line in feed.read_bytes().splitlines():
            update = decode_sbs(line, 0) if line else None
            if update is None:
                continue
            memory[update.track_id], point = merge(memory.get(update.track_id), update)
            if point is not None:
                points.append(point)
    return points


def near_edge_share(points: list[TrackPoint], zones: ZoneSet) -> dict[str, float]:
    """Share of points in a cell with a zone boundary, and inside some zone."""
    edge = inside = 0
    for p in points:
        if zones.near_boundary(p.lat_deg, p.lon_deg):
            edge += 1
        if zones.containing(p.lat_deg, p.lon_deg):
            inside += 1
    return {"in_boundary_cells": round(edge / len(points), 4),
            "inside_a_zone": round(inside / len(points), 4)}


def _best(fn: Callable[[], int]) -> tuple[int, float]:
    best, items = float("inf"), 0
    for _ in range(REPEAT):
        start = time.perf_counter()
        items = fn()
        best = min(best, time.perf_counter() - start)
    return items, best


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small run (CI smoke test)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    zones = load_zone_files([default_zone_dir()])
    tracks, per_track = (200, 100) if args.quick else (2000, 150)
    synthetic, mix = synthetic_tracks(zones, tracks, per_track)
    feeds = feed_points()
    mix["bundled_feeds"] = len(feeds)
    points = synthetic + feeds

    def ours() -> int:
        states: dict[str, TrackState] = {}
        get = states.get
        for point in points:
            states[point.track_id] = step(get(point.track_id), point, zones).state
        return len(points)

    geometries = [z.geometry for z in zones.zones]

    def baseline() -> int:
        for point in points:
            p = shapely.Point(point.lon_deg, point.lat_deg)
            for geometry in geometries:
                geometry.contains(p)
        return len(points)

    items, seconds = _best(ours)
    b_items, b_seconds = _best(baseline)
    rate, b_rate = items / seconds, b_items / b_seconds
    result: dict[str, object] = {
        "name": "geofence", "items": items, "seconds": round(seconds, 4),
        "items_per_s": round(rate), "baseline_items_per_s": round(b_rate),
        "ratio": round(rate / b_rate, 3), "python": platform.python_version(),
        "commit": commit(), "zones": len(zones), "mix_points": dict(mix),
        "mix_cells": near_edge_share(points, zones),
        "notes": ("pure geofence step, single core, all bundled ADIZ zones; baseline: unprepared "
                  "shapely contains of each point against each zone (no crossings)"),
    }
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "geofence.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    print(orjson.dumps(result).decode())
    return result


if __name__ == "__main__":
    main()
