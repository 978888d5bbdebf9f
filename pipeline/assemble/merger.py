"""Per-track merge of partial updates into track points.

SBS spreads what is known about an aircraft over several message types (the callsign in one,
the squawk in another, the position in a third), and AIS sends a vessel's name, call sign,
IMO number, ship type and destination in static and voyage messages (types 5, 19, 24) apart
from its position reports. The merger keeps the latest known value of each field per track,
and turns every update that carries a position into a :class:`TrackPoint` that carries the
latest identity and state.

A field from an update older than the newest one seen for the track only fills a gap; it
never overwrites a newer value. A position not newer than the last one published for the
track (a duplicate, a late report, or an input replayed after a restart) publishes no point:
the geofence would ignore it anyway, and downstream consumers see each point once.
"""

from __future__ import annotations

from operator import itemgetter
from typing import NamedTuple

from pipeline.model.track import AddressType, TrackPoint, TrackUpdate

_IDENTITY_FIELDS = (
    "icao24", "callsign", "squawk", "alert", "emergency", "spi", "on_ground", "address_type",
    "registration", "aircraft_type", "military_flag", "mmsi", "vessel_name", "imo",
    "ship_type", "destination",
)
"""Carried from the memory onto every point (the latest known value)."""

_KINEMATIC_FIELDS = ("alt_ft", "speed_kt", "track_deg", "vrate_fpm", "heading_deg",
                     "data_source")
"""Taken from the positioned update itself; from the memory only when the update lacks them."""


class TrackMemory(NamedTuple):
    """The latest known state of one track's non-positional fields.

    A named tuple (immutable, like the points it makes): after its first three fields it
    holds the merged fields in the order of :class:`TrackPoint`'s optional fields, so a
    merge works on whole tuples and a point is built from a slice (see :func:`merge`).
    """

    track_id: str
    updated_ms: int
    last_point_ms: int | None = None
    icao24: str | None = None
    alt_ft: int | None = None
    speed_kt: float | None = None
    track_deg: float | None = None
    vrate_fpm: int | None = None
    callsign: str | None = None
    squawk: str | None = None
    alert: bool | None = None
    emergency: bool | None = None
    spi: bool | None = None
    on_ground: bool | None = None
    heading_deg: float | None = None
    address_type: AddressType | None = None
    data_source: str | None = None
    registration: str | None = None
    aircraft_type: str | None = None
    military_flag: bool | None = None
    mmsi: str | None = None
    vessel_name: str | None = None
    imo: int | None = None
    ship_type: int | None = None
    destination: str | None = None

    def to_dict(self) -> dict[str, object]:
        return self._asdict()

    def to_stored(self) -> list[object]:
        """The stored form: the fields in order, as a JSON array (a track's memory is
        written at every landing; an array costs a sixth of an object to serialise)."""
        return list(self)

    @classmethod
    def from_stored(cls, data: object) -> TrackMemory:
        """Rebuild from :meth:`to_stored` output, or from :meth:`to_dict` output (the stored
        form of earlier versions: a changelog written by an older worker still loads).

        Raises:
            ValueError: not a stored track memory.
        """
        if isinstance(data, list):
            if len(data) != len(cls._fields):
                raise ValueError(f"track memory with {len(data)} fields, not {len(cls._fields)}")
            data = dict(zip(cls._fields, data, strict=True))
        if not isinstance(data, dict):
            raise ValueError("stored track memory is neither an array nor an object")
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> TrackMemory:
        """Rebuild from :meth:`to_dict` output."""
        track_id = data["track_id"]
        updated_ms = data["updated_ms"]
        if not isinstance(track_id, str) or not isinstance(updated_ms, int):
            raise ValueError("track memory without track_id/updated_ms")
        last_point_ms = data.get("last_point_ms")
        if last_point_ms is not None and not isinstance(last_point_ms, int):
            raise ValueError("track memory with a bad last_point_ms")
        values = [data.get(name) for name in _MERGED_FIELDS]
        address_type = values[_ADDRESS_TYPE]
        if address_type is not None:
            values[_ADDRESS_TYPE] = AddressType(str(address_type))
        return cls(track_id, updated_ms, last_point_ms, *values)  # type: ignore[arg-type]


_MERGED_FIELDS = TrackMemory._fields[3:]
"""Every merged field, in the order of the memory and of a point's optional fields."""
_ADDRESS_TYPE = _MERGED_FIELDS.index("address_type")
_KINEMATIC = frozenset(_MERGED_FIELDS.index(name) for name in _KINEMATIC_FIELDS)
assert set(_MERGED_FIELDS) == set(_IDENTITY_FIELDS) | set(_KINEMATIC_FIELDS)
assert TrackPoint._fields[6:] == _MERGED_FIELDS, "the memory and point orders must agree"
_new = tuple.__new__
"""Builds a named tuple from all its values at once: a third of the cost of calling the
class with 25-28 arguments; the field orders above guarantee the positions."""
_from_update = itemgetter(*(TrackUpdate._fields.index(name) for name in _MERGED_FIELDS))
"""The merged fields of an update as one tuple, in the memory's order."""


def merge(memory: TrackMemory | None, update: TrackUpdate) -> tuple[TrackMemory, TrackPoint | None]:
    """Fold ``update`` into the track's memory.

    Returns:
        The new memory, and a track point when the update carries a position.
    """
    ts_ms = update.ts_ms
    given: tuple[object, ...] = _from_update(update)
    if memory is None:
        old: tuple[object, ...] = (None,) * len(_MERGED_FIELDS)
        updated_ms, last_point_ms = ts_ms, None
    else:
        old = memory[3:]
        updated_ms, last_point_ms = memory.updated_ms, memory.last_point_ms
    newer = ts_ms >= updated_ms
    if newer:  # the update's known values win
        values = tuple([m if u is None else u for u, m in zip(given, old, strict=True)])
        updated_ms = ts_ms
    else:  # an older update only fills gaps
        values = tuple([u if m is None else m for u, m in zip(given, old, strict=True)])
    lat, lon = update.lat_deg, update.lon_deg
    stale = last_point_ms is not None and ts_ms <= last_point_ms
    positioned = lat is not None and lon is not None and not stale
    if positioned:
        last_point_ms = ts_ms
    merged = _new(TrackMemory, (update.track_id if memory is None else memory.track_id,
                                updated_ms, last_point_ms, *values))
    if memory is not None and merged == memory:
        merged = memory  # nothing changed: keep the stored object
    if not positioned:
        return merged, None
    assert lat is not None and lon is not None
    if not newer:  # kinematics come from the update itself first (see _KINEMATIC_FIELDS)
        values = tuple([u if i in _KINEMATIC and u is not None else v
                        for i, (u, v) in enumerate(zip(given, values, strict=True))])
    point = _new(TrackPoint, (update.track_id, update.kind, update.source, ts_ms, lat, lon,
                              *values))
    return merged, point
