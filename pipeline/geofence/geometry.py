"""Longitude unwrapping and the boundary crossings of a segment.

A track moves between two reports in a straight line in longitude/latitude, the shorter
way round: the end longitude is unwrapped (shifted by 360 degrees) when the raw difference
exceeds 180 degrees. Crossings are found on the zone's extended geometry (see
``zones.py``), so they need no special case at the antimeridian, and positions are wrapped
back into [-180, 180) when reported.

A point on the boundary counts as inside. A segment that only touches the boundary at one
interior point (a vertex grazed from outside) does not enter: a zone is entered when the
track is inside over an interval or at one of its reports.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

_T_EPS = 1e-12


def unwrap_lon(lon_from: float, lon_to: float) -> float:
    """``lon_to`` shifted by 360 degrees where that makes the step shorter than 180."""
    delta = lon_to - lon_from
    if delta > 180.0:
        return lon_to - 360.0
    if delta < -180.0:
        return lon_to + 360.0
    return lon_to


def wrap_lon(lon: float) -> float:
    """A longitude in [-180, 180)."""
    wrapped = (lon + 180.0) % 360.0 - 180.0
    return 0.0 if wrapped == -0.0 else wrapped


@dataclass(frozen=True, slots=True)
class Crossing:
    """A change of inside/outside state at fraction ``t`` of a segment."""

    t: float
    entering: bool


def _boundary_ts(segment: LineString, boundary: BaseGeometry) -> list[float]:
    hit = segment.intersection(boundary)
    if hit.is_empty:
        return []
    ts: set[float] = set()
    for part in getattr(hit, "geoms", (hit,)):
        for x, y in part.coords:
            ts.add(segment.project(shapely.Point(x, y), normalized=True))
    return sorted(ts)


def segment_crossings(zone_geometry: BaseGeometry, zone_boundary: BaseGeometry,
                      lon0: float, lat0: float, lon1: float,
                      lat1: float) -> tuple[bool, list[Crossing], bool]:
    """Inside state at both ends of a segment and the crossings between them.

    Args:
        zone_geometry: the zone's prepared extended geometry.
        zone_boundary: its boundary (computed once per zone).
        lon0, lat0, lon1, lat1: the segment, ``lon1`` already unwrapped.

    Returns:
        (inside at start, crossings in order of t, inside at end). Crossings alternate and
        are consistent with the two end states.
    """
    inside0 = bool(shapely.intersects_xy(zone_geometry, lon0, lat0))
    inside1 = bool(shapely.intersects_xy(zone_geometry, lon1, lat1))
    if lon0 == lon1 and lat0 == lat1:
        return inside0, [], inside1
    segment = LineString([(lon0, lat0), (lon1, lat1)])
    # Fast paths on the prepared geometry: most segments are far from or deep inside a zone.
    if inside0 and inside1 and zone_geometry.contains_properly(segment):
        return True, [], True
    if not inside0 and not inside1 and not zone_geometry.intersects(segment):
        return False, [], False
    ts = [t for t in _boundary_ts(segment, zone_boundary) if _T_EPS < t < 1 - _T_EPS]
    # Classify the open intervals between boundary hits; the hits themselves are inside,
    # so a change of state happens at the hit that starts an interval.
    cuts = [0.0, *ts, 1.0]
    crossings: list[Crossing] = []
    state = inside0
    for a, b in itertools.pairwise(cuts):
        mid = (a + b) / 2.0
        interval_inside = bool(shapely.intersects_xy(
            zone_geometry, lon0 + (lon1 - lon0) * mid, lat0 + (lat1 - lat0) * mid))
        if interval_inside != state:
            crossings.append(Crossing(a, entering=interval_inside))
            state = interval_inside
    if state != inside1:
        # The end report lies on the boundary (inside) after an outside interval.
        crossings.append(Crossing(1.0, entering=inside1))
    return inside0, crossings, inside1
