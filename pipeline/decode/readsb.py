"""readsb / tar1090 JSON to track updates.

Two shapes arrive on ``adsb.readsb``:

- an ``aircraft.json`` document: ``{"now": <unix s>, "messages": N, "aircraft": [...]}``, one
  update per aircraft (one record, many updates);
- a single aircraft object, as in readsb's JSON-lines outputs (optionally with its own
  ``now``; without it the record timestamp is the reference time).

Fields used (readsb ``README-json.md``; tar1090 writes the same):

==================  =============================================================
``hex``             24-bit address, 6 hex digits; a leading ``~`` marks a non-ICAO
                    address (TIS-B track files, anonymous ADS-R/ADS-B): kept, with
                    ``address_type`` non_icao and a ``nonicao:`` track id
``type``            where the data comes from (``adsb_icao``, ``mlat``, ``tisb_*``,
                    ``adsr_icao``, ``adsc``, ``mode_s``...) -> ``data_source``
``flight``          callsign (8 characters, blank padded)
``r``, ``t``        registration and ICAO type designator, from readsb's database
``dbFlags``         database flags; bit 0 = military. readsb writes the field only when
                    it is not 0, so an aircraft with a database entry (``r`` or ``t``)
                    and no ``dbFlags`` is not military; with no entry it is unknown
``alt_baro``        feet, or ``"ground"``
``gs``, ``track``   ground speed (kt) and track (deg); ``true_heading`` (deg)
``baro_rate``       ft/min (``geom_rate`` when there is no ``baro_rate``)
``squawk``          Mode A code. readsb prints its internal value with ``%04x``, so
                    data that is not a Mode A reply (ADS-C, corrupt replies) shows up
                    as hex (``d276``) or 5 digits (``11919``): not a squawk, absent.
``emergency``       ``none`` or the emergency kind; ``alert``, ``spi`` 0/1
``lat``, ``lon``    position; ``seen_pos`` says how many seconds before ``now`` it was
                    received, so the update's time is ``now - seen_pos``
``seen``            seconds since the last message: the time of an update without
                    a position
==================  =============================================================

``lastPosition`` (a position older than 60 s) is not used: it is not current, and the
aircraft's earlier snapshots already carried it. Unknown fields are ignored; a field we use
that is present but malformed rejects that aircraft (``bad_field`` / ``out_of_range``).
"""

from __future__ import annotations

from collections.abc import Mapping

from pipeline.decode import fields as f
from pipeline.decode import jsonfields as j
from pipeline.decode.errors import BadFieldError, DecodeError, TooLargeError, UnknownFormatError
from pipeline.decode.result import Decoded, Rejected
from pipeline.model.track import (
    AddressType,
    Source,
    TrackKind,
    TrackUpdate,
    icao24_track_id,
    nonicao_track_id,
)

MAX_AIRCRAFT = 20_000
"""A busy receiver sees a few hundred aircraft; the whole world on one feed is ~15,000."""

NOW_S_RANGE = (0.0, 4_102_444_800.0)  # up to 2100-01-01
SEEN_S_RANGE = (0.0, 86_400.0)
ALT_FT_RANGE = (-2_000, 100_000)
SPEED_KT_RANGE = (0.0, 4_000.0)
VRATE_FPM_RANGE = (-60_000, 60_000)
MILITARY_BIT = 1

_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
_IDENT_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")
_HEX_CHARS = frozenset("0123456789abcdefABCDEF")
_EMERGENCIES = frozenset({"none", "general", "lifeguard", "minfuel", "nordo", "unlawful",
                          "downed", "reserved"})


def decode_readsb(doc: object, record_ts_ms: int) -> Decoded:
    """Decode a parsed readsb record.

    Args:
        doc: the record's parsed JSON value.
        record_ts_ms: the record timestamp: the reference time of an aircraft object
            without ``now``.

    Returns:
        One update per accepted aircraft; each rejected aircraft as a :class:`Rejected`.

    Raises:
        DecodeError: the record is neither shape, or its envelope is malformed.
    """
    if not isinstance(doc, dict):
        raise UnknownFormatError("not a JSON object", actual=type(doc).__name__)
    if "aircraft" in doc:
        return _decode_document(doc)
    if "hex" in doc:
        now_ms = _now_ms(doc["now"]) if doc.get("now") is not None else record_ts_ms
        update = decode_aircraft(doc, now_ms)
        return Decoded(updates=[update], accepted=1, messages=1)
    raise UnknownFormatError("neither an aircraft.json document nor an aircraft object",
                             expected="'aircraft' or 'hex'")


def _now_ms(value: object) -> int:
    return round(j.number(value, "now", *NOW_S_RANGE) * 1000)


def _decode_document(doc: Mapping[str, object]) -> Decoded:
    now_ms = _now_ms(j.required(doc, "now"))
    aircraft = doc["aircraft"]
    if not isinstance(aircraft, list):
        raise BadFieldError("not a list", field="aircraft", actual=type(aircraft).__name__)
    if len(aircraft) > MAX_AIRCRAFT:
        raise TooLargeError("too many aircraft", field="aircraft",
                            actual=str(len(aircraft)), expected=f"<= {MAX_AIRCRAFT}")
    result = Decoded()
    for index, element in enumerate(aircraft):
        try:
            result.updates.append(decode_aircraft(element, now_ms))
        except DecodeError as exc:
            result.rejected.append(Rejected.of(exc, f"aircraft[{index}]", element=element))
            continue
        result.accepted += 1
    result.messages = result.accepted
    return result


def decode_aircraft(element: object, now_ms: int) -> TrackUpdate:
    """One readsb aircraft object; ``now_ms`` is the snapshot's reference time.

    Raises:
        DecodeError: the aircraft cannot be accepted.
    """
    if not isinstance(element, dict):
        raise BadFieldError("aircraft is not an object", actual=type(element).__name__)
    a: dict[str, object] = element
    hex_text = j.text(j.required(a, "hex"), "hex", 7)
    non_icao = hex_text.startswith("~")
    address = hex_text[1:] if non_icao else hex_text
    if len(address) != 6 or not _HEX_CHARS.issuperset(address):
        raise BadFieldError("not a 24-bit address", field="hex", actual=hex_text,
                            expected="6 hex digits, optionally after ~")
    address = address.lower()

    lat = lon = None
    ts_ms = now_ms
    if a.get("lat") is not None or a.get("lon") is not None:
        lat = j.number(j.required(a, "lat"), "lat", -90.0, 90.0)
        lon = j.number(j.required(a, "lon"), "lon", -180.0, 180.0)
        if a.get("seen_pos") is not None:
            ts_ms = now_ms - round(j.number(a["seen_pos"], "seen_pos", *SEEN_S_RANGE) * 1000)
    elif a.get("seen") is not None:
        ts_ms = now_ms - round(j.number(a["seen"], "seen", *SEEN_S_RANGE) * 1000)

    alt_ft = None
    on_ground = None
    alt = a.get("alt_baro")
    if alt == "ground":
        on_ground = True
    elif alt is not None:
        alt_ft = j.integer(alt, "alt_baro", *ALT_FT_RANGE)
    rate = a.get("baro_rate")
    if rate is None:
        rate = a.get("geom_rate")
    registration = _ident(a.get("r"), "r", 12)
    aircraft_type = _ident(a.get("t"), "t", 8)
    return TrackUpdate(
        track_id=nonicao_track_id(address) if non_icao else icao24_track_id(address),
        kind=TrackKind.AIRCRAFT,
        source=Source.READSB,
        ts_ms=ts_ms,
        icao24=None if non_icao else address,
        lat_deg=lat,
        lon_deg=lon,
        alt_ft=alt_ft,
        speed_kt=None if a.get("gs") is None else j.number(a["gs"], "gs", *SPEED_KT_RANGE),
        track_deg=None if a.get("track") is None else j.number(a["track"], "track", 0.0,
                                                                360.0),
        vrate_fpm=None if rate is None else j.integer(rate, "baro_rate", *VRATE_FPM_RANGE),
        callsign=None if a.get("flight") is None else f.parse_callsign(
            j.text(a["flight"], "flight", 16), "flight"),
        squawk=_squawk(a.get("squawk")),
        alert=None if a.get("alert") is None else j.flag(a["alert"], "alert"),
        emergency=_emergency(a.get("emergency")),
        spi=None if a.get("spi") is None else j.flag(a["spi"], "spi"),
        on_ground=on_ground,
        heading_deg=None if a.get("true_heading") is None else j.number(
            a["true_heading"], "true_heading", 0.0, 360.0),
        address_type=AddressType.NON_ICAO if non_icao else AddressType.ICAO,
        data_source=_token(a.get("type"), "type"),
        registration=registration,
        aircraft_type=aircraft_type,
        military_flag=_military(a.get("dbFlags"), registration is not None
                                or aircraft_type is not None),
    )


def _token(value: object, name: str) -> str | None:
    if value is None:
        return None
    token = j.text(value, name, 32)
    if not token or not _TOKEN_CHARS.issuperset(token):
        raise BadFieldError("not a source name", field=name, actual=token,
                            expected="lower-case letters, digits and _")
    return token


def _ident(value: object, name: str, max_len: int) -> str | None:
    if value is None:
        return None
    ident = j.text(value, name, max_len).strip()
    if not ident:
        return None
    if not _IDENT_CHARS.issuperset(ident):
        raise BadFieldError("not an identifier", field=name, actual=ident,
                            expected="letters, digits and -")
    return ident.upper()


def _squawk(value: object) -> str | None:
    if value is None:
        return None
    code = j.text(value, "squawk", 8)
    if len(code) == 4 and f.is_octal(code):
        return code
    if 4 <= len(code) <= 5 and _HEX_CHARS.issuperset(code):
        return None  # readsb's %04x of a value that is no Mode A code: see the docstring
    raise BadFieldError("not a Mode A code", field="squawk", actual=code,
                        expected="4 octal digits")


def _emergency(value: object) -> bool | None:
    if value is None:
        return None
    kind = j.text(value, "emergency", 16)
    if kind not in _EMERGENCIES:
        raise BadFieldError("unknown emergency", field="emergency", actual=kind,
                            expected="|".join(sorted(_EMERGENCIES)))
    return kind != "none"


def _military(value: object, in_database: bool) -> bool | None:
    if value is None:
        return False if in_database else None
    return bool(j.integer(value, "dbFlags", 0, 2**31 - 1) & MILITARY_BIT)
