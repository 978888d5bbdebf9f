"""Record handlers: one Kafka record in, the records to produce out.

Each handler is the byte-level glue around one stage: it decodes the record with the
codec, calls the pure stage function, and encodes what comes back. Nothing here talks to a
broker, so every handler is tested directly; the faust agents in ``app.py`` only feed
records in and send the outputs. A record a stage cannot accept becomes a dead letter with
its reason; :func:`guarded` turns any unexpected exception into an ``internal_error``
dead letter so a worker never stops on bad input.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.assemble.merger import TrackMemory, merge
from pipeline.decode.errors import BadKeyError, DecodeError
from pipeline.decode.sbs import decode_sbs
from pipeline.geofence.state import TrackState
from pipeline.geofence.timers import LostAfter
from pipeline.geofence.tracker import DEFAULT_LOST_AFTER, StepOutcome, StepResult, step
from pipeline.geofence.zones import ZoneSet
from pipeline.identify.identity import Identifier
from pipeline.model.deadletter import DeadLetter
from pipeline.model.events import Transition
from pipeline.model.track import TrackPoint
from pipeline.transport import codec
from pipeline.transport.topics import (
    DEADLETTER,
    IDENTIFICATIONS,
    TRACK_POINTS,
    TRACK_UPDATES,
    ZONE_EVENTS,
    TopicSpec,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RecordMeta:
    """Where a record came from."""

    topic: str
    partition: int | None
    offset: int | None
    timestamp_ms: int


@dataclass(frozen=True, slots=True)
class Output:
    topic: TopicSpec
    key: bytes | None
    value: bytes


@dataclass(slots=True)
class Handled:
    """What a handler produced: records to send, the new table state, and an outcome label."""

    outputs: list[Output] = field(default_factory=list)
    outcome: str = "accepted"
    state: bytes | None = None
    reason: str | None = None  # dead-letter reason, when the outcome is "deadletter"


def dead_letter(stage: str, meta: RecordMeta, raw: bytes, reason: str, detail: str,
                now_ms: int) -> Handled:
    letter = DeadLetter(reason=reason, detail=detail, stage=stage, topic=meta.topic,
                        partition=meta.partition, offset=meta.offset, received_ms=now_ms,
                        raw=raw)
    return Handled([Output(DEADLETTER, None, codec.encode_deadletter(letter))],
                   outcome="deadletter", reason=reason)


def guarded(stage: str, meta: RecordMeta, raw: bytes, now_ms: int,
            handler: Callable[[], Handled]) -> Handled:
    """Run ``handler``; an exception escaping it becomes an ``internal_error`` dead letter."""
    try:
        return handler()
    except Exception as exc:
        log.exception("stage failed stage=%s topic=%s partition=%s offset=%s",
                      stage, meta.topic, meta.partition, meta.offset)
        return dead_letter(stage, meta, raw, "internal_error", f"{type(exc).__name__}: {exc}",
                           now_ms)


def handle_sbs(raw: bytes, meta: RecordMeta, now_ms: int) -> Handled:
    """``adsb.sbs`` line -> ``tracks.updates`` record keyed by track, or a dead letter."""
    try:
        update = decode_sbs(raw, meta.timestamp_ms)
    except DecodeError as exc:
        return dead_letter("decode.sbs", meta, raw, exc.reason, exc.detail, now_ms)
    if update is None:
        return Handled(outcome="no_track_data")
    return Handled([Output(TRACK_UPDATES, update.track_id.encode(), codec.encode_update(update))])


def _check_key(key: bytes | None, track_id: str) -> None:
    # State is partitioned by key: a record whose key is not its track id would put the
    # track's state on the wrong partition.
    if key != track_id.encode():
        raise BadKeyError("record key is not the track id", field="key",
                          actual=repr(key), expected=track_id)


def handle_update(raw: bytes, key: bytes | None, meta: RecordMeta, stored: bytes | None,
                  now_ms: int) -> Handled:
    """``tracks.updates`` record + the track's memory -> ``tracks.points`` when positioned."""
    try:
        update = codec.decode_update(raw)
        _check_key(key, update.track_id)
    except DecodeError as exc:
        return dead_letter("merge", meta, raw, exc.reason, exc.detail, now_ms)
    memory = None if stored is None else TrackMemory.from_dict(codec.load_state(stored))
    memory, point = merge(memory, update)
    state = codec.dump_state(memory.to_dict())
    if point is None:
        return Handled(outcome="merged", state=state)
    return Handled([Output(TRACK_POINTS, point.track_id.encode(), codec.encode_point(point))],
                   outcome="point", state=state)


def fence_point(raw: bytes, key: bytes | None, meta: RecordMeta, stored: bytes | None,
                zones: ZoneSet, max_gap_ms: int, now_ms: int,
                lost_after: LostAfter = DEFAULT_LOST_AFTER,
                ) -> tuple[Handled, TrackPoint | None, StepResult | None]:
    """:func:`handle_point`, also returning the decoded point and the step's result.

    The stored state carries the record's partition (when known) beside the track state, so
    the lost-track clocks of a partition can be rebuilt from the table after a restart.
    """
    try:
        point = codec.decode_point(raw)
        _check_key(key, point.track_id)
    except DecodeError as exc:
        return dead_letter("geofence", meta, raw, exc.reason, exc.detail, now_ms), None, None
    state = None if stored is None else TrackState.from_dict(codec.load_state(stored))
    result = step(state, point, zones, max_gap_ms, lost_after)
    outputs = [Output(ZONE_EVENTS, point.track_id.encode(), codec.encode_zone_event(e))
               for e in result.events]
    unchanged = result.outcome in (StepOutcome.DUPLICATE, StepOutcome.LATE)
    return Handled(outputs, outcome=result.outcome.value,
                   state=None if unchanged else dump_track_state(result.state, meta.partition)
                   ), point, result


def dump_track_state(state: TrackState, partition: int | None) -> bytes:
    """The table value of a track's geofence state."""
    data = state.to_dict()
    if partition is not None:
        data["partition"] = partition
    return codec.dump_state(data)


def handle_point(raw: bytes, key: bytes | None, meta: RecordMeta, stored: bytes | None,
                 zones: ZoneSet, max_gap_ms: int, now_ms: int,
                 lost_after: LostAfter = DEFAULT_LOST_AFTER) -> Handled:
    """``tracks.points`` record + the track's geofence state -> ``zones.events`` records."""
    return fence_point(raw, key, meta, stored, zones, max_gap_ms, now_ms, lost_after)[0]


def handle_zone_event(raw: bytes, meta: RecordMeta, identifier: Identifier,
                      now_ms: int) -> Handled:
    """``zones.events`` entry or exit -> one ``alerts.identification`` record."""
    try:
        event = codec.decode_zone_event(raw)
    except DecodeError as exc:
        return dead_letter("identify", meta, raw, exc.reason, exc.detail, now_ms)
    if event.transition not in (Transition.ENTRY, Transition.EXIT):
        # Dwell, lost and regained are not identified (yet): the track was identified at
        # its entry, and a later issue deepens identification.
        return Handled(outcome="not_identified")
    ident = identifier.identify(event)
    return Handled([Output(IDENTIFICATIONS, event.point.track_id.encode(),
                           codec.encode_identification(ident))], outcome=ident.identity.value)
