"""Decoded AIS messages (pyais) to track updates.

Field meanings and "not available" values follow ITU-R M.1371-5 as tabulated in the GPSD
AIVDM/AIVDO protocol decoding (``gpsd.gitlab.io/gpsd/AIVDM.html``):

==========  ======================================  =====================================
type        track data                              not available (-> absent, None)
==========  ======================================  =====================================
1, 2, 3     Class A position: lat, lon, SOG 0.1 kt, lat 91, lon 181, SOG 102.3,
            COG 0.1 deg, true heading                COG 360.0, heading 511
18          Class B position (same fields)          same
19          Class B extended: position + name and   same; ship type 0
            ship type
27          long-range position: lat, lon (1/10     lat 91, lon 181, SOG 63 kt,
            min), SOG kt, COG deg                    COG 511
9           SAR aircraft: position, altitude m,     altitude 4095 m, SOG 1023 kt,
            SOG kt, COG 0.1 deg                      COG 360.0
5           static and voyage: IMO, call sign,      IMO 0, ship type 0, text of only
            name, ship type, destination            ``@`` and blanks
24          static, part A name / part B ship       same
            type and call sign
==========  ======================================  =====================================

Positions become updates of kind vessel (aircraft for type 9) with track id
``mmsi:<9 digits>``; static data becomes an update without position that the merge stage
folds into the track, like an SBS callsign. Other message types are valid AIS without
track data. A position outside the globe (a latitude of 95) or an MMSI that cannot be one
(0) rejects the message (``out_of_range``): there is no track to put it on. A message
shorter than the fields we read is ``truncated``. Speed, course and heading in the ranges
the standard reserves (heading 360-510, which class B transponders send as 480; course
over 360) and static values it reserves (ship types 100-255, IMO numbers that are not 7
digits, which transponders are often configured with) are treated as not available: they
are what the transponder sent, not measurements, and do not make its position doubtful.
"""

from __future__ import annotations

from typing import Any

from pipeline.decode.errors import OutOfRangeError, TruncatedError
from pipeline.model.track import Source, TrackKind, TrackUpdate, mmsi_track_id

MIN_BITS = {1: 137, 2: 137, 3: 137, 18: 133, 19: 271, 27: 94, 9: 128, 5: 422}
"""Bits up to the end of the last field we read, per type (type 24 depends on its part)."""
MIN_BITS_24 = (160, 132)  # part A (name), part B (call sign)
POSITION_TYPES = frozenset({1, 2, 3, 18, 19, 27, 9})
STATIC_TYPES = frozenset({5, 19, 24})
TRACK_TYPES = POSITION_TYPES | STATIC_TYPES
FT_PER_M = 1 / 0.3048
IMO_RANGE = (1_000_000, 9_999_999)
SHIP_TYPE_RANGE = (1, 99)


def message_updates(msg: Any, bits: int, ts_ms: int) -> TrackUpdate | None:
    """The update a decoded message carries; None for a type without track data, or when
    every field it carries is "not available".

    Args:
        msg: a pyais message (``pyais.messages.MessageType*``).
        bits: the length of its payload in bits.
        ts_ms: the message's time.

    Raises:
        DecodeError: the message is truncated or a field is out of range.
    """
    msg_type: int = msg.msg_type
    if msg_type not in TRACK_TYPES:
        return None
    need = MIN_BITS_24[msg.partno] if msg_type == 24 else MIN_BITS[msg_type]
    if bits < need:
        raise TruncatedError(f"type {msg_type} message of {bits} bits",
                             expected=f">= {need} bits")
    mmsi = msg.mmsi
    if not 0 < mmsi <= 999_999_999:
        raise OutOfRangeError("not an MMSI", field="mmsi", actual=str(mmsi),
                              expected="1-999999999")
    lat = lon = speed = course = heading = None
    alt_ft = None
    if msg_type in POSITION_TYPES:
        lat, lon = msg.lat, msg.lon
        if lat == 91.0 or lon == 181.0:
            lat = lon = None
        elif not -90.0 <= lat <= 90.0:
            raise OutOfRangeError("latitude outside [-90, 90]", field="lat", actual=str(lat))
        elif not -180.0 <= lon <= 180.0:
            raise OutOfRangeError("longitude outside [-180, 180]", field="lon", actual=str(lon))
        if msg_type == 27:
            speed = _within(float(msg.speed), 62.0)
            course = _within(float(msg.course), 359.0)
        else:
            if msg_type == 9:
                speed = _within(float(msg.speed), 1022.0)
                alt = msg.alt
                alt_ft = None if alt == 4095 else round(alt * FT_PER_M)
            else:
                speed = _within(msg.speed, 102.2)
                heading = _within(float(msg.heading), 359.0)
            course = _within(msg.course, 359.9)
    name = callsign = destination = None
    imo = ship_type = None
    if msg_type in STATIC_TYPES:
        part_b = msg_type == 24 and msg.partno == 1
        if msg_type != 24 or part_b:
            ship_type = int(msg.ship_type)
            if not SHIP_TYPE_RANGE[0] <= ship_type <= SHIP_TYPE_RANGE[1]:
                ship_type = None
        if not part_b:
            name = _text(msg.shipname)
        if msg_type == 5 or part_b:
            callsign = _text(msg.callsign)
        if msg_type == 5:
            imo = msg.imo
            if not IMO_RANGE[0] <= imo <= IMO_RANGE[1]:
                imo = None
            destination = _text(msg.destination)
    if lat is None and speed is None and course is None and heading is None \
            and alt_ft is None and name is None and callsign is None and imo is None \
            and ship_type is None and destination is None:
        return None  # every field "not available": nothing to say about the track
    mmsi_text = f"{mmsi:09d}"
    return TrackUpdate(
        track_id=mmsi_track_id(mmsi_text),
        kind=TrackKind.AIRCRAFT if msg_type == 9 else TrackKind.VESSEL,
        source=Source.AIS, ts_ms=ts_ms, lat_deg=lat, lon_deg=lon, alt_ft=alt_ft,
        speed_kt=speed, track_deg=course, callsign=callsign, heading_deg=heading,
        mmsi=mmsi_text, vessel_name=name, imo=imo, ship_type=ship_type,
        destination=destination)


def _within(value: float, high: float) -> float | None:
    """A kinematic value, or None for "not available" and the ranges the standard reserves.

    Class B transponders send heading 480, some type 27 senders course 363: values no
    measurement produces, so not data, but not a reason to drop the position either.
    """
    return value if 0.0 <= value <= high else None


def _text(value: str | None) -> str | None:
    """AIS six-bit text: trailing ``@`` pad it, and blanks are not data."""
    if value is None:
        return None
    text = value.rstrip("@ ").strip()
    return text or None
