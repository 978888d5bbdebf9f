"""A slow, independent geofence: dense sampling along each segment, then bisection.

Written from the semantics in the issue and ``tracker.py``'s docstring, not from the stage's
code: it shares no geometry code with ``pipeline/geofence`` (no extended geometries, no
grid, no edge intersections, no intervals). It only imports the model types to read the
points.

* Zones are the GeoJSON as given (antimeridian-split MultiPolygons stay split); a sample
  position is wrapped into [-180, 180) and tested with shapely ``intersects_xy`` on the raw
  geometry (a point on the boundary is inside). Circles are the true spherical circle
  (haversine distance <= radius), not a polygon.
* A segment between two reports at most ``max_gap_ms`` apart is sampled every
  ``SAMPLE_M`` metres (position and altitude linear in time, longitude the short way round),
  plus the instants where the altitude crosses a band limit (computed on their own, +/- a
  microsecond, so a short piece between a vertical and a lateral crossing is not stepped
  over). Where two neighbouring samples differ, bisection finds the instant to
  ``BISECT_STEPS`` halvings. A segment that does not come within 1e-7 degrees of the zone's
  boundary and whose altitude crosses no band limit has one state throughout and is not
  sampled (a shortcut: it changes no result).
* After a longer gap the states at the two reports are compared. Lost: the track's own next
  report after ``lost_ms`` of silence while inside; dwell: ``dwell_ms`` after the entry while
  still inside (at the report after a gap if the instant falls in one).
* Events of one report are ordered by time; at one instant lost, regained, dwell, exit,
  entry; then zone id.

Limits: an excursion shorter than the sampling step can be missed, so the generated tracks
stay clear of sharp corners (see the test).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import shape

from pipeline.model.track import TrackKind, TrackPoint

SAMPLE_M = 100.0
BISECT_STEPS = 30
R_MEAN_M = 6_371_008.8
NM_M = 1852.0
_RANK = {"track.lost": 0, "track.regained": 1, "zone.dwell": 2, "zone.exit": 3, "zone.entry": 4}


@dataclass
class OracleZone:
    zone_id: str
    geometry: shapely.Geometry | None
    circle: tuple[float, float, float] | None  # lon, lat, radius in metres
    floor_ft: float | None
    ceiling_ft: float | None
    applies_to: str
    dwell_ms: int | None
    near: shapely.Geometry  # for the no-boundary-nearby shortcut

    @classmethod
    def from_feature(cls, feature: Mapping[str, object]) -> OracleZone:
        props = feature["properties"]
        assert isinstance(props, Mapping)
        geometry = feature.get("geometry")
        circle = None
        geom = None
        if "radius_nm" in props:
            assert isinstance(geometry, Mapping)
            lon, lat = geometry["coordinates"]  # type: ignore[misc]
            circle = (float(lon), float(lat), float(props["radius_nm"]) * NM_M)  # type: ignore[arg-type]
            near = shapely.Point(lon, lat).buffer(
                math.degrees(circle[2] / R_MEAN_M) / max(0.1, math.cos(math.radians(lat))) + 0.2)
        else:
            geom = shape(geometry)
            shapely.prepare(geom)
            # Boundary copies at +/-360 so unwrapped segments meet it (the split seam at
            # +/-180 is in there too: touching it only costs a sampling).
            near = shapely.union_all([shapely.affinity.translate(geom.boundary, xoff=dx)
                                      for dx in (-360.0, 0.0, 360.0)])
        shapely.prepare(near)
        dwell = props.get("dwell_s")
        return cls(str(props["id"]), geom, circle, _opt(props.get("floor_ft")),
                   _opt(props.get("ceiling_ft")), str(props.get("applies_to", "both")),
                   None if dwell is None else round(float(dwell) * 1000), near)  # type: ignore[arg-type]

    def applies(self, kind: TrackKind) -> bool:
        return self.applies_to in ("both", kind.value)

    def inside(self, lon: np.ndarray, lat: np.ndarray, alt: np.ndarray | None,
               kind: TrackKind) -> np.ndarray:
        lon = (lon + 180.0) % 360.0 - 180.0
        if self.circle is not None:
            clon, clat, radius = self.circle
            p1, p2 = np.radians(clat), np.radians(lat)
            a = (np.sin((p2 - p1) / 2) ** 2
                 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon - clon) / 2) ** 2)
            lateral = 2 * R_MEAN_M * np.arcsin(np.minimum(1.0, np.sqrt(a))) <= radius
        else:
            lateral = shapely.intersects_xy(self.geometry, lon, lat)
        if alt is None or kind is not TrackKind.AIRCRAFT:
            return np.asarray(lateral, dtype=bool)
        band = np.ones_like(lateral, dtype=bool)
        if self.floor_ft is not None:
            band &= alt >= self.floor_ft
        if self.ceiling_ft is not None:
            band &= alt <= self.ceiling_ft
        return np.asarray(lateral & band, dtype=bool)


def _opt(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


@dataclass
class OEvent:
    type: str
    zone_id: str
    at_ms: float
    report_ms: int


def _alts(p0: TrackPoint, p1: TrackPoint) -> tuple[float, float] | None:
    a0 = p0.alt_ft if p0.alt_ft is not None else p1.alt_ft
    a1 = p1.alt_ft if p1.alt_ft is not None else p0.alt_ft
    return None if a0 is None or a1 is None else (float(a0), float(a1))


class _Segment:
    def __init__(self, p0: TrackPoint, p1: TrackPoint) -> None:
        self.p0, self.p1 = p0, p1
        d = p1.lon_deg - p0.lon_deg
        shift = -360.0 if d > 180 else 360.0 if d < -180 else 0.0
        self.lon1 = p1.lon_deg + shift
        self.alts = _alts(p0, p1)

    def at(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        lon = self.p0.lon_deg + (self.lon1 - self.p0.lon_deg) * t
        lat = self.p0.lat_deg + (self.p1.lat_deg - self.p0.lat_deg) * t
        alt = None if self.alts is None else self.alts[0] + (self.alts[1] - self.alts[0]) * t
        return lon, lat, alt

    def length_m(self) -> float:
        p0, p1 = math.radians(self.p0.lat_deg), math.radians(self.p1.lat_deg)
        a = (math.sin((p1 - p0) / 2) ** 2 + math.cos(p0) * math.cos(p1)
             * math.sin(math.radians(self.lon1 - self.p0.lon_deg) / 2) ** 2)
        return 2 * R_MEAN_M * math.asin(min(1.0, math.sqrt(a)))


def _band_instants(seg: _Segment, zone: OracleZone) -> list[float]:
    if seg.alts is None or seg.alts[0] == seg.alts[1]:
        return []
    a0, a1 = seg.alts
    out = []
    for limit in (zone.floor_ft, zone.ceiling_ft):
        if limit is not None:
            t = (limit - a0) / (a1 - a0)
            if 0.0 < t < 1.0:
                out.extend([max(0.0, t - 1e-6 / 300), t, min(1.0, t + 1e-6 / 300)])
    return out


def _transitions(seg: _Segment, zone: OracleZone, kind: TrackKind) -> list[tuple[float, bool]]:
    """(parameter, entering) of every change of state along the segment."""
    line = shapely.LineString([(seg.p0.lon_deg, seg.p0.lat_deg), (seg.lon1, seg.p1.lat_deg)])
    instants = _band_instants(seg, zone) if kind is TrackKind.AIRCRAFT else []
    if not instants and not shapely.dwithin(zone.near, line, 1e-7):
        return []
    n = max(2, math.ceil(seg.length_m() / SAMPLE_M) + 1)
    ts = np.unique(np.concatenate([np.linspace(0.0, 1.0, n), np.array(instants)]))
    states = zone.inside(*seg.at(ts), kind)
    change = np.nonzero(states[1:] != states[:-1])[0]
    if len(change) == 0:
        return []
    lo, hi = ts[change].copy(), ts[change + 1].copy()
    lo_state = states[change].copy()
    for _ in range(BISECT_STEPS):
        mid = (lo + hi) / 2
        mid_state = zone.inside(*seg.at(mid), kind)
        same = mid_state == lo_state
        lo = np.where(same, mid, lo)
        hi = np.where(same, hi, mid)
    # Entering: the first inside instant (hi); leaving: the last inside instant (lo).
    return [(float(h) if not s else float(lo_), not bool(s))
            for lo_, h, s in zip(lo, hi, lo_state, strict=True)]


def run_track(points: Sequence[TrackPoint], zones: Sequence[OracleZone],
              max_gap_ms: int = 300_000, lost_aircraft_ms: int = 600_000,
              lost_vessel_ms: int = 1_800_000) -> list[OEvent]:
    """The events of one track, in publication order."""
    accepted: list[TrackPoint] = []
    for p in points:
        if not accepted or p.ts_ms > accepted[-1].ts_ms:
            accepted.append(p)
    if not accepted:
        return []
    kind = accepted[0].kind
    lost_ms = lost_vessel_ms if kind is TrackKind.VESSEL else lost_aircraft_ms
    zones = [z for z in zones if z.applies(kind)]
    lons = np.array([p.lon_deg for p in accepted])
    lats = np.array([p.lat_deg for p in accepted])
    alts = np.array([np.nan if p.alt_ft is None else p.alt_ft for p in accepted])
    # Altitude unknown at a report: the band cannot rule it out (nan compares False).
    state_at = {}
    for z in zones:
        known = zone_inside_known(z, lons, lats, alts, kind)
        state_at[z.zone_id] = known
    out: list[OEvent] = []
    first = accepted[0]
    inside = {z.zone_id: bool(state_at[z.zone_id][0]) for z in zones}
    entered = {zid: first.ts_ms for zid, v in inside.items() if v}
    dwelt: set[str] = set()
    batch = [OEvent("zone.entry", zid, first.ts_ms, first.ts_ms) for zid, v in inside.items() if v]
    out.extend(_ordered(batch))
    for i in range(1, len(accepted)):
        p0, p1 = accepted[i - 1], accepted[i]
        dt = p1.ts_ms - p0.ts_ms
        batch = []
        if any(inside.values()) and dt >= lost_ms:
            batch += [OEvent("track.lost", zid, p0.ts_ms + lost_ms, p1.ts_ms)
                      for zid in sorted(z for z, v in inside.items() if v)]
            batch += [OEvent("track.regained", zid, p1.ts_ms, p1.ts_ms)
                      for zid in sorted(z for z, v in inside.items() if v)]
        seg = _Segment(p0, p1)
        for z in zones:
            zid = z.zone_id
            now = bool(state_at[zid][i])
            if dt > max_gap_ms:
                changes = [(1.0, now)] if now != inside[zid] else []
                jump = True
            else:
                changes = _transitions(seg, z, kind)
                jump = False
            for t, entering in changes:
                at = p1.ts_ms if jump else p0.ts_ms + round(dt * t)
                if not entering and not jump and z.dwell_ms is not None and zid not in dwelt:
                    due = entered[zid] + z.dwell_ms
                    if due <= at:
                        batch.append(OEvent("zone.dwell", zid, due, p1.ts_ms))
                batch.append(OEvent("zone.entry" if entering else "zone.exit", zid, at, p1.ts_ms))
                inside[zid] = entering
                if entering:
                    entered[zid] = at
                    dwelt.discard(zid)
            if inside[zid] and z.dwell_ms is not None and zid not in dwelt:
                due = entered[zid] + z.dwell_ms
                if due <= p1.ts_ms:
                    batch.append(OEvent("zone.dwell", zid, p1.ts_ms if jump else due, p1.ts_ms))
                    dwelt.add(zid)
            if not inside[zid]:
                dwelt.discard(zid)
        out.extend(_ordered(batch))
    return out


def zone_inside_known(zone: OracleZone, lons: np.ndarray, lats: np.ndarray, alts: np.ndarray,
                      kind: TrackKind) -> np.ndarray:
    unknown = np.isnan(alts)
    inside = zone.inside(lons, lats, np.where(unknown, 0.0, alts), kind)
    if kind is TrackKind.AIRCRAFT and unknown.any():
        lateral = zone.inside(lons, lats, None, kind)
        inside = np.where(unknown, lateral, inside)
    return inside


def _ordered(batch: list[OEvent]) -> list[OEvent]:
    return sorted(batch, key=lambda e: (round(e.at_ms), _RANK[e.type], e.zone_id))
