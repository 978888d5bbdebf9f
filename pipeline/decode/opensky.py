"""OpenSky Network REST ``/states/all`` responses to track updates.

A response is ``{"time": <unix s>, "states": [[17 or 18 fields], ...]}`` (``states`` is null
when nothing is in view): one record, one update per state vector. Field order, per the
OpenSky REST API documentation (``openskynetwork.github.io/opensky-api/rest.html``):

====  ===============  ================================================================
 0    icao24           24-bit ICAO address, 6 hex digits
 1    callsign         8 characters, blank padded; null when not received
 2    origin_country   inferred from the address: not used (identify derives it itself)
 3    time_position    unix s of the last position: the time of a positioned update
 4    last_contact     unix s of the last message: the time of an update without position
 5    longitude        deg (null: no position in the last 15 s)
 6    latitude         deg
 7    baro_altitude    m
 8    on_ground        boolean
 9    velocity         ground speed, m/s
10    true_track       deg clockwise from north. OpenSky sometimes sends it negative
                       (-150 for 210): normalised into [0, 360).
11    vertical_rate    m/s
12    sensors          receiver ids: not used
13    geo_altitude     m: not used (altitudes are barometric throughout adizwatch)
14    squawk           Mode A code
15    spi              boolean
16    position_source  0 ADS-B, 1 ASTERIX, 2 MLAT, 3 FLARM -> ``data_source``
17    category         only with ``extended=1``: not used
====  ===============  ================================================================

Nulls are normal and mean "unknown". A present value of the wrong type or outside physical
bounds rejects that state vector (``bad_field`` / ``out_of_range``), not the response.
"""

from __future__ import annotations

from pipeline.decode import fields as f
from pipeline.decode import jsonfields as j
from pipeline.decode.errors import (
    BadFieldError,
    DecodeError,
    MissingFieldError,
    TooLargeError,
    UnknownFormatError,
)
from pipeline.decode.result import Decoded, Rejected
from pipeline.model.track import AddressType, Source, TrackKind, TrackUpdate, icao24_track_id

MAX_STATES = 50_000
"""The whole world is ~10,000 aircraft at peak."""

TIME_S_RANGE = (0, 4_102_444_800)  # up to 2100-01-01
FT_PER_M = 1 / 0.3048
KT_PER_M_S = 3600 / 1852
FPM_PER_M_S = 60 / 0.3048
ALT_FT_RANGE = (-2_000, 100_000)
SPEED_KT_RANGE = (0.0, 4_000.0)
VRATE_FPM_RANGE = (-60_000, 60_000)
POSITION_SOURCES = ("adsb", "asterix", "mlat", "flarm")
# The bounds in the feed's units (m, m/s).
_ALT_M = (ALT_FT_RANGE[0] / FT_PER_M, ALT_FT_RANGE[1] / FT_PER_M)
_SPEED_M_S = (SPEED_KT_RANGE[0] / KT_PER_M_S, SPEED_KT_RANGE[1] / KT_PER_M_S)
_VRATE_M_S = (VRATE_FPM_RANGE[0] / FPM_PER_M_S, VRATE_FPM_RANGE[1] / FPM_PER_M_S)

_HEX_CHARS = frozenset("0123456789abcdefABCDEF")


def decode_opensky(doc: object) -> Decoded:
    """Decode a parsed ``/states/all`` response.

    Returns:
        One update per accepted state vector; each rejected vector as a :class:`Rejected`.

    Raises:
        DecodeError: the record is not a states response.
    """
    if not isinstance(doc, dict) or "states" not in doc:
        raise UnknownFormatError("not an OpenSky states response",
                                 expected="an object with 'time' and 'states'")
    j.integer(j.required(doc, "time"), "time", *TIME_S_RANGE)
    states = doc["states"]
    result = Decoded()
    if states is None:
        return result
    if not isinstance(states, list):
        raise BadFieldError("not a list", field="states", actual=type(states).__name__)
    if len(states) > MAX_STATES:
        raise TooLargeError("too many states", field="states", actual=str(len(states)),
                            expected=f"<= {MAX_STATES}")
    for index, state in enumerate(states):
        try:
            result.updates.append(decode_state(state))
        except DecodeError as exc:
            result.rejected.append(Rejected.of(exc, f"states[{index}]", element=state))
            continue
        result.accepted += 1
    result.messages = result.accepted
    return result


def decode_state(state: object) -> TrackUpdate:
    """One state vector.

    Raises:
        DecodeError: the vector cannot be accepted.
    """
    if type(state) is not list:
        raise BadFieldError("state vector is not an array", actual=type(state).__name__)
    if not 17 <= len(state) <= 18:
        raise BadFieldError(f"{len(state)} fields", expected="17 or 18 fields")
    icao24 = j.text(_required(state, 0, "icao24"), "icao24", 6)
    if len(icao24) != 6 or not _HEX_CHARS.issuperset(icao24):
        raise BadFieldError("not a 24-bit ICAO address", field="icao24", actual=icao24,
                            expected="6 hex digits")
    icao24 = icao24.lower()
    lon, lat = state[5], state[6]
    if (lon is None) != (lat is None):
        raise BadFieldError("longitude without latitude or the reverse", field="latitude")
    if lat is not None:
        lat_deg: float | None = j.number(lat, "latitude", -90.0, 90.0)
        lon_deg: float | None = j.number(lon, "longitude", -180.0, 180.0)
        stamp = state[3] if state[3] is not None else _required(state, 4, "last_contact")
    else:
        lat_deg = lon_deg = None
        stamp = _required(state, 4, "last_contact")
    ts_ms = j.integer(stamp, "time_position", *TIME_S_RANGE) * 1000
    source = state[16]
    return TrackUpdate(
        track_id=icao24_track_id(icao24),
        kind=TrackKind.AIRCRAFT,
        source=Source.OPENSKY,
        ts_ms=ts_ms,
        icao24=icao24,
        lat_deg=lat_deg,
        lon_deg=lon_deg,
        alt_ft=None if state[7] is None else round(
            j.number(state[7], "baro_altitude", *_ALT_M) * FT_PER_M),
        speed_kt=None if state[9] is None else round(
            j.number(state[9], "velocity", *_SPEED_M_S)
            * KT_PER_M_S, 1),
        track_deg=None if state[10] is None else _track(state[10]),
        vrate_fpm=None if state[11] is None else round(
            j.number(state[11], "vertical_rate", *_VRATE_M_S)
            * FPM_PER_M_S),
        callsign=None if state[1] is None else f.parse_callsign(
            j.text(state[1], "callsign", 16)),
        squawk=None if state[14] is None else f.parse_squawk(j.text(state[14], "squawk", 8)),
        spi=None if state[15] is None else j.flag(state[15], "spi"),
        on_ground=None if state[8] is None else j.flag(state[8], "on_ground"),
        address_type=AddressType.ICAO,
        data_source=None if source is None else POSITION_SOURCES[
            j.integer(source, "position_source", 0, len(POSITION_SOURCES) - 1)],
    )


def _required(state: list[object], index: int, name: str) -> object:
    value = state[index]
    if value is None:
        raise MissingFieldError("missing field", field=name)
    return value


def _track(value: object) -> float:
    angle = j.number(value, "true_track", -360.0, 360.0)
    return angle % 360.0
