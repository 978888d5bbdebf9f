"""Canonical track points (``tracks.canonical``) to track updates.

The canonical format is the ``tracks.points`` record itself (``schemas/tracks.points.schema
.json``): other systems, or another adizwatch, publish points in it. Every record is checked
against that schema by hand (no JSON Schema engine and no regular expressions on the hot
path): required fields, no unknown fields, types, patterns, bounds, and two consistency rules
the schema cannot state: ``time`` and ``ts_ms`` name the same instant, and an ``icao24`` or
``mmsi`` field agrees with the track id. The declared ``source`` is kept, so a point read
back from ``tracks.points`` decodes to the point that was written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pipeline.decode import fields as f
from pipeline.decode import jsonfields as j
from pipeline.decode.errors import BadFieldError, UnknownFormatError
from pipeline.model.track import AddressType, Source, TrackKind, TrackUpdate

TS_MS_RANGE = (0, 4_102_444_800_000)  # up to 2100-01-01
ALT_FT_RANGE = (-2_000, 100_000)
SPEED_KT_RANGE = (0.0, 4_000.0)
VRATE_FPM_RANGE = (-60_000, 60_000)
IMO_RANGE = (1_000_000, 9_999_999)
SHIP_TYPE_RANGE = (1, 99)

_LOWER_HEX = frozenset("0123456789abcdef")
_DIGITS = frozenset("0123456789")
_UPPER_IDENT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
_TOKEN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
_PRINTABLE = frozenset(chr(c) for c in range(0x20, 0x7F))
_KINDS = {k.value: k for k in TrackKind}
_SOURCES = {s.value: s for s in Source}
_ADDRESS_TYPES = {a.value: a for a in AddressType}

Check = Callable[[object, str], object]


def _chars(allowed: frozenset[str], min_len: int, max_len: int, what: str) -> Check:
    def check(value: object, name: str) -> str:
        value = j.text(value, name, max_len)
        if len(value) < min_len or not allowed.issuperset(value):
            raise BadFieldError(f"not {what}", field=name, actual=value)
        return value
    return check


def _num(low: float, high: float) -> Check:
    return lambda value, name: j.number(value, name, low, high)


def _int(low: int, high: int) -> Check:
    def check(value: object, name: str) -> int:
        if isinstance(value, float):
            raise BadFieldError("not an integer", field=name, actual=repr(value))
        return j.integer(value, name, low, high)
    return check


def _bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise BadFieldError("not a boolean", field=name, actual=repr(value)[:40])
    return value


def _squawk(value: object, name: str) -> str:
    return f.parse_squawk(j.text(value, name, 4), name)


def _address_type(value: object, name: str) -> AddressType:
    found = _ADDRESS_TYPES.get(j.text(value, name, 16))
    if found is None:
        raise BadFieldError("unknown address type", field=name, actual=repr(value)[:40])
    return found


_OPTIONAL: dict[str, tuple[str, Check]] = {
    # wire name: (model attribute, check)
    "icao24": ("icao24", _chars(_LOWER_HEX, 6, 6, "6 lower-case hex digits")),
    "altitude_ft": ("alt_ft", _int(*ALT_FT_RANGE)),
    "speed_kt": ("speed_kt", _num(*SPEED_KT_RANGE)),
    "track_deg": ("track_deg", _num(0.0, 360.0)),
    "vrate_fpm": ("vrate_fpm", _int(*VRATE_FPM_RANGE)),
    "callsign": ("callsign", _chars(_PRINTABLE, 1, 8, "1-8 printable characters")),
    "squawk": ("squawk", _squawk),
    "alert": ("alert", _bool),
    "emergency": ("emergency", _bool),
    "spi": ("spi", _bool),
    "on_ground": ("on_ground", _bool),
    "heading_deg": ("heading_deg", _num(0.0, 360.0)),
    "address_type": ("address_type", _address_type),
    "data_source": ("data_source", _chars(_TOKEN, 1, 32, "a source name")),
    "registration": ("registration", _chars(_UPPER_IDENT, 1, 12, "a registration")),
    "aircraft_type": ("aircraft_type", _chars(_UPPER_IDENT, 1, 8, "a type designator")),
    "military_flag": ("military_flag", _bool),
    "mmsi": ("mmsi", _chars(_DIGITS, 9, 9, "9 digits")),
    "vessel_name": ("vessel_name", _chars(_PRINTABLE, 1, 20, "1-20 printable characters")),
    "imo": ("imo", _int(*IMO_RANGE)),
    "ship_type": ("ship_type", _int(*SHIP_TYPE_RANGE)),
    "destination": ("destination", _chars(_PRINTABLE, 1, 20, "1-20 printable characters")),
}
_TS_MS = _int(*TS_MS_RANGE)
_REQUIRED = ("track_id", "kind", "source", "time", "ts_ms", "lat", "lon")
_KNOWN = frozenset(_REQUIRED) | frozenset(_OPTIONAL)
_ORDER = {wire: i for i, wire in enumerate(_OPTIONAL)}
_FIELDS = TrackUpdate._fields
_POSITION = {wire: (_FIELDS.index(attr), check) for wire, (attr, check) in _OPTIONAL.items()}
_ABSENT = (None,) * (len(_FIELDS) - 4)  # every field after track_id, kind, source, ts_ms
_ICAO24, _MMSI = _FIELDS.index("icao24"), _FIELDS.index("mmsi")
_LAT, _LON = _FIELDS.index("lat_deg"), _FIELDS.index("lon_deg")


def decode_canonical(doc: object) -> TrackUpdate:
    """Decode a parsed canonical track point.

    Returns:
        The point as a positioned update.

    Raises:
        DecodeError: the record breaks the ``tracks.points`` schema.
    """
    if not isinstance(doc, dict):
        raise UnknownFormatError("not a JSON object", actual=type(doc).__name__)
    data: Mapping[str, object] = doc
    if not _KNOWN.issuperset(data):
        name = next(name for name in data if name not in _KNOWN)
        raise BadFieldError("unknown field", field=str(name)[:40],
                            expected="the fields of tracks.points")
    track_id = j.text(j.required(data, "track_id"), "track_id", 20)
    kind = _KINDS.get(j.text(j.required(data, "kind"), "kind", 16))
    source = _SOURCES.get(j.text(j.required(data, "source"), "source", 16))
    if kind is None or source is None:
        raise BadFieldError("unknown kind or source", field="kind" if kind is None else "source",
                            actual=repr(data.get("kind" if kind is None else "source"))[:40])
    scheme, address = _split_track_id(track_id)
    if scheme != "mmsi" and kind is not TrackKind.AIRCRAFT:
        raise BadFieldError("an aircraft address with a kind other than aircraft", field="kind",
                            actual=kind.value)
    ts_ms = _TS_MS(j.required(data, "ts_ms"), "ts_ms")
    time_text = j.text(j.required(data, "time"), "time", 24)
    if f.parse_rfc3339_ms(time_text, "time") != ts_ms:
        raise BadFieldError("time and ts_ms disagree", field="time", actual=time_text,
                            expected=f"ts_ms {ts_ms}")
    # The update's fields by position, filled in place and made a named tuple at once.
    row: list[object] = [track_id, kind, source, ts_ms, *_ABSENT]
    # Only the fields present (most of the optional ones are absent), checked in the
    # schema's order so that the first bad one is reported whatever the record's order.
    for wire in sorted(data.keys() & _OPTIONAL.keys(), key=_ORDER.__getitem__):
        value = data[wire]
        if value is not None:
            index, check = _POSITION[wire]
            row[index] = check(value, wire)
    if scheme == "icao24" and row[_ICAO24] not in (None, address):
        raise BadFieldError("icao24 is not the track's address", field="icao24",
                            actual=str(row[_ICAO24]), expected=address)
    if scheme == "mmsi" and row[_MMSI] not in (None, address):
        raise BadFieldError("mmsi is not the track's MMSI", field="mmsi",
                            actual=str(row[_MMSI]), expected=address)
    row[_LAT] = j.number(j.required(data, "lat"), "lat", -90.0, 90.0)
    row[_LON] = j.number(j.required(data, "lon"), "lon", -180.0, 180.0)
    update: TrackUpdate = tuple.__new__(TrackUpdate, row)
    return update


def _split_track_id(track_id: str) -> tuple[str, str]:
    scheme, sep, address = track_id.partition(":")
    if sep and scheme in ("icao24", "nonicao") and len(address) == 6 \
            and _LOWER_HEX.issuperset(address):
        return scheme, address
    if sep and scheme == "mmsi" and len(address) == 9 and _DIGITS.issuperset(address):
        return scheme, address
    raise BadFieldError("not a track id", field="track_id", actual=track_id,
                        expected="icao24:<6 hex>, nonicao:<6 hex> or mmsi:<9 digits>")
