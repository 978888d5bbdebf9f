"""Wire forms of the zone topics: ``zones.config`` records in, ``zones.changes`` records out.

``zones.config``: key = the zone id (UTF-8), value = one GeoJSON Feature (JSON object), or
null (a tombstone: delete the zone). ``zones.changes``: one JSON record per ``zones.config``
record, keyed by zone id, saying what it did (``schemas/zones.changes.schema.json``).
"""

from __future__ import annotations

import hashlib

import orjson

from pipeline.geofence.earth import area_km2
from pipeline.geofence.errors import ZoneError, ZoneReason
from pipeline.geofence.zone_config import ZoneAction
from pipeline.geofence.zones import Zone
from pipeline.transport.timefmt import format_ms

MAX_ZONE_BYTES = 4 * 1024 * 1024
"""A zone record larger than this is refused (a 4 MiB feature is ~200k vertices)."""


def decode_zone_key(key: bytes | None) -> str:
    """The zone id of a ``zones.config`` record.

    Raises:
        ZoneError: no key, or a key that is not UTF-8 text.
    """
    if not key:
        raise ZoneError(ZoneReason.MISSING_ID, "record without a key (the key is the zone id)")
    try:
        return key.decode("utf-8")
    except UnicodeDecodeError:
        raise ZoneError(ZoneReason.MISSING_ID, "record key is not UTF-8") from None


def decode_zone_value(value: bytes | None, zone_id: str) -> dict[str, object] | None:
    """The Feature of a ``zones.config`` record, None for a tombstone.

    Raises:
        ZoneError: not a JSON object, or too large.
    """
    if value is None:
        return None
    if len(value) > MAX_ZONE_BYTES:
        raise ZoneError(ZoneReason.UNREADABLE, f"record of {len(value)} bytes is larger than "
                        f"{MAX_ZONE_BYTES}", zone_id)
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise ZoneError(ZoneReason.UNREADABLE, f"not JSON: {exc}", zone_id) from None
    if not isinstance(data, dict):
        raise ZoneError(ZoneReason.NOT_A_FEATURE, "not a GeoJSON Feature object", zone_id)
    return data


def fingerprint(value: bytes | None) -> str | None:
    """A short content hash of a record value (None for a tombstone)."""
    if value is None:
        return None
    try:
        canonical = orjson.dumps(orjson.loads(value), option=orjson.OPT_SORT_KEYS)
    except orjson.JSONDecodeError:
        canonical = value
    return hashlib.sha256(canonical).hexdigest()[:16]


def zone_summary(zone: Zone) -> dict[str, object]:
    rules = zone.rules
    return {
        "name": zone.name,
        "kind": rules.kind,
        "applies_to": rules.applies_to.value,
        "floor_ft": rules.floor_ft,
        "ceiling_ft": rules.ceiling_ft,
        "dwell_s": None if rules.dwell_ms is None else rules.dwell_ms / 1000,
        "min_inside_s": None if rules.min_inside_ms is None else rules.min_inside_ms / 1000,
        "min_inside_nm": None if rules.min_inside_m is None else rules.min_inside_m / 1852,
        "area_km2": round(area_km2(zone.geometry), 1),
        "bounds": [round(v, 6) for v in zone.geometry.bounds],
    }


def encode_zone_change(zone_id: str, action: ZoneAction, zone: Zone | None,
                       version: str | None, previous_version: str | None, topic: str,
                       partition: int | None, offset: int | None, record_ms: int,
                       error: ZoneError | None = None) -> bytes:
    """One ``zones.changes`` record.

    ``version`` is the fingerprint of the record's value; ``previous_version`` that of the
    version in force before it (for a rejection: the one that stays in force).
    """
    return orjson.dumps({
        "zone_id": zone_id,
        "action": action.value,
        "version": version,
        "previous_version": previous_version,
        "time": format_ms(record_ms),
        "ts_ms": record_ms,
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "zone": None if zone is None else zone_summary(zone),
        "reason": None if error is None else error.reason.value,
        "detail": None if error is None else error.detail,
    })
