"""Wire forms of the configuration topics: ``watchlists`` and ``flightplans`` (compacted).

``watchlists``: key = the entry key (``icao24:<hex>``, ``mmsi:<9 digits>`` or
``callsign:<pattern>``), value = a JSON object with the CSV columns of the watch-list layout
(plane-alert-db names for aircraft, ``MMSI,IMO,name,flag,category`` for vessels), tombstone
(null value) = delete. ``flightplans``: key = plan id, value = a JSON object per
``schemas/flightplans.schema.json``, tombstone = withdraw.
"""

from __future__ import annotations

import orjson

from pipeline.identify.flightplan import FlightPlan
from pipeline.identify.watchlist import WatchEntry, aircraft_entry, vessel_entry
from pipeline.transport.timefmt import format_ms, parse_ms

MAX_CONFIG_BYTES = 16 * 1024


def _object(raw: bytes) -> dict[str, object]:
    if len(raw) > MAX_CONFIG_BYTES:
        raise ValueError(f"record of {len(raw)} bytes is too large")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def decode_watch_entry(key: bytes | None, raw: bytes, source: str) -> WatchEntry:
    """A ``watchlists`` record; raises ValueError with the reason."""
    data = _object(raw)
    row = {k: v if isinstance(v, str) else None for k, v in data.items()}
    entry = aircraft_entry(row, source) if "$ICAO" in row else vessel_entry(row, source)
    if key is not None and key.decode("utf-8", "replace") != entry.key:
        raise ValueError(f"key {key!r} is not the entry's key {entry.key!r}")
    return entry


def encode_watch_row(row: dict[str, str]) -> bytes:
    return orjson.dumps(row)


def _float(data: dict[str, object], name: str, low: float, high: float) -> float:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ValueError(f"{name} must be a number in [{low}, {high}]")
    return float(value)


def _time(data: dict[str, object], name: str) -> int:
    value = data.get(name)
    if not isinstance(value, str):
        raise ValueError(f"{name} must be an RFC 3339 time")
    try:
        return parse_ms(value)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def _optional_text(data: dict[str, object], name: str, max_len: int) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= max_len:
        raise ValueError(f"{name} must be text of 1-{max_len} characters")
    return value


def decode_flightplan(raw: bytes) -> FlightPlan:
    """A ``flightplans`` record; raises ValueError with the reason."""
    data = _object(raw)
    plan_id = _optional_text(data, "plan_id", 64)
    if plan_id is None:
        raise ValueError("plan_id missing")
    rules = data.get("rules")
    if rules not in ("DVFR", "IFR"):
        raise ValueError("rules must be DVFR or IFR")
    callsign = _optional_text(data, "callsign", 8)
    icao24 = _optional_text(data, "icao24", 6)
    if callsign is None and icao24 is None:
        raise ValueError("a plan names a callsign or an icao24 address")
    if icao24 is not None and not all(c in "0123456789abcdef" for c in icao24.lower()):
        raise ValueError("icao24 must be 6 hex digits")
    penetration = data.get("penetration")
    if not isinstance(penetration, dict):
        raise ValueError("penetration {lat, lon, time} missing")
    valid_from, valid_to = _time(data, "valid_from"), _time(data, "valid_to")
    if valid_to < valid_from:
        raise ValueError("valid_to is before valid_from")
    return FlightPlan(
        plan_id=plan_id, rules=str(rules), callsign=callsign.upper() if callsign else None,
        icao24=icao24.lower() if icao24 else None,
        departure=_optional_text(data, "departure", 8),
        penetration_lat_deg=_float(penetration, "lat", -90.0, 90.0),
        penetration_lon_deg=_float(penetration, "lon", -180.0, 180.0),
        penetration_ms=_time(penetration, "time"), valid_from_ms=valid_from,
        valid_to_ms=valid_to)


def encode_flightplan(plan: FlightPlan) -> bytes:
    return orjson.dumps({
        "plan_id": plan.plan_id, "rules": plan.rules, "callsign": plan.callsign,
        "icao24": plan.icao24, "departure": plan.departure,
        "penetration": {"lat": plan.penetration_lat_deg, "lon": plan.penetration_lon_deg,
                        "time": format_ms(plan.penetration_ms)},
        "valid_from": format_ms(plan.valid_from_ms), "valid_to": format_ms(plan.valid_to_ms),
    })
