"""The canonical track point and the partial updates decoders produce.

A *track update* is what one input record says about one track: it may carry a position
(then it becomes a track point once merged) or only identity and state (callsign, squawk,
altitude, speed). The merge stage folds updates per track so every published point carries
the latest known callsign, squawk, altitude and speed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TrackKind(StrEnum):
    AIRCRAFT = "aircraft"
    VESSEL = "vessel"


class Source(StrEnum):
    SBS = "sbs"
    READSB = "readsb"
    OPENSKY = "opensky"
    CANONICAL = "canonical"
    AIS = "ais"


def icao24_track_id(icao24: str) -> str:
    """Track id of an aircraft: ``icao24:`` and its 24-bit address as 6 lower-case hex digits."""
    return f"icao24:{icao24.lower()}"


@dataclass(frozen=True, slots=True)
class TrackUpdate:
    """What one decoded record says about a track; any field may be unknown (None).

    ``lat_deg``/``lon_deg`` are both set or both None. Flags are None when the message
    type does not carry them.
    """

    track_id: str
    kind: TrackKind
    source: Source
    ts_ms: int
    icao24: str | None = None
    lat_deg: float | None = None
    lon_deg: float | None = None
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

    @property
    def has_position(self) -> bool:
        return self.lat_deg is not None and self.lon_deg is not None


@dataclass(frozen=True, slots=True)
class TrackPoint:
    """A position of a track at an event time, with the latest known state of the track."""

    track_id: str
    kind: TrackKind
    source: Source
    ts_ms: int
    lat_deg: float
    lon_deg: float
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
