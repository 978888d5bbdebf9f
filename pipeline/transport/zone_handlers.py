"""Handlers around the zone topics: the change log of ``zones.config``, and its live reader.

Two consumers read ``zones.config``, for two jobs:

* **apply** (every worker): every worker must test points against every zone, so each reads
  *all* partitions of ``zones.config`` from the beginning with a plain consumer outside the
  consumer group (``zone_feed.py``), feeding :class:`~pipeline.geofence.zone_config.ZoneRegistry`
  with :func:`apply_record`. An invalid record is skipped there (logged); nothing else.
* **log** (one worker per record): a normal partitioned faust agent runs
  :func:`handle_zone_config` with a table keyed by zone id holding the version in force. It
  publishes what each record did on ``zones.changes`` (added, updated, deleted, unchanged,
  absent, rejected) and sends each rejected record, with its reason and the version that
  stays in force, to the dead-letter topic: once per record, however many workers run.

Both use the same checks (``features.py``), so they agree on what is valid.
"""

from __future__ import annotations

import logging

import orjson

from pipeline.geofence.errors import ZoneError
from pipeline.geofence.zone_config import ZoneAction, ZoneChange, ZoneRegistry, check_record
from pipeline.transport.handlers import Handled, Output, RecordMeta, dead_letter
from pipeline.transport.topics import ZONES_CHANGES
from pipeline.transport.zone_codec import (
    decode_zone_key,
    decode_zone_value,
    encode_zone_change,
    fingerprint,
)

log = logging.getLogger(__name__)

STAGE = "zones.config"


def apply_record(registry: ZoneRegistry, key: bytes | None, value: bytes | None,
                 meta: RecordMeta) -> ZoneChange | None:
    """Apply one ``zones.config`` record to a worker's registry; None if unreadable.

    Every change is logged (INFO), so each worker's log shows the zone set it works with.
    """
    try:
        zone_id = decode_zone_key(key)
        change = registry.apply_checked(zone_id, decode_zone_value(value, zone_id))
    except ZoneError as exc:
        log.warning("zone record rejected zone_id=%s reason=%s detail=%s topic=%s "
                    "partition=%s offset=%s", exc.zone_id, exc.reason.value, exc.detail,
                    meta.topic, meta.partition, meta.offset)
        return None
    if change.action not in (ZoneAction.UNCHANGED, ZoneAction.ABSENT):
        log.info("zone change applied zone_id=%s action=%s version=%s zones=%d topic=%s "
                 "partition=%s offset=%s", change.zone_id, change.action.value,
                 fingerprint(value), len(registry), meta.topic, meta.partition,
                 meta.offset)
    return change


def _stored_version(stored: bytes | None) -> str | None:
    if stored is None:
        return None
    data = orjson.loads(stored)
    version = data.get("version") if isinstance(data, dict) else None
    return version if isinstance(version, str) else None


def handle_zone_config(value: bytes | None, key: bytes | None, meta: RecordMeta,
                       stored: bytes | None, now_ms: int) -> Handled:
    """``zones.config`` record + the version in force -> a ``zones.changes`` record.

    A rejected record also becomes a dead letter with the check's reason. The returned
    state is the new version in force (unchanged on rejection).
    """
    previous = _stored_version(stored)
    version = fingerprint(value)
    zone_id: str | None = None
    try:
        zone_id = decode_zone_key(key)
        zone = check_record(zone_id, decode_zone_value(value, zone_id))
    except ZoneError as exc:
        detail = (f"{exc}; the previous version ({previous or 'none'}) stays in force"
                  if zone_id is not None else str(exc))
        letter = dead_letter(STAGE, meta, value or b"", exc.reason.value, detail, now_ms)
        if zone_id is not None:
            letter.outputs.append(Output(ZONES_CHANGES, zone_id.encode(), encode_zone_change(
                zone_id, ZoneAction.REJECTED, None, version, previous, meta.topic,
                meta.partition, meta.offset, meta.timestamp_ms, exc)))
        return letter
    if zone is None:
        action = ZoneAction.DELETED if previous is not None else ZoneAction.ABSENT
    elif version == previous:
        action = ZoneAction.UNCHANGED
    else:
        action = ZoneAction.ADDED if previous is None else ZoneAction.UPDATED
    change = Output(ZONES_CHANGES, zone_id.encode(), encode_zone_change(
        zone_id, action, zone, version, previous, meta.topic, meta.partition, meta.offset,
        meta.timestamp_ms))
    state = orjson.dumps({"version": version})
    return Handled([change], outcome=action.value, state=state)
