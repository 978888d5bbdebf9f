"""Per-track merge of partial updates into track points.

SBS (and later AIS static data) spread what is known about a track over several message
types: the callsign in one, the squawk in another, the position in a third. The merger keeps
the latest known value of each field per track, and turns every update that carries a
position into a :class:`TrackPoint` that carries the latest callsign, squawk, altitude and
speed.

A field from an update older than the newest one seen for the track only fills a gap; it
never overwrites a newer value. A position not newer than the last one published for the
track (a duplicate, a late report, or an input replayed after a restart) publishes no point:
the geofence would ignore it anyway, and downstream consumers see each point once.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from pipeline.model.track import TrackPoint, TrackUpdate

_MERGED_FIELDS = (
    "icao24", "alt_ft", "speed_kt", "track_deg", "vrate_fpm", "callsign", "squawk",
    "alert", "emergency", "spi", "on_ground",
)


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
        return replace(memory, **values)  # type: ignore[arg-type]


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
        memory = replace(memory, **changes)  # type: ignore[arg-type]
    if update.lat_deg is None or update.lon_deg is None or stale:
        return memory, None
    point = TrackPoint(
        track_id=update.track_id,
        kind=update.kind,
        source=update.source,
        ts_ms=update.ts_ms,
        lat_deg=update.lat_deg,
        lon_deg=update.lon_deg,
        icao24=memory.icao24,
        alt_ft=update.alt_ft if update.alt_ft is not None else memory.alt_ft,
        speed_kt=update.speed_kt if update.speed_kt is not None else memory.speed_kt,
        track_deg=update.track_deg if update.track_deg is not None else memory.track_deg,
        vrate_fpm=update.vrate_fpm if update.vrate_fpm is not None else memory.vrate_fpm,
        callsign=memory.callsign,
        squawk=memory.squawk,
        alert=memory.alert,
        emergency=memory.emergency,
        spi=memory.spi,
        on_ground=memory.on_ground,
    )
    return memory, point
