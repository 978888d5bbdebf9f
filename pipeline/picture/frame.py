"""The picture's longitude frame: one continuous 360-degree window, chosen from the zones.

Positions on the wire are in [-180, 180] (RFC 7946). Drawn as they are, anything that
crosses the antimeridian (the Alaska ADIZ, a bomber patrol in the Bering Sea) is split to
the two edges of the map. The picture instead draws every longitude in a frame
``[west_deg, west_deg + 360)`` whose seam lies where nothing is watched: in the middle of
the widest stretch of longitude that no zone covers. For the bundled ADIZ set (East China
Sea to the US east coast) the seam falls in the Atlantic/Africa/Asia gap, so the Pacific,
the Bering Sea and both sides of 180 degrees are one continuous picture.

Trails are unwrapped point by point (each longitude is taken within 180 degrees of the
previous one), so a track crossing the seam or the antimeridian stays continuous; zones
are shifted part by part into the frame and dissolved, so a zone split at +/-180 is drawn
as one outline without the artificial line along the split.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import shapely
from shapely.affinity import translate
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from pipeline.geofence.zones import ZoneSet

DEFAULT_WEST_DEG = -180.0
"""Frame without zones: the usual Greenwich-centred map."""

LABEL_TOLERANCE_DEG = 0.05
"""Precision of a zone's label point (pole of inaccessibility); finer buys nothing on screen."""


@dataclass(frozen=True, slots=True)
class LonFrame:
    """Longitudes drawn in ``[west_deg, west_deg + 360)``."""

    west_deg: float

    @property
    def east_deg(self) -> float:
        return self.west_deg + 360.0

    def wrap(self, lon_deg: float) -> float:
        """``lon_deg`` moved by a multiple of 360 into the frame."""
        return self.west_deg + (lon_deg - self.west_deg) % 360.0

    @staticmethod
    def near(lon_deg: float, ref_deg: float) -> float:
        """``lon_deg`` moved by a multiple of 360 to within 180 degrees of ``ref_deg``.

        A half-turn exactly is taken eastwards (the result lies in [ref - 180, ref + 180)).
        """
        return ref_deg + (lon_deg - ref_deg + 180.0) % 360.0 - 180.0

    def offset_into(self, lon_deg: float) -> float:
        """The multiple of 360 that brings ``lon_deg`` into the frame."""
        return self.wrap(lon_deg) - lon_deg


def _covered(intervals: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Merged intervals on the circle, as starts in [0, 360) and ends after their start."""
    spans = sorted((lo % 360.0, lo % 360.0 + (hi - lo)) for lo, hi in intervals)
    merged: list[tuple[float, float]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def choose_frame(intervals: Iterable[tuple[float, float]]) -> LonFrame:
    """The frame whose seam is in the middle of the widest uncovered stretch of longitude.

    Args:
        intervals: ``(min_lon, max_lon)`` of each watched area, each within [-180, 180]
            (a zone split at the antimeridian gives one interval per part).

    Returns:
        A frame with ``west_deg`` a whole degree in [-180, 180); the default frame when
        nothing is covered, or everything is.
    """
    merged = _covered(intervals)
    if not merged:
        return LonFrame(DEFAULT_WEST_DEG)
    best_gap, best_mid = 0.0, None
    for i, (_, end) in enumerate(merged):
        next_start = merged[i + 1][0] if i + 1 < len(merged) else merged[0][0] + 360.0
        gap = next_start - end
        if gap > best_gap:
            best_gap, best_mid = gap, end + gap / 2.0
    if best_mid is None:
        return LonFrame(DEFAULT_WEST_DEG)
    seam = (round(best_mid) + 180.0) % 360.0 - 180.0
    return LonFrame(seam)


def _parts(geometry: BaseGeometry) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    return []


def zone_intervals(zones: ZoneSet) -> list[tuple[float, float]]:
    """Longitude extent of every polygon part of every zone."""
    out = []
    for zone in zones.zones:
        for part in _parts(zone.geometry):
            min_lon, _, max_lon, _ = part.bounds
            out.append((min_lon, max_lon))
    return out


def framed_geometry(geometry: BaseGeometry, frame: LonFrame) -> BaseGeometry:
    """Each part shifted into the frame by its centroid, then dissolved into one shape."""
    shifted = [translate(part, xoff=frame.offset_into(part.centroid.x))
               for part in _parts(geometry)]
    return shapely.union_all(shifted)


def _label_point(geometry: BaseGeometry) -> tuple[float, float]:
    largest = max(_parts(geometry), key=lambda part: part.area)
    point = polylabel(largest, tolerance=LABEL_TOLERANCE_DEG)
    return float(point.y), float(point.x)


def zones_geojson(zones: ZoneSet, frame: LonFrame) -> list[dict[str, object]]:
    """The zones as GeoJSON features in frame longitudes, with a label position each.

    Coordinates may exceed 180 (that is the point); they are for drawing, not for RFC 7946
    consumers.
    """
    features: list[dict[str, object]] = []
    for zone in zones.zones:
        geometry = framed_geometry(zone.geometry, frame)
        lat, x = _label_point(geometry)
        min_x, min_lat, max_x, max_lat = geometry.bounds
        features.append({
            "type": "Feature",
            "id": zone.zone_id,
            "properties": {"id": zone.zone_id, "name": zone.name,
                           "label": {"lat": round(lat, 4), "x": round(x, 4)},
                           "bounds": [round(v, 4) for v in (min_lat, min_x, max_lat, max_x)]},
            "geometry": mapping(geometry),
        })
    return features
