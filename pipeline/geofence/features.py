"""Checking a GeoJSON Feature before it becomes a zone.

Checks, in order, each failing with its own reason (``errors.ZoneReason``):

1. a Feature object with ``properties.id`` (a non-empty string);
2. a circle (``radius_nm`` with a Point or ``properties.center``, see ``circle.py``), or a
   Polygon/MultiPolygon whose coordinates are nested lists of 2 or 3 finite numbers;
3. every ring has at least 4 positions and is closed (first == last; shapely would close
   an open ring silently, so it is checked on the raw coordinates);
4. every position is within [-180, 180] x [-90, 90]; a latitude beyond 90 whose longitude
   would be a valid latitude is reported as a probable lat/lon swap (GeoJSON is lon, lat);
5. no edge spans more than 180 degrees of longitude: a polygon across the antimeridian must
   be split at +/-180 (RFC 7946 section 3.1.9), otherwise the edge would go the long way
   round;
6. shapely validity: self-intersections, holes outside their shell, and so on, with
   shapely's reason and location;
7. the properties (``rules.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

from pipeline.geofence.circle import circle_polygon, circle_spec
from pipeline.geofence.errors import ZoneError, ZoneReason
from pipeline.geofence.rules import ZoneRules, parse_rules


def feature_id(feature: object) -> str:
    """The zone id of a feature.

    Raises:
        ZoneError: not a Feature, or no string ``properties.id``.
    """
    if not isinstance(feature, Mapping) or feature.get("type", "Feature") != "Feature":
        raise ZoneError(ZoneReason.NOT_A_FEATURE, "not a GeoJSON Feature object")
    props = feature.get("properties")
    if not isinstance(props, Mapping):
        raise ZoneError(ZoneReason.MISSING_ID, "feature without properties")
    zone_id = props.get("id")
    if not isinstance(zone_id, str) or not zone_id.strip():
        raise ZoneError(ZoneReason.MISSING_ID, "feature without a string properties.id")
    return zone_id


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_ring(ring: object, where: str, zone_id: str) -> None:
    if not isinstance(ring, Sequence) or isinstance(ring, str):
        raise ZoneError(ZoneReason.MALFORMED_COORDINATES, f"{where} is not a list of positions",
                        zone_id)
    for i, pos in enumerate(ring):
        if (not isinstance(pos, Sequence) or isinstance(pos, str) or len(pos) not in (2, 3)
                or not all(_is_number(v) for v in pos)):
            raise ZoneError(ZoneReason.MALFORMED_COORDINATES,
                            f"{where} position {i} is not [lon, lat]: {pos!r}", zone_id)
        if not all(math.isfinite(v) for v in pos):
            raise ZoneError(ZoneReason.OUT_OF_RANGE, f"{where} position {i} is not finite: "
                            f"{pos!r}", zone_id)
    if len(ring) < 4:
        raise ZoneError(ZoneReason.TOO_FEW_POSITIONS, f"{where} has {len(ring)} positions; a "
                        "closed ring needs at least 4", zone_id)
    if list(ring[0][:2]) != list(ring[-1][:2]):
        raise ZoneError(ZoneReason.UNCLOSED_RING, f"{where} is not closed: first {ring[0]!r} "
                        f"!= last {ring[-1]!r}", zone_id)
    for i, (lon, lat, *_) in enumerate(ring):
        if not -90.0 <= lat <= 90.0:
            hint = (" (looks like [lat, lon]: GeoJSON positions are [lon, lat])"
                    if -90.0 <= lon <= 90.0 and abs(lat) <= 180.0 else "")
            raise ZoneError(ZoneReason.OUT_OF_RANGE, f"{where} position {i} has latitude "
                            f"{lat!r} outside [-90, 90]{hint}", zone_id)
        if not -180.0 <= lon <= 180.0:
            raise ZoneError(ZoneReason.OUT_OF_RANGE, f"{where} position {i} has longitude "
                            f"{lon!r} outside [-180, 180]", zone_id)
    for i in range(len(ring) - 1):
        lon_a, lon_b = ring[i][0], ring[i + 1][0]
        if abs(lon_b - lon_a) > 180.0:
            raise ZoneError(ZoneReason.ANTIMERIDIAN_EDGE, f"{where} edge {i} from lon {lon_a!r} "
                            f"to {lon_b!r} spans more than 180 degrees: split the polygon at "
                            "the antimeridian (RFC 7946 section 3.1.9)", zone_id)


def _check_polygon(rings: object, where: str, zone_id: str) -> None:
    if not isinstance(rings, Sequence) or isinstance(rings, str) or not rings:
        raise ZoneError(ZoneReason.MALFORMED_COORDINATES, f"{where} is not a list of rings",
                        zone_id)
    for r, ring in enumerate(rings):
        _check_ring(ring, f"{where} ring {r}" if where else f"ring {r}", zone_id)


def _polygonal(feature: Mapping[str, object], zone_id: str) -> BaseGeometry:
    geometry = feature.get("geometry")
    if not isinstance(geometry, Mapping):
        raise ZoneError(ZoneReason.UNSUPPORTED_GEOMETRY, "feature without geometry", zone_id)
    gtype = geometry.get("type")
    coords = geometry.get("coordinates")
    if gtype == "Polygon":
        _check_polygon(coords, "", zone_id)
    elif gtype == "MultiPolygon":
        if not isinstance(coords, Sequence) or isinstance(coords, str) or not coords:
            raise ZoneError(ZoneReason.MALFORMED_COORDINATES, "MultiPolygon without polygons",
                            zone_id)
        for p, rings in enumerate(coords):
            _check_polygon(rings, f"polygon {p}", zone_id)
    else:
        raise ZoneError(ZoneReason.UNSUPPORTED_GEOMETRY, f"geometry type {gtype!r}: use Polygon, "
                        "MultiPolygon, or a circle (radius_nm)", zone_id)
    try:
        return shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise ZoneError(ZoneReason.MALFORMED_COORDINATES, f"unreadable geometry: {exc}",
                        zone_id) from None


def _check_valid(geometry: BaseGeometry, zone_id: str) -> None:
    if not isinstance(geometry, Polygon | MultiPolygon) or geometry.is_empty:
        raise ZoneError(ZoneReason.INVALID_GEOMETRY, "empty geometry", zone_id)
    if geometry.is_valid:
        return
    reason = shapely.is_valid_reason(geometry)
    code = (ZoneReason.SELF_INTERSECTION if "Self-intersection" in reason
            else ZoneReason.INVALID_GEOMETRY)
    raise ZoneError(code, f"invalid geometry: {reason}", zone_id)


def parse_feature(feature: object) -> tuple[str, str, BaseGeometry, ZoneRules,
                                            dict[str, object]]:
    """(id, name, geometry, rules, properties) of a valid zone feature.

    Raises:
        ZoneError: the first check that fails, with its reason and evidence.
    """
    zone_id = feature_id(feature)
    assert isinstance(feature, Mapping)
    props = feature["properties"]
    assert isinstance(props, Mapping)
    name = props.get("name")
    if not isinstance(name, str) or not name.strip():
        name = zone_id
    circle = circle_spec(feature, props, zone_id)
    if circle is not None:
        geometry = circle_polygon(*circle, zone_id=zone_id)
    else:
        geometry = _polygonal(feature, zone_id)
    _check_valid(geometry, zone_id)
    rules = parse_rules(props, zone_id)
    return zone_id, name, geometry, rules, dict(props)
