"""Zones from GeoJSON, indexed for fast point and segment queries.

Input is an RFC 7946 FeatureCollection of Polygon and MultiPolygon features (holes
allowed) with ``properties.id`` and ``properties.name``. Zones that cross the antimeridian
arrive split at +/-180 (RFC 7946 section 3.1.9). To test tracks whose segments cross 180
degrees, each zone is also held in an *extended* form: the union of its geometry and two
copies shifted by +/-360 degrees of longitude. The union dissolves the seam at +/-180, so a
segment expressed in unwrapped longitudes (anywhere in [-360, 360]) meets only the real
boundary, never the artificial split line.

Geometry is shapely 2: prepared geometries and an STRtree over the extended zones, so a
point or a segment far from every zone costs one tree query.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely.affinity import translate
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry


class ZoneError(ValueError):
    """A zone definition that cannot be used; ``zone_id`` is None when unknown."""

    def __init__(self, message: str, zone_id: str | None = None) -> None:
        super().__init__(message if zone_id is None else f"zone {zone_id}: {message}")
        self.zone_id = zone_id


@dataclass(frozen=True, slots=True, eq=False)
class Zone:
    """One watched area: ``geometry`` as given; ``extended`` and its ``boundary`` for queries."""

    zone_id: str
    name: str
    geometry: BaseGeometry
    extended: BaseGeometry
    boundary: BaseGeometry
    properties: Mapping[str, object] = field(default_factory=dict)


def _extend(geometry: BaseGeometry) -> BaseGeometry:
    pieces = [geometry, translate(geometry, xoff=360.0), translate(geometry, xoff=-360.0)]
    extended = shapely.union_all(pieces)
    shapely.prepare(extended)
    return extended


def _check_ranges(geometry: BaseGeometry, zone_id: str) -> None:
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    if not all(math.isfinite(v) for v in geometry.bounds):
        raise ZoneError("non-finite coordinates", zone_id)
    if min_lon < -180.0 or max_lon > 180.0:
        raise ZoneError(f"longitude outside [-180, 180]: {min_lon}..{max_lon}", zone_id)
    if min_lat < -90.0 or max_lat > 90.0:
        raise ZoneError(f"latitude outside [-90, 90]: {min_lat}..{max_lat}", zone_id)


def zone_from_feature(feature: Mapping[str, object]) -> Zone:
    """Build a zone from one GeoJSON Feature.

    Raises:
        ZoneError: missing id/name, unsupported or invalid geometry, coordinates out of range.
    """
    props = feature.get("properties")
    if not isinstance(props, Mapping):
        raise ZoneError("feature without properties")
    zone_id = props.get("id")
    if not isinstance(zone_id, str) or not zone_id:
        raise ZoneError("feature without a string properties.id")
    name = props.get("name")
    if not isinstance(name, str) or not name:
        name = zone_id
    geometry_json = feature.get("geometry")
    if not isinstance(geometry_json, Mapping):
        raise ZoneError("feature without geometry", zone_id)
    if geometry_json.get("type") not in ("Polygon", "MultiPolygon"):
        raise ZoneError(f"unsupported geometry type {geometry_json.get('type')!r}", zone_id)
    try:
        geometry = shape(geometry_json)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise ZoneError(f"unreadable geometry: {exc}", zone_id) from None
    if not isinstance(geometry, Polygon | MultiPolygon) or geometry.is_empty:
        raise ZoneError("empty geometry", zone_id)
    _check_ranges(geometry, zone_id)
    if not geometry.is_valid:
        raise ZoneError(f"invalid geometry: {shapely.is_valid_reason(geometry)}", zone_id)
    extended = _extend(geometry)
    return Zone(zone_id=zone_id, name=name, geometry=geometry, extended=extended,
                boundary=extended.boundary, properties=dict(props))


class ZoneSet:
    """An immutable, indexed set of zones."""

    def __init__(self, zones: Iterable[Zone]) -> None:
        self.zones: tuple[Zone, ...] = tuple(zones)
        ids = [z.zone_id for z in self.zones]
        if len(set(ids)) != len(ids):
            raise ZoneError(f"duplicate zone ids: {sorted({i for i in ids if ids.count(i) > 1})}")
        self.by_id: dict[str, Zone] = {z.zone_id: z for z in self.zones}
        self._tree = shapely.STRtree([z.extended for z in self.zones])

    def __len__(self) -> int:
        return len(self.zones)

    def properties_of(self, zone_id: str) -> Mapping[str, object] | None:
        zone = self.by_id.get(zone_id)
        return None if zone is None else zone.properties

    def candidates(self, min_lon: float, min_lat: float, max_lon: float,
                   max_lat: float) -> list[Zone]:
        """Zones whose extended bounds meet the box (lon in [-360, 360])."""
        if not self.zones:
            return []
        box = shapely.box(min_lon, min_lat, max_lon, max_lat)
        return [self.zones[i] for i in sorted(self._tree.query(box))]

    def containing(self, lat_deg: float, lon_deg: float) -> list[Zone]:
        """Zones that contain the point; a point on the boundary counts as inside."""
        return [z for z in self.candidates(lon_deg, lat_deg, lon_deg, lat_deg)
                if shapely.intersects_xy(z.extended, lon_deg, lat_deg)]


def load_zone_collection(data: object) -> list[Zone]:
    """Zones of a GeoJSON FeatureCollection (a parsed JSON document)."""
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise ZoneError("not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, Sequence):
        raise ZoneError("FeatureCollection without features")
    zones = []
    for feature in features:
        if not isinstance(feature, Mapping):
            raise ZoneError("a feature is not an object")
        zones.append(zone_from_feature(feature))
    return zones


def load_zone_files(paths: Iterable[Path]) -> ZoneSet:
    """Load and index zones from GeoJSON files (a directory means its ``*.geojson``)."""
    zones: list[Zone] = []
    for path in paths:
        files = sorted(path.glob("*.geojson")) if path.is_dir() else [path]
        for file in files:
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ZoneError(f"{file}: {exc}") from None
            try:
                zones.extend(load_zone_collection(data))
            except ZoneError as exc:
                raise ZoneError(f"{file}: {exc}", exc.zone_id) from None
    return ZoneSet(zones)


def default_zone_dir() -> Path:
    """The bundled real ADIZ boundaries (see ``pipeline/data/adiz/SOURCES.md``)."""
    return Path(__file__).resolve().parent.parent / "data" / "adiz"
