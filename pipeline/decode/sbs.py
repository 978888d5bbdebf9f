"""SBS-1 / BaseStation text lines to track updates.

The format (Kinetic BaseStation port 30003, also emitted by dump1090 and readsb) is one
comma-separated line of 22 fields::

    0 message type (MSG, SEL, ID, AIR, STA, CLK)   11 altitude (ft, barometric)
    1 transmission type (MSG: 1-8)                12 ground speed (kt)
    2 session id  3 aircraft id                    13 track (deg)
    4 hex ident (ICAO 24-bit address)              14 latitude  15 longitude (deg)
    5 flight id                                    16 vertical rate (ft/min)
    6 date generated  7 time generated             17 squawk (Mode A, 4 octal digits)
    8 date logged     9 time logged                18 alert (squawk change) flag
    10 callsign                                    19 emergency flag  20 SPI flag
                                                   21 on-ground flag  (-1 true, 0 false)

Transmission types: 1 identification (callsign), 2 surface position, 3 airborne position,
4 airborne velocity, 5 surveillance altitude, 6 surveillance ID (squawk), 7 air-to-air,
8 all-call reply. Which fields a type fills varies between decoders, so every field that is
present is read and validated, whatever the type. Lines of the other message types (SEL,
ID, AIR, STA, CLK) carry no track data: they are accepted and yield no update.

Event time is the generated date/time when present; when both are empty the caller's
record timestamp is used. A date/time that is present but malformed or impossible makes the
line invalid (it is evidence of a corrupt feed, not a reason to guess).

Reference: the field list as documented for BaseStation by Kinetic Avionics and reproduced
in dump1090's ``net_io.c`` writer (facts only).
"""

from __future__ import annotations

from pipeline.decode import fields as f
from pipeline.decode.errors import (
    BadFieldError,
    NotUtf8Error,
    TooLargeError,
    TruncatedError,
    UnknownFormatError,
)
from pipeline.model.track import Source, TrackKind, TrackUpdate, icao24_track_id

MAX_LINE_BYTES = 512
"""A full 22-field line is under 200 bytes; anything far larger is not SBS."""

FIELD_COUNT = 22
NON_TRACK_TYPES = frozenset({"SEL", "ID", "AIR", "STA", "CLK"})

# Physical bounds: wide enough for any aircraft, narrow enough to catch garbage.
ALT_FT_RANGE = (-2_000, 100_000)
SPEED_KT_RANGE = (0.0, 4_000.0)
VRATE_FPM_RANGE = (-60_000, 60_000)


def decode_sbs(raw: bytes, record_ts_ms: int) -> TrackUpdate | None:
    """Decode one SBS-1 line.

    Args:
        raw: the record value, one line (a trailing CR/LF is allowed).
        record_ts_ms: the Kafka record timestamp, used when the line has no time.

    Returns:
        The track update, or None for a valid line that carries no track data.

    Raises:
        DecodeError: a subclass naming the reason; the line must be dead-lettered.
    """
    if len(raw) > MAX_LINE_BYTES:
        raise TooLargeError("line too long for SBS", actual=f"{len(raw)} bytes",
                            expected=f"<= {MAX_LINE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotUtf8Error(f"not UTF-8 at byte {exc.start}") from None
    text = text.rstrip("\r\n")
    parts = text.split(",")
    kind = parts[0].strip()
    if kind in NON_TRACK_TYPES:
        return None
    if kind != "MSG":
        raise UnknownFormatError("not an SBS-1 message", field="message_type",
                                 actual=parts[0], expected="MSG|SEL|ID|AIR|STA|CLK")
    if len(parts) < FIELD_COUNT:
        raise TruncatedError(f"{len(parts)} fields", expected=f"{FIELD_COUNT} fields")
    if len(parts) > FIELD_COUNT:
        raise BadFieldError(f"{len(parts)} fields", expected=f"{FIELD_COUNT} fields")
    return _decode_msg(parts, record_ts_ms)


def _decode_msg(p: list[str], record_ts_ms: int) -> TrackUpdate:
    if p[1] not in ("1", "2", "3", "4", "5", "6", "7", "8"):
        raise BadFieldError("unknown transmission type", field="transmission_type",
                            actual=p[1], expected="1-8")
    icao24 = f.parse_icao24(p[4])
    ts_ms = f.parse_date_time_ms(p[6], p[7], "generated") if p[6] or p[7] else record_ts_ms

    lat: float | None = None
    lon: float | None = None
    if p[14] or p[15]:
        if not (p[14] and p[15]):
            raise BadFieldError("latitude without longitude or the reverse",
                                field="position", actual=f"{p[14]},{p[15]}")
        lat = f.parse_float(p[14], "latitude", -90.0, 90.0)
        lon = f.parse_float(p[15], "longitude", -180.0, 180.0)

    return TrackUpdate(
        track_id=icao24_track_id(icao24),
        kind=TrackKind.AIRCRAFT,
        source=Source.SBS,
        ts_ms=ts_ms,
        icao24=icao24,
        lat_deg=lat,
        lon_deg=lon,
        alt_ft=f.parse_int(p[11], "altitude", *ALT_FT_RANGE) if p[11] else None,
        speed_kt=f.parse_float(p[12], "ground_speed", *SPEED_KT_RANGE) if p[12] else None,
        track_deg=f.parse_float(p[13], "track", 0.0, 360.0) if p[13] else None,
        vrate_fpm=f.parse_int(p[16], "vertical_rate", *VRATE_FPM_RANGE) if p[16] else None,
        callsign=f.parse_callsign(p[10]),
        squawk=f.parse_squawk(p[17]) if p[17] else None,
        alert=f.parse_flag(p[18], "alert"),
        emergency=f.parse_flag(p[19], "emergency"),
        spi=f.parse_flag(p[20], "spi"),
        on_ground=f.parse_flag(p[21], "on_ground"),
    )
