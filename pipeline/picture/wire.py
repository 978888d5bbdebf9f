"""The parts of the output topics' records that the picture shows, narrowed field by field.

``tracks.points`` records are read by the pipeline's own codec
(:func:`pipeline.transport.codec.decode_point`); this module reads an
``alerts.identification`` record (``schemas/alerts.identification.schema.json``) into an
:class:`AlertView` and a dead letter (``schemas/adizwatch.deadletter.schema.json``) into
its reason. Fields the picture does not show are ignored, so a newer pipeline that adds
fields does not break an older picture.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.decode.errors import BadFieldError
from pipeline.model.events import StandardIdentity
from pipeline.model.track import TrackKind, TrackPoint
from pipeline.transport.codec import point_from_json


@dataclass(frozen=True, slots=True)
class AlertView:
    """One identification event as the picture shows it."""

    event_id: str
    type: str
    track_id: str
    kind: TrackKind
    ts_ms: int
    lat_deg: float
    lon_deg: float
    identity: StandardIdentity
    previous_identity: StandardIdentity | None
    reasons: tuple[str, ...]
    zone_id: str | None = None
    zone_name: str | None = None
    zones: tuple[str, ...] = ()
    callsign: str | None = None
    squawk: str | None = None
    squawk_meaning: str | None = None
    emergency: bool = False
    country: str | None = None
    military: bool | None = None
    aircraft_type: str | None = None
    report: TrackPoint | None = None


def _str(data: Mapping[str, object], name: str, required: bool = False) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise BadFieldError("wrong type or missing", field=name, actual=repr(value)[:40])
    return value


def _number(data: Mapping[str, object], name: str) -> float:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadFieldError("wrong type or missing", field=name, actual=repr(value)[:40])
    return float(value)


def _strings(data: Mapping[str, object], name: str) -> tuple[str, ...]:
    value = data.get(name)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadFieldError("not a list of strings", field=name, actual=repr(value)[:40])
    return tuple(value)


def _identity(data: Mapping[str, object], name: str, required: bool) -> StandardIdentity | None:
    value = _str(data, name, required)
    if value is None:
        return None
    try:
        return StandardIdentity(value)
    except ValueError:
        raise BadFieldError("unknown standard identity", field=name, actual=value) from None


def alert_from_json(data: Mapping[str, object]) -> AlertView:
    """Read an ``alerts.identification`` object.

    Raises:
        DecodeError: a field the picture needs is missing or has the wrong type.
    """
    ts_ms = data.get("ts_ms")
    if isinstance(ts_ms, bool) or not isinstance(ts_ms, int):
        raise BadFieldError("wrong type or missing", field="ts_ms", actual=repr(ts_ms)[:40])
    try:
        kind = TrackKind(str(_str(data, "kind", required=True)))
    except ValueError:
        raise BadFieldError("unknown kind", field="kind") from None
    military = data.get("military")
    report = data.get("report")
    identity = _identity(data, "identity", required=True)
    assert identity is not None  # required=True
    return AlertView(
        event_id=str(_str(data, "event_id", required=True)),
        type=str(_str(data, "type", required=True)),
        track_id=str(_str(data, "track_id", required=True)),
        kind=kind,
        ts_ms=ts_ms,
        lat_deg=_number(data, "lat"),
        lon_deg=_number(data, "lon"),
        identity=identity,
        previous_identity=_identity(data, "previous_identity", required=False),
        reasons=_strings(data, "reasons"),
        zone_id=_str(data, "zone_id"),
        zone_name=_str(data, "zone_name"),
        zones=_strings(data, "zones"),
        callsign=_str(data, "callsign"),
        squawk=_str(data, "squawk"),
        squawk_meaning=_str(data, "squawk_meaning"),
        emergency=data.get("emergency") is True,
        country=_str(data, "country"),
        military=military if isinstance(military, bool) else None,
        aircraft_type=_str(data, "aircraft_type"),
        report=point_from_json(report) if isinstance(report, Mapping) else None,
    )


def deadletter_reason(data: Mapping[str, object]) -> str:
    """The reason of an ``adizwatch.deadletter`` object (``unreadable`` when absent)."""
    reason = data.get("reason")
    return reason if isinstance(reason, str) and reason else "unreadable"
