"""Point-and-radius zones as polygons.

A circle zone is a GeoJSON Feature with ``properties.radius_nm`` and either a Point geometry
or ``properties.center`` = [lon, lat] (with a null geometry). It becomes the polygon through
:data:`CIRCLE_VERTICES` points at equal azimuth steps, each at ``radius_nm`` from the centre
along a great circle on a sphere of radius :data:`EARTH_RADIUS_M` (the "destination point"
formula, e.g. Veness, *Calculate distance, bearing and more between latitude/longitude
points*, movable-type.co.uk). With 360 vertices the chord error is below 4e-5 of the
radius (7 m at 100 NM). From then on it is a polygon like any other: crossings are those of
that polygon, in longitude/latitude, with the same boundary-inside rule.

A circle that reaches across the antimeridian is split there (RFC 7946 section 3.1.9) into a
MultiPolygon. A circle that contains a pole, or passes within :data:`POLE_MARGIN_DEG` of one,
is refused: its longitude/latitude outline is not a simple polygon.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import shapely
from shapely.affinity import translate
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from pipeline.geofence.earth import EARTH_RADIUS_M, NM_M
from pipeline.geofence.errors import ZoneError, ZoneReason

CIRCLE_VERTICES = 360
MAX_RADIUS_NM = 3000.0
POLE_MARGIN_DEG = 1.0


def destination(lon_deg: float, lat_deg: float, azimuth_deg: float,
                distance_m: float) -> tuple[float, float]:
    """The point ``distance_m`` from (lon, lat) along the great circle at ``azimuth_deg``.

    The longitude is *not* wrapped: it stays within 180 degrees of ``lon_deg``, so the
    outline of a circle is continuous across the antimeridian.
    """
    phi1 = math.radians(lat_deg)
    theta = math.radians(azimuth_deg)
    delta = distance_m / EARTH_RADIUS_M
    sin_phi2 = (math.sin(phi1) * math.cos(delta)
                + math.cos(phi1) * math.sin(delta) * math.cos(theta))
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    dlam = math.atan2(math.sin(theta) * math.sin(delta) * math.cos(phi1),
                      math.cos(delta) - math.sin(phi1) * sin_phi2)
    return lon_deg + math.degrees(dlam), math.degrees(phi2)


def _split_at_antimeridian(polygon: Polygon) -> BaseGeometry:
    min_lon, _, max_lon, _ = polygon.bounds
    if min_lon >= -180.0 and max_lon <= 180.0:
        return polygon
    pieces = [
        shapely.intersection(polygon, shapely.box(-180.0, -90.0, 180.0, 90.0)),
        translate(shapely.intersection(polygon, shapely.box(180.0, -90.0, 540.0, 90.0)),
                  xoff=-360.0),
        translate(shapely.intersection(polygon, shapely.box(-540.0, -90.0, -180.0, 90.0)),
                  xoff=360.0),
    ]
    parts = [p for piece in pieces for p in getattr(piece, "geoms", (piece,))
             if isinstance(p, Polygon) and not p.is_empty]
    return MultiPolygon(parts)


def circle_polygon(lon_deg: float, lat_deg: float, radius_nm: float,
                   zone_id: str | None = None) -> BaseGeometry:
    """The polygon of a circle zone (a MultiPolygon when split at the antimeridian).

    Raises:
        ZoneError: centre out of range, radius not in (0, MAX_RADIUS_NM], or the circle
            reaches a pole (reason ``zone_bad_circle``).
    """
    if not (math.isfinite(lon_deg) and math.isfinite(lat_deg)
            and -180.0 <= lon_deg <= 180.0 and -90.0 <= lat_deg <= 90.0):
        raise ZoneError(ZoneReason.BAD_CIRCLE, f"centre ({lon_deg!r}, {lat_deg!r}) is not a "
                        "[lon, lat] within [-180, 180] x [-90, 90]", zone_id)
    if not (math.isfinite(radius_nm) and 0.0 < radius_nm <= MAX_RADIUS_NM):
        raise ZoneError(ZoneReason.BAD_CIRCLE, f"radius_nm must be in (0, {MAX_RADIUS_NM:g}], "
                        f"got {radius_nm!r}", zone_id)
    radius_deg = math.degrees(radius_nm * NM_M / EARTH_RADIUS_M)
    if radius_deg >= 90.0 - abs(lat_deg) - POLE_MARGIN_DEG:
        raise ZoneError(ZoneReason.BAD_CIRCLE, f"a circle of {radius_nm:g} NM around "
                        f"({lon_deg:g}, {lat_deg:g}) reaches within {POLE_MARGIN_DEG:g} deg of "
                        "a pole; use a polygon", zone_id)
    ring = [destination(lon_deg, lat_deg, 360.0 * i / CIRCLE_VERTICES, radius_nm * NM_M)
            for i in range(CIRCLE_VERTICES)]
    # Azimuth runs clockwise; reversed, the exterior ring is counter-clockwise (RFC 7946).
    ring.reverse()
    ring.append(ring[0])
    return _split_at_antimeridian(Polygon(ring))


def circle_spec(feature: Mapping[str, object],
                props: Mapping[str, object], zone_id: str) -> tuple[float, float, float] | None:
    """(lon, lat, radius_nm) of a circle feature, None when the feature is not a circle.

    Raises:
        ZoneError: a circle with a missing or malformed centre or radius.
    """
    radius = props.get("radius_nm")
    center = props.get("center")
    geometry = feature.get("geometry")
    point = (isinstance(geometry, Mapping) and geometry.get("type") == "Point")
    if radius is None and center is None and not point:
        return None
    if isinstance(radius, bool) or not isinstance(radius, int | float):
        raise ZoneError(ZoneReason.BAD_CIRCLE, f"circle needs a numeric radius_nm, got {radius!r}",
                        zone_id)
    if point and isinstance(geometry, Mapping):
        center = geometry.get("coordinates")
    elif geometry is not None:
        raise ZoneError(ZoneReason.BAD_CIRCLE, "a circle has a Point geometry or a null geometry "
                        "with properties.center", zone_id)
    if (not isinstance(center, list | tuple) or len(center) not in (2, 3)
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in center)):
        raise ZoneError(ZoneReason.BAD_CIRCLE, f"circle centre must be [lon, lat], got {center!r}",
                        zone_id)
    return float(center[0]), float(center[1]), float(radius)
