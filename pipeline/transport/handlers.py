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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from pipeline.assemble.merger import TrackMemory, merge
from pipeline.decode.errors import BadKeyError, DecodeError
from pipeline.decode.sbs import decode_sbs
from pipeline.identify.enrich import IdentifyContext
from pipeline.model.deadletter import DeadLetter
from pipeline.model.track import TrackUpdate
from pipeline.transport import codec
from pipeline.transport.config_codec import decode_flightplan, decode_watch_entry
from pipeline.transport.topics import (
    DEADLETTER,
    TRACK_POINTS,
    TRACK_UPDATES,
    WATCHLISTS,
    TopicSpec,
)

log = logging.getLogger(__name__)


class RecordMeta(NamedTuple):
    """Where a record came from.

    Named tuples here and for :class:`Output`: immutable like frozen dataclasses, and one
    of each is built per record or output, where a frozen dataclass costs a
    ``object.__setattr__`` per field.
    """

    topic: str
    partition: int | None
    offset: int | None
    timestamp_ms: int


class Output(NamedTuple):
    topic: TopicSpec
    key: bytes | None
    value: bytes


@dataclass(slots=True)
class Handled:
    """What a handler produced: records to send, new table state(s), and an outcome label.

    A decode handler returns its track updates as objects in ``updates``, not yet encoded:
    the track path either runs their track step at once (the track's partition is this
    record's partition and is owned here) or sends them on ``tracks.updates``
    (:func:`update_outputs`).

    ``outcome`` is the record's one outcome (``accepted``, ``no_track_data``, ``deadletter``
    for the decode stages). ``part_reasons`` lists the reasons of the dead letters written
    for *parts* of an accepted record (one aircraft of a snapshot, one NMEA sentence, an
    AIS fragment group that never completed), so received = accepted + dead-lettered holds
    per record while every rejected part is still counted by reason. ``state`` is the new
    table value (None: unchanged); ``drop_state`` asks for the table entry to be deleted.
    """

    outputs: list[Output] = field(default_factory=list)
    outcome: str = "accepted"
    updates: Sequence[TrackUpdate] = ()  # immutable defaults: one Handled per record and step
    state: bytes | None = None
    reason: str | None = None  # dead-letter reason, when the outcome is "deadletter"
    part_reasons: Sequence[str] = ()
    static_updates: int = 0  # updates without a position (identity, AIS static data)
    messages: int = 0  # complete messages or items decoded (AIS messages, aircraft, states)
    drop_state: bool = False
    late: int = 0  # decoded updates skipped as late by their input partition's clock


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
        return Handled(outcome="no_track_data", messages=1)
    return Handled(updates=[update], static_updates=0 if update.has_position else 1, messages=1)


def update_output(update: TrackUpdate) -> Output:
    """A decoded update as its ``tracks.updates`` record, keyed by its track id."""
    return Output(TRACK_UPDATES, update.track_id.encode(), codec.encode_update(update))


def update_outputs(handled: Handled) -> list[Output]:
    """Every update of a decode handler's result as its ``tracks.updates`` record."""
    return [update_output(update) for update in handled.updates]


def check_key(key: bytes | None, track_id: str) -> None:
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
        check_key(key, update.track_id)
    except DecodeError as exc:
        return dead_letter("merge", meta, raw, exc.reason, exc.detail, now_ms)
    memory = None if stored is None else TrackMemory.from_dict(codec.load_state(stored))
    memory, point = merge(memory, update)
    state = codec.dump_state(memory.to_dict())
    if point is None:
        return Handled(outcome="merged", state=state)
    return Handled([Output(TRACK_POINTS, point.track_id.encode(), codec.encode_point(point))],
                   outcome="point", state=state)


def handle_config(spec: TopicSpec, key: bytes | None, value: bytes | None, meta: RecordMeta,
                  ctx: IdentifyContext, now_ms: int) -> Handled:
    """Apply one ``watchlists`` or ``flightplans`` record (null value = delete) to ``ctx``."""
    name = "" if key is None else key.decode("utf-8", "replace")
    try:
        if spec is WATCHLISTS:
            if value is None:
                ctx.watchlist.delete(name)
                log.info("watch-list entry deleted key=%s", name)
                return Handled(outcome="deleted")
            entry = decode_watch_entry(key, value, f"{meta.topic}@{meta.offset}")
            ctx.watchlist.put(entry)
            log.info("watch-list entry set key=%s category=%s", entry.key, entry.category)
            return Handled(outcome="applied")
        if value is None:
            ctx.plans.delete(name)
            log.info("flight plan withdrawn plan_id=%s", name)
            return Handled(outcome="deleted")
        plan = decode_flightplan(value)
        if key is not None and name != plan.plan_id:
            raise ValueError(f"key {name!r} is not the plan id {plan.plan_id!r}")
        ctx.plans.put(plan)
        log.info("flight plan set plan_id=%s callsign=%s", plan.plan_id, plan.callsign)
        return Handled(outcome="applied")
    except ValueError as exc:
        return dead_letter("config", meta, value or b"", "bad_config", str(exc), now_ms)
