"""JSON wire forms of the model (orjson), one pair of functions per record kind.

Field names and types are those of ``schemas/<topic>.schema.json``; a unit test validates
every encoder's output against its schema. Decoders of our own topics validate too: a record
on an internal topic may have been written by another version or by hand.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from operator import itemgetter

import orjson

from pipeline.decode.errors import (
    BadFieldError,
    DecodeError,
    NotUtf8Error,
    OutOfRangeError,
    TooLargeError,
)
from pipeline.model.deadletter import DeadLetter
from pipeline.model.events import Boundary, Identification, Transition, ZoneEvent
from pipeline.model.track import AddressType, Source, TrackKind, TrackPoint, TrackUpdate
from pipeline.transport.timefmt import format_ms

MAX_JSON_BYTES = 64 * 1024

_NUMBER = (int, float)
_OPTIONAL_TRACK_FIELDS: tuple[tuple[str, str, type | tuple[type, ...]], ...] = (
    # (wire name, model attribute, accepted JSON types)
    ("icao24", "icao24", str),
    ("altitude_ft", "alt_ft", int),
    ("speed_kt", "speed_kt", _NUMBER),
    ("track_deg", "track_deg", _NUMBER),
    ("vrate_fpm", "vrate_fpm", int),
    ("callsign", "callsign", str),
    ("squawk", "squawk", str),
    ("alert", "alert", bool),
    ("emergency", "emergency", bool),
    ("spi", "spi", bool),
    ("on_ground", "on_ground", bool),
    ("heading_deg", "heading_deg", _NUMBER),
    ("address_type", "address_type", str),
    ("data_source", "data_source", str),
    ("registration", "registration", str),
    ("aircraft_type", "aircraft_type", str),
    ("military_flag", "military_flag", bool),
    ("mmsi", "mmsi", str),
    ("vessel_name", "vessel_name", str),
    ("imo", "imo", int),
    ("ship_type", "ship_type", int),
    ("destination", "destination", str),
)
_ADDRESS_TYPES = {a.value: a for a in AddressType}


_OPTIONAL_WIRE = tuple(wire for wire, _, _ in _OPTIONAL_TRACK_FIELDS)
_POINT_WIRE = ("track_id", "kind", "source", "time", "ts_ms", "lat", "lon", *_OPTIONAL_WIRE)
assert TrackPoint._fields[6:] == tuple(attr for _, attr, _ in _OPTIONAL_TRACK_FIELDS)
_optional_of_update = itemgetter(*(TrackUpdate._fields.index(attr)
                                   for _, attr, _ in _OPTIONAL_TRACK_FIELDS))
"""An update's optional fields in wire order (its own order differs from a point's)."""


def _point_json(point: TrackPoint) -> dict[str, object]:
    """The point's wire form: its known fields only (an absent field means unknown, as a
    null would; most reports know a third of them, and the point is half the size)."""
    # Zipped from the point's own order (its optional fields are in wire order; orjson
    # writes the enums by value).
    return {name: value for name, value in zip(
        _POINT_WIRE, (*point[:3], format_ms(point[3]), *point[3:]), strict=True)
        if value is not None}


def _update_json(update: TrackUpdate) -> dict[str, object]:
    data: dict[str, object] = {
        "track_id": update.track_id,
        "kind": update.kind.value,
        "source": update.source.value,
        "time": format_ms(update.ts_ms),
        "ts_ms": update.ts_ms,
        "lat": update.lat_deg,
        "lon": update.lon_deg,
    }
    data.update((name, value) for name, value in zip(
        _OPTIONAL_WIRE, _optional_of_update(update), strict=True) if value is not None)
    return data


def encode_point(point: TrackPoint) -> bytes:
    return orjson.dumps(_point_json(point))


def encode_update(update: TrackUpdate) -> bytes:
    return orjson.dumps(_update_json(update))


def _load_object(raw: bytes) -> dict[str, object]:
    if len(raw) > MAX_JSON_BYTES:
        raise TooLargeError("JSON record too large", actual=f"{len(raw)} bytes")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            raise NotUtf8Error("not UTF-8") from None
        raise BadFieldError(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadFieldError("JSON record is not an object")
    return data


def _get(data: Mapping[str, object], name: str, kind: type | tuple[type, ...],
         required: bool = False) -> object:
    value = data.get(name)
    if value is None:
        if required:
            raise BadFieldError("missing field", field=name)
        return None
    # bool is an int subclass: a flag is never a number and a number never a flag.
    if isinstance(value, bool) and kind is not bool:
        raise BadFieldError("wrong type", field=name, actual=repr(value))
    if not isinstance(value, kind):
        raise BadFieldError("wrong type", field=name, actual=repr(value)[:40])
    return value


def _track_fields(data: Mapping[str, object], require_position: bool) -> dict[str, object]:
    track_id = _get(data, "track_id", str, required=True)
    try:
        kind = TrackKind(str(_get(data, "kind", str, required=True)))
        source = Source(str(_get(data, "source", str, required=True)))
    except ValueError as exc:
        raise BadFieldError(str(exc)) from None
    ts_ms = _get(data, "ts_ms", int, required=True)
    lat = _get(data, "lat", (int, float), required=require_position)
    lon = _get(data, "lon", (int, float), required=require_position)
    if (lat is None) != (lon is None):
        raise BadFieldError("lat without lon or the reverse", field="lat")
    if lat is not None and not -90.0 <= lat <= 90.0:  # type: ignore[operator]
        raise OutOfRangeError("latitude outside [-90, 90]", field="lat", actual=repr(lat))
    if lon is not None and not -180.0 <= lon <= 180.0:  # type: ignore[operator]
        raise OutOfRangeError("longitude outside [-180, 180]", field="lon", actual=repr(lon))
    fields: dict[str, object] = {
        "track_id": track_id, "kind": kind, "source": source, "ts_ms": ts_ms,
        "lat_deg": None if lat is None else float(lat),  # type: ignore[arg-type]
        "lon_deg": None if lon is None else float(lon),  # type: ignore[arg-type]
    }
    get = data.get
    for wire, attr, kinds in _OPTIONAL_TRACK_FIELDS:
        # _get inlined: ~25 optional fields per record, most of them absent or null.
        value = get(wire)
        if value is not None:
            if (isinstance(value, bool) and kinds is not bool) or not isinstance(value, kinds):
                raise BadFieldError("wrong type", field=wire, actual=repr(value)[:40])
            if kinds is _NUMBER:
                value = float(value)  # type: ignore[arg-type]
        fields[attr] = value
    if fields["address_type"] is not None:
        address_type = _ADDRESS_TYPES.get(str(fields["address_type"]))
        if address_type is None:
            raise BadFieldError("unknown address type", field="address_type",
                                actual=repr(fields["address_type"])[:40])
        fields["address_type"] = address_type
    return fields


def decode_point(raw: bytes) -> TrackPoint:
    """A ``tracks.points`` record.

    Raises:
        DecodeError: not a valid track point.
    """
    return TrackPoint(**_track_fields(_load_object(raw), require_position=True))  # type: ignore[arg-type]


def point_from_json(data: Mapping[str, object]) -> TrackPoint:
    """A track point from an already parsed object (e.g. the ``report`` of an event).

    Raises:
        DecodeError: not a valid track point.
    """
    return TrackPoint(**_track_fields(data, require_position=True))  # type: ignore[arg-type]


def load_object(raw: bytes) -> dict[str, object]:
    """A JSON object record of one of our topics, size-checked.

    Raises:
        DecodeError: too large, not UTF-8, not JSON or not an object.
    """
    return _load_object(raw)


def decode_update(raw: bytes) -> TrackUpdate:
    """A ``tracks.updates`` record."""
    return TrackUpdate(**_track_fields(_load_object(raw), require_position=False))  # type: ignore[arg-type]


def _zone_event_json(event: ZoneEvent) -> dict[str, object]:
    point = event.point
    return {
        "event_id": event.event_id,
        "type": event.transition.value,
        "track_id": point.track_id,
        "kind": point.kind.value,
        "icao24": point.icao24,
        "zone_id": event.zone_id,
        "zone_name": event.zone_name,
        "time": format_ms(event.at_ms),
        "ts_ms": event.at_ms,
        "lat": round(event.lat_deg, 6),
        "lon": round(event.lon_deg, 6),
        "interpolated": event.interpolated,
        "callsign": point.callsign,
        "squawk": point.squawk,
        "altitude_ft": point.alt_ft,
        "speed_kt": point.speed_kt,
        "track_deg": point.track_deg,
        "event_altitude_ft": event.alt_ft,
        "via": None if event.via is None else event.via.value,
        "zone_kind": event.zone_kind,
        "last_seen": None if event.last_seen_ms is None else format_ms(event.last_seen_ms),
        "last_seen_ts_ms": event.last_seen_ms,
        "report": _point_json(point),
    }


def encode_zone_event(event: ZoneEvent) -> bytes:
    return orjson.dumps(_zone_event_json(event))


def decode_zone_event(raw: bytes) -> ZoneEvent:
    """A ``zones.events`` record.

    Raises:
        DecodeError: not a valid zone event.
    """
    data = _load_object(raw)
    report = data.get("report")
    if not isinstance(report, dict):
        raise BadFieldError("missing field", field="report")
    point = TrackPoint(**_track_fields(report, require_position=True))  # type: ignore[arg-type]
    try:
        transition = Transition(str(_get(data, "type", str, required=True)))
        via_name = _get(data, "via", str)
        via = None if via_name is None else Boundary(str(via_name))
    except ValueError as exc:
        raise BadFieldError(str(exc), field="type") from None
    alt = _get(data, "event_altitude_ft", (int, float))
    kind = _get(data, "zone_kind", str)
    last_seen = _get(data, "last_seen_ts_ms", int)
    return ZoneEvent(
        event_id=str(_get(data, "event_id", str, required=True)),
        transition=transition,
        zone_id=str(_get(data, "zone_id", str, required=True)),
        zone_name=str(_get(data, "zone_name", str, required=True)),
        at_ms=int(_get(data, "ts_ms", int, required=True)),  # type: ignore[call-overload]
        lat_deg=float(_get(data, "lat", (int, float), required=True)),  # type: ignore[arg-type]
        lon_deg=float(_get(data, "lon", (int, float), required=True)),  # type: ignore[arg-type]
        point=point,
        interpolated=bool(_get(data, "interpolated", bool, required=True)),
        alt_ft=None if alt is None else float(alt),  # type: ignore[arg-type]
        via=via,
        last_seen_ms=None if last_seen is None else int(last_seen),  # type: ignore[call-overload]
        zone_kind=None if kind is None else str(kind),
    )


def encode_identification(ident: Identification) -> bytes:
    point = ident.point
    zone = ident.zone_event
    data: dict[str, object] = {
        "event_id": ident.event_id,
        "type": ident.trigger.value,
        "track_id": point.track_id,
        "kind": point.kind.value,
        "icao24": point.icao24,
        "zone_id": zone.zone_id if zone else None,
        "zone_name": zone.zone_name if zone else None,
        "zone_event_id": zone.event_id if zone else None,
        "time": format_ms(ident.at_ms),
        "ts_ms": ident.at_ms,
        "lat": round(ident.lat_deg, 6),
        "lon": round(ident.lon_deg, 6),
        "interpolated": zone.interpolated if zone else False,
        "callsign": point.callsign,
        "squawk": point.squawk,
        "squawk_meaning": ident.squawk_meaning,
        "emergency": ident.emergency,
        "altitude_ft": point.alt_ft,
        "speed_kt": point.speed_kt,
        "track_deg": point.track_deg,
        "zones": list(ident.zones),
        "country": ident.country,
        "country_reason": ident.country_reason,
        "military": ident.military,
        "military_reason": ident.military_reason,
        "aircraft_type": ident.aircraft_type,
        "watchlist": ident.watchlist,
        "flight_plan": None if ident.correlation is None else {
            "plan_id": ident.correlation[0], "reason": ident.correlation[1]},
        "identity": ident.identity.value,
        "previous_identity": ident.previous_identity.value,
        "rule": ident.rule,
        "reasons": list(ident.reasons),
        "report": _point_json(point),
    }
    return orjson.dumps(data)


def encode_deadletter(letter: DeadLetter) -> bytes:
    try:
        payload = letter.raw.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        payload = base64.b64encode(letter.raw).decode("ascii")
        encoding = "base64"
    return orjson.dumps({
        "reason": letter.reason,
        "detail": letter.detail,
        "stage": letter.stage,
        "topic": letter.topic,
        "partition": letter.partition,
        "offset": letter.offset,
        "received_at": format_ms(letter.received_ms),
        "payload": payload,
        "payload_encoding": encoding,
    })


def encode_element(element: object) -> bytes:
    """A parsed JSON element re-encoded: the payload of a dead letter for one part of a
    record (an aircraft of a snapshot), which has no bytes of its own."""
    try:
        return orjson.dumps(element)
    except TypeError:  # not from JSON after all: keep what can be kept
        return repr(element).encode("utf-8", "replace")


def dump_state(state: Mapping[str, object]) -> bytes:
    """A stage's state for a table (changelog) value."""
    return orjson.dumps(state)


def dump_stored(value: list[object]) -> bytes:
    """A stage's state stored as a JSON array (see ``TrackMemory.to_stored``)."""
    return orjson.dumps(value)


def load_stored(raw: bytes) -> object:
    """Inverse of :func:`dump_stored` (and of :func:`dump_state`): the parsed JSON."""
    return orjson.loads(raw)


def load_state(raw: bytes) -> dict[str, object]:
    """Inverse of :func:`dump_state`."""
    data = orjson.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("stored state is not an object")
    return data


__all__ = [
    "DecodeError",
    "decode_point",
    "decode_update",
    "decode_zone_event",
    "dump_state",
    "encode_deadletter",
    "encode_element",
    "encode_identification",
    "encode_point",
    "encode_update",
    "encode_zone_event",
    "load_state",
]
