"""Zones from GeoJSON, indexed for fast point and segment queries.

Input is RFC 7946 GeoJSON: Polygon and MultiPolygon features (holes allowed) or circles, with
``properties.id`` and the optional properties of ``rules.py``; ``features.py`` lists the
checks a feature must pass. Zones that cross the antimeridian arrive split at +/-180 (RFC
7946 section 3.1.9). To test tracks whose segments cross 180 degrees, each zone is also held
in an *extended* form: the union of its geometry and two copies shifted by +/-360 degrees of
longitude. The union dissolves the seam at +/-180, so a segment expressed in unwrapped
longitudes (anywhere in [-360, 360]) meets only the real boundary, never the split line.

Each zone's extended geometry is indexed by a :class:`~pipeline.geofence.grid.ZoneGrid`; a
:class:`ZoneSet` merges the grids of its zones into one cell -> zones map, so a point or a
segment far from every zone costs a dict look-up or two.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely.affinity import translate
from shapely.geometry.base import BaseGeometry

from pipeline.geofence.errors import ZoneError, ZoneReason
from pipeline.geofence.features import parse_feature
from pipeline.geofence.grid import CELL_DEG, CELL_EPS, NY, X_MIN, Y_MIN, Entry, ZoneGrid, cell_of
from pipeline.geofence.rules import ZoneRules

__all__ = ["Zone", "ZoneError", "ZoneSet", "default_zone_dir", "load_zone_collection",
           "load_zone_files", "zone_from_feature"]


@dataclass(frozen=True, slots=True, eq=False)
class Zone:
    """One watched area: ``geometry`` as given; ``extended`` and its ``grid`` for queries."""

    zone_id: str
    name: str
    geometry: BaseGeometry
    extended: BaseGeometry
    grid: ZoneGrid
    rules: ZoneRules = field(default_factory=ZoneRules)
    properties: Mapping[str, object] = field(default_factory=dict)

    @property
    def boundary(self) -> BaseGeometry:
        return self.extended.boundary


def _extend(geometry: BaseGeometry) -> BaseGeometry:
    pieces = [geometry, translate(geometry, xoff=360.0), translate(geometry, xoff=-360.0)]
    return shapely.union_all(pieces)


def zone_from_feature(feature: object, defaults: Mapping[str, object] | None = None) -> Zone:
    """Build a zone from one GeoJSON Feature.

    Args:
        feature: the parsed GeoJSON Feature.
        defaults: properties assumed where the feature has none (e.g. the bundled set's
            ``kind``).

    Raises:
        ZoneError: the feature fails a check of ``features.py``, with its reason.
    """
    if defaults and isinstance(feature, Mapping) and isinstance(feature.get("properties"),
                                                                Mapping):
        props_in = feature["properties"]
        assert isinstance(props_in, Mapping)
        feature = {**feature, "properties": {**defaults, **props_in}}
    zone_id, name, geometry, rules, props = parse_feature(feature)
    extended = _extend(geometry)
    return Zone(zone_id=zone_id, name=name, geometry=geometry, extended=extended,
                grid=ZoneGrid(extended), rules=rules, properties=props)


Intervals = list[tuple[float, float]]

# grid.cell_range, inlined on the hot path.
_INV = 1.0 / CELL_DEG
_LO_X, _HI_X = X_MIN + CELL_EPS, X_MIN - CELL_EPS
_LO_Y, _HI_Y = Y_MIN + CELL_EPS, Y_MIN - CELL_EPS


class ZoneSet:
    """An immutable, indexed set of zones."""

    def __init__(self, zones: Iterable[Zone]) -> None:
        self.zones: tuple[Zone, ...] = tuple(zones)
        ids = [z.zone_id for z in self.zones]
        if len(set(ids)) != len(ids):
            dups = sorted({i for i in ids if ids.count(i) > 1})
            raise ZoneError(ZoneReason.DUPLICATE_ID, f"duplicate zone ids: {dups}")
        self.by_id: dict[str, Zone] = {z.zone_id: z for z in self.zones}
        merged: dict[int, list[tuple[Zone, Entry]]] = {}
        for zone in self.zones:
            for cid, entry in zone.grid.cells.items():
                merged.setdefault(cid, []).append((zone, entry))
        self._cells: dict[int, tuple[tuple[Zone, Entry], ...]] = {
            cid: tuple(found) for cid, found in merged.items()}

    def __len__(self) -> int:
        return len(self.zones)

    def properties_of(self, zone_id: str) -> Mapping[str, object] | None:
        zone = self.by_id.get(zone_id)
        return None if zone is None else zone.properties


    def containing(self, lat_deg: float, lon_deg: float) -> list[Zone]:
        """Zones that contain the point; a point on the boundary counts as inside."""
        found = self._cells.get(cell_of(lon_deg, lat_deg))
        if found is None:
            return []
        return [zone for zone, entry in found
                if entry is True or (entry is not False
                                     and shapely.intersects_xy(zone.extended, lon_deg, lat_deg))]

    def near_boundary(self, lat_deg: float, lon_deg: float) -> bool:
        """True when the point's grid cell holds a zone boundary (a statistic for benches)."""
        found = self._cells.get(cell_of(lon_deg, lat_deg), ())
        return any(isinstance(entry, tuple) for _, entry in found)

    def nothing_near(self, x0: float, y0: float, x1: float, y1: float) -> bool:
        """True when no zone has a cell under the segment's box (the fast path)."""
        if x0 <= x1:
            ix0, ix1 = int((x0 - _LO_X) * _INV), int((x1 - _HI_X) * _INV)
        else:
            ix0, ix1 = int((x1 - _LO_X) * _INV), int((x0 - _HI_X) * _INV)
        if y0 <= y1:
            iy0, iy1 = int((y0 - _LO_Y) * _INV), int((y1 - _HI_Y) * _INV)
        else:
            iy0, iy1 = int((y1 - _LO_Y) * _INV), int((y0 - _HI_Y) * _INV)
        cells = self._cells
        if ix0 == ix1 and iy0 == iy1:
            return ix0 * NY + iy0 not in cells
        for ix in range(ix0, ix1 + 1):
            base = ix * NY
            for iy in range(iy0, iy1 + 1):
                if base + iy in cells:
                    return False
        return True

    def segment(self, x0: float, y0: float, x1: float, y1: float) -> list[tuple[Zone, Intervals]]:
        """The zones a segment is inside somewhere, each with its closed inside intervals.

        Args:
            x0, y0, x1, y1: the segment in degrees, ``x1`` already unwrapped (within 180
                degrees of ``x0``).

        Returns:
            (zone, intervals of the segment parameter in [0, 1]) for every zone with at
            least one interval, in zone order.
        """
        cells = self._cells
        lx, hx = (x0, x1) if x0 <= x1 else (x1, x0)
        ly, hy = (y0, y1) if y0 <= y1 else (y1, y0)
        ix0, ix1 = int((lx - _LO_X) * _INV), int((hx - _HI_X) * _INV)
        iy0, iy1 = int((ly - _LO_Y) * _INV), int((hy - _HI_Y) * _INV)
        if ix0 == ix1 and iy0 == iy1:
            found = cells.get(ix0 * NY + iy0)
            if found is None:
                return []
            ncells = 1
            per_zone: dict[Zone, list[Entry]] = {zone: [entry] for zone, entry in found}
        else:
            ncells = (ix1 - ix0 + 1) * (iy1 - iy0 + 1)
            per_zone = {}
            for ix in range(ix0, ix1 + 1):
                base = ix * NY
                for iy in range(iy0, iy1 + 1):
                    hit = cells.get(base + iy)
                    if hit is not None:
                        for zone, entry in hit:
                            per_zone.setdefault(zone, []).append(entry)
            if not per_zone:
                return []
        out: list[tuple[Zone, Intervals]] = []
        for zone in self.zones:
            entries = per_zone.get(zone)
            if entries is None:
                continue
            edge_ids: set[int] | tuple[int, ...] | range
            tuples = [e for e in entries if isinstance(e, tuple)]
            if not tuples:
                if len(entries) == ncells:
                    out.append((zone, [(0.0, 1.0)]))
                    continue
                # Inside and outside cells with no boundary between them cannot happen; if
                # rounding ever says otherwise, test every edge.
                edge_ids = range(len(zone.grid.edges))
            elif len(tuples) == 1:
                edge_ids = tuples[0]
            else:
                edge_ids = {i for t in tuples for i in t}
            intervals = zone.grid.intervals(x0, y0, x1, y1, edge_ids)
            if intervals:
                out.append((zone, intervals))
        return out


BUNDLED_DEFAULTS: Mapping[str, object] = {"kind": "adiz"}
"""The bundled files hold only ADIZ boundaries; their features carry no ``kind``."""


def load_zone_collection(data: object,
                         defaults: Mapping[str, object] | None = None) -> list[Zone]:
    """Zones of a GeoJSON FeatureCollection (a parsed JSON document)."""
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise ZoneError(ZoneReason.NOT_A_FEATURE, "not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, Sequence):
        raise ZoneError(ZoneReason.NOT_A_FEATURE, "FeatureCollection without features")
    return [zone_from_feature(feature, defaults) for feature in features]


def load_zone_files(paths: Iterable[Path]) -> ZoneSet:
    """Load and index zones from GeoJSON files (a directory means its ``*.geojson``)."""
    zones: list[Zone] = []
    for path in paths:
        files = sorted(path.glob("*.geojson")) if path.is_dir() else [path]
        bundled = path.resolve() == default_zone_dir()
        defaults = BUNDLED_DEFAULTS if bundled else None
        for file in files:
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ZoneError(ZoneReason.UNREADABLE, f"{file}: {exc}") from None
            try:
                zones.extend(load_zone_collection(data, defaults))
            except ZoneError as exc:
                raise ZoneError(exc.reason, f"{file}: {exc.detail}", exc.zone_id) from None
    return ZoneSet(zones)


def default_zone_dir() -> Path:
    """The bundled real ADIZ boundaries (see ``pipeline/data/adiz/SOURCES.md``)."""
    return Path(__file__).resolve().parent.parent / "data" / "adiz"
