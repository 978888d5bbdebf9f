"""The canonical track point and the partial updates decoders produce.

A *track update* is what one input record says about one track: it may carry a position
(then it becomes a track point once merged) or only identity and state (callsign, squawk,
altitude, speed, or an AIS vessel's static and voyage data). The merge stage folds updates
per track so every published point carries the latest known identity and state.

Track ids:

- ``icao24:<6 hex, lower case>``: an aircraft by its ICAO 24-bit address;
- ``nonicao:<6 hex, lower case>``: an aircraft by a non-ICAO 24-bit address (readsb marks
  them with ``~``: TIS-B track files, anonymous ADS-R/ADS-B);
- ``mmsi:<9 digits>``: an AIS station (vessels; SAR aircraft report through AIS too).

Vessel fields (``mmsi``, ``vessel_name``, ``imo``, ``ship_type``, ``destination``) come from
AIS; aircraft database fields (``registration``, ``aircraft_type``, ``military_flag``) from
readsb's ``r``, ``t`` and ``dbFlags``. Every optional field is None when unknown.

Both records are ``NamedTuple``s rather than the frozen dataclasses of the style guide: they
are just as immutable, and a decoder builds one per message, where a frozen dataclass of 29
fields costs ~3.3 us to construct (a ``object.__setattr__`` per field) against ~0.6 us for a
named tuple, about half of what ``pyais.decode`` spends on a whole message. Compare them
only with their own type: a named tuple also equals a plain tuple of the same values.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class TrackKind(StrEnum):
    AIRCRAFT = "aircraft"
    VESSEL = "vessel"


class Source(StrEnum):
    SBS = "sbs"
    READSB = "readsb"
    OPENSKY = "opensky"
    CANONICAL = "canonical"
    AIS = "ais"


class AddressType(StrEnum):
    """What kind of 24-bit address an aircraft track is keyed by."""

    ICAO = "icao"
    NON_ICAO = "non_icao"


def icao24_track_id(icao24: str) -> str:
    """Track id of an aircraft: ``icao24:`` and its 24-bit address as 6 lower-case hex digits."""
    return f"icao24:{icao24.lower()}"


def nonicao_track_id(address: str) -> str:
    """Track id of an aircraft known only by a non-ICAO 24-bit address (6 hex digits)."""
    return f"nonicao:{address.lower()}"


def mmsi_track_id(mmsi: str) -> str:
    """Track id of an AIS station: ``mmsi:`` and its MMSI as 9 digits."""
    return f"mmsi:{mmsi}"


class TrackUpdate(NamedTuple):
    """What one decoded record says about a track; any field may be unknown (None).

    ``lat_deg``/``lon_deg`` are both set or both None. Flags are None when the message
    type does not carry them. ``data_source`` is the feed's own name for where the data
    came from (readsb ``type`` such as ``adsb_icao``, ``mlat``, ``tisb_trackfile``, ``adsc``;
    OpenSky's position source ``adsb``, ``asterix``, ``mlat``, ``flarm``).
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

    @property
    def has_position(self) -> bool:
        return self.lat_deg is not None and self.lon_deg is not None


class TrackPoint(NamedTuple):
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
