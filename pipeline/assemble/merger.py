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

from dataclasses import dataclass, fields, replace

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

_MERGED_FIELDS = _IDENTITY_FIELDS + _KINEMATIC_FIELDS


@dataclass(frozen=True, slots=True)
class TrackMemory:
    """The latest known state of one track's non-positional fields."""

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
        return {fl.name: getattr(self, fl.name) for fl in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> TrackMemory:
        """Rebuild from :meth:`to_dict` output (the table's stored form)."""
        track_id = data["track_id"]
        updated_ms = data["updated_ms"]
        if not isinstance(track_id, str) or not isinstance(updated_ms, int):
            raise ValueError("track memory without track_id/updated_ms")
        last_point_ms = data.get("last_point_ms")
        if last_point_ms is not None and not isinstance(last_point_ms, int):
            raise ValueError("track memory with a bad last_point_ms")
        memory = cls(track_id=track_id, updated_ms=updated_ms, last_point_ms=last_point_ms)
        values = {name: data.get(name) for name in _MERGED_FIELDS}
        address_type = values.get("address_type")
        if address_type is not None:
            values["address_type"] = AddressType(str(address_type))
        return replace(memory, **values)  # type: ignore[arg-type]


_MEMORY_FIELDS = tuple(f.name for f in fields(TrackMemory))
_MEMORY_INDEX = {name: i for i, name in enumerate(_MEMORY_FIELDS)}


def merge(memory: TrackMemory | None, update: TrackUpdate) -> tuple[TrackMemory, TrackPoint | None]:
    """Fold ``update`` into the track's memory.

    Returns:
        The new memory, and a track point when the update carries a position.
    """
    if memory is None:
        memory = TrackMemory(track_id=update.track_id, updated_ms=update.ts_ms)
    newer = update.ts_ms >= memory.updated_ms
    changes: dict[str, object] = {}
    for name in _MERGED_FIELDS:
        value = getattr(update, name)
        if value is not None and (newer or getattr(memory, name) is None):
            changes[name] = value
    if newer:
        changes["updated_ms"] = update.ts_ms
    stale = memory.last_point_ms is not None and update.ts_ms <= memory.last_point_ms
    if update.lat_deg is not None and not stale:
        changes["last_point_ms"] = update.ts_ms
    if changes:
        # Positional construction: several times cheaper than dataclasses.replace, and
        # merge runs for every update.
        row: list[object] = [getattr(memory, name) for name in _MEMORY_FIELDS]
        for name, value in changes.items():
            row[_MEMORY_INDEX[name]] = value
        memory = TrackMemory(*row)  # type: ignore[arg-type]
    if update.lat_deg is None or update.lon_deg is None or stale:
        return memory, None
    values: dict[str, object] = {name: getattr(memory, name) for name in _IDENTITY_FIELDS}
    for name in _KINEMATIC_FIELDS:
        value = getattr(update, name)
        values[name] = value if value is not None else getattr(memory, name)
    point = TrackPoint(
        track_id=update.track_id,
        kind=update.kind,
        source=update.source,
        ts_ms=update.ts_ms,
        lat_deg=update.lat_deg,
        lon_deg=update.lon_deg,
        **values,  # type: ignore[arg-type]
    )
    return memory, point
