"""Synthetic canonical track traffic over and around the bundled ADIZ zones.

Records are ``tracks.canonical`` values in the public format (``schemas/tracks.points.schema
.json``: track_id, kind, source, time, ts_ms, lat, lon and optional fields), keyed by track
id. Each aircraft flies a straight-ish line at 120-260 m/s and reports every 1-10 s of event
time (ADS-B positions arrive about once a second, receivers thin them); all tracks are
interleaved in event-time order, as a receiver would deliver them. The mix:

* ``around`` (50 %): random start anywhere in a zone polygon's bounding box grown by 10
  degrees, random heading: traffic near the zones, most of it never inside one;
* ``edge`` (35 %): launched from a random point at 0-80 % of its flight distance away from
  a random point of a zone boundary and heading at it, so it crosses the boundary (in or
  out) during its flight;
* ``inside`` (15 %): start inside a zone, random heading.

The zones are read from the GeoJSON files in ``pipeline/data/adiz`` directly (shapely), not
through the pipeline's own zone loader: the bench depends only on public formats.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

ZONE_DIR = Path(__file__).resolve().parents[1] / "pipeline" / "data" / "adiz"
EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius
M_PER_DEG = math.pi * EARTH_RADIUS_M / 180.0
MIX = (("around", 0.50), ("edge", 0.35), ("inside", 0.15))
BBOX_MARGIN_DEG = 10.0
T0_MS = 1_721_800_000_000  # 2024-07-24T05:46:40Z: the event time of the first reports

_Row = tuple[int, str, dict[str, object]]  # (event ts_ms, track id, canonical record)


@dataclass(frozen=True, slots=True)
class Report:
    """One raw input record: its key, value and the (track id, event time) it carries."""

    key: bytes
    value: bytes
    track_id: str
    ts_ms: int


def load_zone_polygons(zone_dir: Path = ZONE_DIR) -> list[BaseGeometry]:
    """Every polygon of every zone feature (multipolygons split into their parts)."""
    polygons: list[BaseGeometry] = []
    for path in sorted(zone_dir.glob("*.geojson")):
        doc = orjson.loads(path.read_bytes())
        features = doc["features"] if doc.get("type") == "FeatureCollection" else [doc]
        for feature in features:
            geometry = shape(feature["geometry"])
            polygons.extend(getattr(geometry, "geoms", [geometry]))
    for polygon in polygons:
        shapely.prepare(polygon)
    return polygons


def icao_address(n: int) -> str:
    """The n-th address: n times an odd constant modulo 2**24 is one-to-one, and spreads
    consecutive tracks over every country's address block."""
    return f"{(n * 0x9E3779) & 0xFFFFFF:06x}"


def _iso_ms(ts_ms: int) -> str:
    return datetime.fromtimestamp(ts_ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _wrap_lon(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0


def _move(lat: float, lon: float, heading_deg: float, dist_m: float) -> tuple[float, float]:
    """Flat-earth step: good enough for a few kilometres per report."""
    h = math.radians(heading_deg)
    lat2 = lat + dist_m * math.cos(h) / M_PER_DEG
    lat2 = max(-85.0, min(85.0, lat2))
    lon2 = lon + dist_m * math.sin(h) / (M_PER_DEG * max(0.05, math.cos(math.radians(lat))))
    return lat2, _wrap_lon(lon2)


def _bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dlon = _wrap_lon(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return math.degrees(math.atan2(dlon, lat2 - lat1)) % 360.0


class Traffic:
    """A generator of interleaved canonical reports for ``tracks`` aircraft."""

    def __init__(self, seed: int, zones: list[BaseGeometry] | None = None) -> None:
        self.rnd = random.Random(seed)
        self.zones = zones if zones is not None else load_zone_polygons()
        self.kinds: dict[str, int] = {}

    def _start(self, kind: str, flight_m: float) -> tuple[float, float, float]:
        rnd = self.rnd
        zone = rnd.choice(self.zones)
        west, south, east, north = zone.bounds
        if kind == "edge":
            ring = zone.exterior
            target = ring.interpolate(rnd.random(), normalized=True)
            heading = rnd.uniform(0.0, 360.0)
            lat, lon = _move(target.y, target.x, heading, rnd.uniform(0.0, 0.8) * flight_m)
            return lat, lon, _bearing(lat, lon, target.y, target.x)
        if kind == "inside":
            for _ in range(1000):
                lon, lat = rnd.uniform(west, east), rnd.uniform(south, north)
                if zone.contains(shapely.Point(lon, lat)):
                    return lat, lon, rnd.uniform(0.0, 360.0)
        lat = rnd.uniform(max(-80.0, south - BBOX_MARGIN_DEG), min(80.0, north + BBOX_MARGIN_DEG))
        lon = _wrap_lon(rnd.uniform(west - BBOX_MARGIN_DEG, east + BBOX_MARGIN_DEG))
        return lat, lon, rnd.uniform(0.0, 360.0)

    def _kind(self) -> str:
        roll = self.rnd.random()
        for kind, share in MIX:
            if roll < share:
                return kind
            roll -= share
        return MIX[-1][0]

    def _track(self, number: int, points: int, t0_ms: int) -> list[_Row]:
        rnd = self.rnd
        kind = self._kind()
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        icao = icao_address(number)
        track_id = f"icao24:{icao}"
        speed = rnd.uniform(120.0, 260.0)
        gaps = [rnd.uniform(1.0, 10.0) for _ in range(points)]
        lat, lon, heading = self._start(kind, speed * sum(gaps[:-1]))
        alt = rnd.randrange(1000, 41000, 100)
        callsign = f"BEN{number % 10000:04d}"
        ts = t0_ms + rnd.randrange(0, 10_000)
        out = []
        for gap in gaps:
            out.append((ts, track_id, {
                "track_id": track_id, "kind": "aircraft", "source": "canonical",
                "time": _iso_ms(ts), "ts_ms": ts, "lat": round(lat, 6), "lon": round(lon, 6),
                "icao24": icao, "altitude_ft": alt, "speed_kt": round(speed * 1.943844, 1),
                "track_deg": round(heading, 1), "callsign": callsign,
            }))
            ts += round(gap * 1000)
            heading = (heading + rnd.gauss(0.0, 1.0)) % 360.0
            lat, lon = _move(lat, lon, heading, speed * gap)
        return out

    def reports(self, messages: int, points_per_track: int, first_track: int = 0x100000,
                t0_ms: int = T0_MS) -> list[Report]:
        """``messages`` reports of ``messages // points_per_track`` tracks in event-time order.

        Tracks are numbered from ``first_track`` (see :func:`icao_address`), so traffic
        sets with disjoint number ranges have disjoint addresses.
        """
        tracks = max(1, math.ceil(messages / points_per_track))
        rows: list[_Row] = []
        for n in range(tracks):
            rows += self._track(first_track + n, points_per_track, t0_ms)
        rows.sort(key=lambda row: row[0])
        return [Report(track_id.encode(), orjson.dumps(doc), track_id, ts)
                for ts, track_id, doc in rows[:messages]]


def probe_track(zones: list[BaseGeometry], number: int, t0_ms: int, count: int) -> list[Report]:
    """Reports of one aircraft flying straight into a zone: the first inside is at index 3.

    Used to learn when a worker is ready (its zone event came out). The course is searched
    along the boundary of the largest zone until 3 reports lie outside and the next 5 inside.
    """
    zone = max(zones, key=lambda z: z.area)
    inner = zone.representative_point()
    step_m = 2_000.0
    for i in range(200):
        target = zone.exterior.interpolate(i / 200, normalized=True)
        heading = _bearing(target.y, target.x, inner.y, inner.x)
        lat, lon = _move(target.y, target.x, (heading + 180.0) % 360.0, 2.5 * step_m)
        course = [(lat, lon)]
        for _ in range(count - 1):
            lat, lon = _move(lat, lon, heading, step_m)
            course.append((lat, lon))
        inside = [zone.contains(shapely.Point(x, y)) for y, x in course[:8]]
        if inside == [False] * 3 + [True] * 5:
            break
    else:
        raise RuntimeError("no probe course found along the largest zone")
    icao = icao_address(number)
    track_id = f"icao24:{icao}"
    out = []
    for n, (lat, lon) in enumerate(course):
        ts = t0_ms + n * 1000
        doc = {"track_id": track_id, "kind": "aircraft", "source": "canonical",
               "time": _iso_ms(ts), "ts_ms": ts, "lat": round(lat, 6), "lon": round(lon, 6),
               "icao24": icao, "altitude_ft": 30000}
        out.append(Report(track_id.encode(), orjson.dumps(doc), track_id, ts))
    return out
