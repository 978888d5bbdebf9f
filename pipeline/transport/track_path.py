"""The track path: which handler a record of each topic goes through, with which state.

Plain Python, no broker: :meth:`TrackPath.process` takes one consumed record and the
partition's stores and returns the :class:`~pipeline.transport.handlers.Handled` of its
stage; the runtime (``transport/runtime.py``) sends the outputs and persists the stores.

- ``adsb.sbs``, ``adsb.readsb``, ``adsb.opensky``, ``tracks.canonical``: stateless decode to
  ``tracks.updates`` keyed by track id (the re-key that puts a track on one partition).
- ``ais.nmea``: decode with the reassembly state of the record's key (store
  ``ais-fragments``, partitioned like ``ais.nmea``).
- every decoded report is judged by its input partition's event-time clock (store
  ``source-clock-<topic>``, ``eventtime/source_clock.py``): late ones are counted and
  skipped, ones dated impossibly far ahead are dead-lettered ``future_time``; the input
  partition's watermark is sent to every ``tracks.updates`` partition as a *mark* (a record
  without a key) by the runtime.
- ``tracks.updates``: the track stage, keyed by track. A report is *held* (store
  ``held-reports``) until the partition's watermark (store ``event-time``: the marks of
  every input partition, ``eventtime/watermarks.py``) passes it; :meth:`TrackPath.release`
  then steps the due reports in event-time order: merge into the track's memory (store
  ``track-memory``), and when that yields a position, publish the point on
  ``tracks.points`` and step the geofence (``geofence-state``) and the identification
  (``identity-state``) on the same point; then the lost-track timers the watermark reached
  fire. The order a track's reports are stepped in is their event time, whatever order
  the input partitions were consumed in, which makes the outputs the same for the same
  input (``docs/time.md``).

The direct step: when a decoded update's track belongs to a partition of ``tracks.updates``
this worker owns (the runtime's co-partitioned assignment gives a worker partition ``p`` of
every topic), the update is held in that partition's stores at once instead of a round trip
through ``tracks.updates``, and the input partition's mark is applied there by the worker
too (after the held updates, and stored with them). Since a track's reports are stepped in
event-time order, the way an update took never changes what comes out; a single worker
never crosses the hop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import orjson

from pipeline.assemble.merger import TrackMemory, merge
from pipeline.decode.errors import DecodeError
from pipeline.eventtime.limits import TimeLimits
from pipeline.eventtime.pending import Held, HeldReports, encoded, hold, order
from pipeline.eventtime.source_clock import (
    SourceClock,
    Verdict,
    after_record,
    agree,
    confirms,
    describe,
    judge,
    untimed_time,
)
from pipeline.eventtime.watermarks import Mark, Watermarks
from pipeline.geofence.state import TrackState
from pipeline.geofence.timers import LostAfter
from pipeline.geofence.zones import ZoneSet
from pipeline.identify.enrich import IdentifyContext
from pipeline.identify.stage import IdentityState, identify
from pipeline.model.events import ZoneEvent
from pipeline.model.track import AddressType, Source, TrackKind, TrackPoint, TrackUpdate
from pipeline.transport import codec, handlers, inputs
from pipeline.transport.geofence_stage import GeofenceStage
from pipeline.transport.handlers import Handled, Output, RecordMeta
from pipeline.transport.state_store import PartitionStore
from pipeline.transport.topics import (
    ADSB_OPENSKY,
    ADSB_READSB,
    ADSB_SBS,
    AIS_NMEA,
    IDENTIFICATIONS,
    TRACK_POINTS,
    TRACK_UPDATES,
    TRACKS_CANONICAL,
    ZONE_EVENTS,
    TopicSpec,
)

log = logging.getLogger(__name__)

AIS_FRAGMENTS = "ais-fragments"
TRACK_MEMORY = "track-memory"
GEOFENCE_STATE = "geofence-state"
IDENTITY_STATE = "identity-state"
HELD_REPORTS = "held-reports"
EVENT_TIME = "event-time"
SOURCE_CLOCK = "source-clock"
"""Each input topic's store of the same role is ``source-clock-<topic>`` (see
:func:`clock_store`): one changelog per input topic, partitioned like it."""
_WATERMARKS_KEY = b"watermarks"
_CLOCK_KEY = b"clock"
FUTURE_TIME = "future_time"
"""The dead-letter reason of a report dated impossibly far ahead (``source_clock.py``)."""

Stores = Mapping[str, PartitionStore[Any]]
Direct = Callable[[bytes], tuple[int, Stores] | None]
"""Where to hold a decoded update at once, from its track key: the ``tracks.updates``
partition and its stores; None: send the update on ``tracks.updates``."""
StatelessDecoder = Callable[[bytes, RecordMeta, int], Handled]

_DECODERS: dict[TopicSpec, tuple[str, StatelessDecoder]] = {
    ADSB_SBS: ("decode.sbs", handlers.handle_sbs),
    ADSB_READSB: ("decode.readsb", inputs.handle_readsb),
    ADSB_OPENSKY: ("decode.opensky", inputs.handle_opensky),
    TRACKS_CANONICAL: ("decode.canonical", inputs.handle_canonical),
}
INPUTS: tuple[TopicSpec, ...] = (*_DECODERS, AIS_NMEA)
"""The input topics: each partition of each is a source of event time."""


def clock_store(spec: TopicSpec) -> str:
    return f"{SOURCE_CLOCK}-{spec.name}"


def source_name(topic: str, partition: int) -> str:
    """A source's name in the marks: the unprefixed input topic and the partition."""
    return f"{topic}/{partition}"


def _state_codec(to_dict: Callable[[Any], dict[str, object]],
                 from_dict: Callable[[dict[str, object]], Any],
                 ) -> tuple[Callable[[Any], bytes], Callable[[bytes], Any]]:
    return (lambda value: codec.dump_state(to_dict(value)),
            lambda raw: from_dict(codec.load_state(raw)))


_ADDRESS_TYPE = TrackUpdate._fields.index("address_type")


def held_encoding(update: TrackUpdate) -> bytes:
    """A held update's stored form: its fields in order, as a JSON array (a sixth of the
    cost of the wire form; internal to the ``held-reports`` changelog). It also orders two
    reports of one instant (``pending.order``)."""
    return orjson.dumps(tuple(update))


def _from_held_encoding(raw: bytes) -> TrackUpdate:
    values = orjson.loads(raw)
    if not isinstance(values, list) or len(values) != len(TrackUpdate._fields):
        raise ValueError("a held report is an array of the track update's fields")
    values[1], values[2] = TrackKind(values[1]), Source(values[2])
    if values[_ADDRESS_TYPE] is not None:
        values[_ADDRESS_TYPE] = AddressType(values[_ADDRESS_TYPE])
    return TrackUpdate._make(values)


def _dump_held(reports: HeldReports) -> bytes:
    return b"[" + b",".join(raw for _, raw, _ in encoded(reports, held_encoding)) + b"]"


def _load_held(raw: bytes) -> HeldReports:
    items = orjson.loads(raw)
    if not isinstance(items, list):
        raise ValueError("held reports are a JSON array")
    held: list[tuple[int, bytes, TrackUpdate]] = []
    for item in items:
        one = orjson.dumps(item)
        update = _from_held_encoding(one)
        held.append((update.ts_ms, one, update))
    held.sort(key=order)
    return tuple(held)


_CODECS: dict[str, tuple[Callable[[Any], bytes], Callable[[bytes], Any]]] = {
    AIS_FRAGMENTS: (bytes, bytes),
    TRACK_MEMORY: (lambda memory: codec.dump_stored(memory.to_stored()),
                   lambda raw: TrackMemory.from_stored(codec.load_stored(raw))),
    GEOFENCE_STATE: _state_codec(TrackState.to_dict, TrackState.from_dict),
    IDENTITY_STATE: _state_codec(IdentityState.to_dict, IdentityState.from_dict),
    HELD_REPORTS: (_dump_held, _load_held),
    EVENT_TIME: _state_codec(Watermarks.to_dict, Watermarks.from_dict),
    **{clock_store(spec): (lambda clock: codec.dump_stored(clock.to_list()),
                           lambda raw: SourceClock.from_list(codec.load_stored(raw)))
       for spec in INPUTS},
}

STORES: dict[TopicSpec, tuple[str, ...]] = {
    **{spec: (clock_store(spec),) for spec in _DECODERS},
    AIS_NMEA: (AIS_FRAGMENTS, clock_store(AIS_NMEA)),
    TRACK_UPDATES: (TRACK_MEMORY, GEOFENCE_STATE, IDENTITY_STATE, HELD_REPORTS, EVENT_TIME),
}
"""The stores of each consumed topic, partitioned like it."""

TOPICS: tuple[TopicSpec, ...] = (*INPUTS, TRACK_UPDATES)
"""Every topic the track path consumes."""


def new_stores(spec: TopicSpec, partition: int) -> dict[str, PartitionStore[Any]]:
    """Empty stores for one partition of ``spec``."""
    return {name: PartitionStore(name, partition, *_CODECS[name])
            for name in STORES.get(spec, ())}


def encode_mark(source: str, mark: Mark) -> bytes:
    """A source's mark as a ``tracks.updates`` record value (the record has no key)."""
    return orjson.dumps({"mark": {"source": source, "wm_ms": mark.wm_ms, "idle": mark.idle}})


def decode_mark(raw: bytes) -> tuple[str, Mark]:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"a mark is JSON: {exc}") from exc
    body = data.get("mark") if isinstance(data, dict) else None
    if not isinstance(body, dict):
        raise ValueError("a keyless tracks.updates record is a mark: {\"mark\": {...}}")
    source, wm, idle = body.get("source"), body.get("wm_ms"), body.get("idle")
    if (not isinstance(source, str) or not (wm is None or type(wm) is int)
            or not isinstance(idle, bool)):
        raise ValueError(f"bad mark {body!r}")
    return source, Mark(wm, idle)


def watermarks_of(stores: Stores) -> Watermarks:
    """The partition's watermarks, read only (see :meth:`Watermarks.copy`)."""
    marks: Watermarks | None = stores[EVENT_TIME].get(_WATERMARKS_KEY)
    return marks if marks is not None else _NO_MARKS


_NO_MARKS = Watermarks()
_HELD = Handled(outcome="held")
"""The answer for every held update (one per update: shared, never changed)."""


def source_clock(stores: Stores, spec: TopicSpec) -> SourceClock:
    clock: SourceClock | None = stores[clock_store(spec)].get(_CLOCK_KEY)
    return clock if clock is not None else SourceClock()


class Processed(NamedTuple):
    stage: str
    handled: Handled
    steps: tuple[Handled, ...] = ()
    """The decoded updates held at once (stage ``track``)."""


class TrackPath:
    """Routes records to their stage; one instance per worker."""

    def __init__(self, zones: Callable[[], ZoneSet], ctx: IdentifyContext, max_gap_ms: int,
                 lost_after: LostAfter, limits: TimeLimits | None = None) -> None:
        self._zones = zones
        self._ctx = ctx
        self.limits = limits or TimeLimits()
        self.fence = GeofenceStage(zones, max_gap_ms, lost_after)
        self._held: dict[int, Held] = {}

    def forget(self, partition: int) -> None:
        """A ``tracks.updates`` partition left this worker: drop its derived indexes."""
        self.fence.forget(partition)
        self._held.pop(partition, None)

    def process(self, spec: TopicSpec, key: bytes | None, raw: bytes, meta: RecordMeta,
                stores: Stores, now_ms: int, direct: Direct | None = None) -> Processed:
        """One record through its stage; nothing escapes (see :func:`handlers.guarded`).

        ``direct`` says which decoded updates are held here at once (module docstring);
        without it every update goes on ``tracks.updates``.
        """
        decoder = _DECODERS.get(spec)
        if decoder is not None:
            stage, decode = decoder
            handled = handlers.guarded(stage, meta, raw, now_ms,
                                       lambda: decode(raw, meta, now_ms))
        elif spec is AIS_NMEA:
            stage = "decode.ais"
            handled = handlers.guarded(
                stage, meta, raw, now_ms,
                lambda: self._ais(key or b"", raw, meta, stores[AIS_FRAGMENTS], now_ms))
        elif spec is TRACK_UPDATES:
            return Processed("track", handlers.guarded(
                "track", meta, raw, now_ms, lambda: self._track(key, raw, meta, stores, now_ms)))
        else:
            raise ValueError(f"the track path does not consume {spec.name}")
        if not handled.updates:
            return Processed(stage, handled)
        self._judge(spec, stage, handled, raw, meta, stores, now_ms)
        if not handled.updates:
            return Processed(stage, handled)
        return Processed(stage, handled, self._route(handled, meta, direct, now_ms))

    def _judge(self, spec: TopicSpec, stage: str, handled: Handled, raw: bytes,
               meta: RecordMeta, stores: Stores, now_ms: int) -> None:
        """Judge each update by its input partition's clock (``source_clock.py``); keep the
        accepted ones, with the held ones before them when the record confirms their jump."""
        store = stores.get(clock_store(spec))
        if store is None:  # offline decoding without event-time state
            return
        clock = source_clock(stores, spec)
        limits, record_ts = self.limits, meta.timestamp_ms
        wm = clock.wm_ms
        if wm is not None and not clock.held:
            # The common case: every report within the limits, nothing held, no jump.
            low, high = wm - limits.allowed_lateness_ms, wm + limits.max_ahead_ms
            if record_ts > 0 and record_ts + limits.max_future_ms < high:
                high = record_ts + limits.max_future_ms
            newest = wm
            for update in handled.updates:
                ts = update.ts_ms
                if not low <= ts <= high:
                    break
                if ts > newest:
                    newest = ts
            else:
                if newest != wm:
                    store[_CLOCK_KEY] = SourceClock(newest)
                return
        kept: list[TrackUpdate] = []
        ahead: list[TrackUpdate] = []
        reasons: list[str] = []
        confirmed = False
        for update in handled.updates:
            ts = untimed_time(clock, update.ts_ms, record_ts, limits)
            if ts != update.ts_ms:
                update = update._replace(ts_ms=ts)
            verdict = judge(clock, ts, record_ts, limits)
            if verdict is Verdict.ACCEPT:
                kept.append(update)
                confirmed = confirmed or confirms(clock, ts, limits)
            elif verdict is Verdict.LATE:
                handled.late += 1
            elif verdict is Verdict.AHEAD:
                ahead.append(update)
            else:
                why = describe(verdict, clock, ts, record_ts, limits)
                handled.outputs.extend(handlers.dead_letter(
                    stage, meta, raw, FUTURE_TIME, f"{update.track_id}: {why}", now_ms).outputs)
                reasons.append(FUTURE_TIME)
        if ahead and agree([u.ts_ms for u in ahead], limits):
            kept.extend(ahead)  # they confirm each other
            confirmed, ahead = True, []
        if clock.held and (kept or ahead):
            if confirmed:
                kept[:0] = [codec.decode_update(held) for _, held in clock.held]
            else:
                for offset, held in clock.held:
                    detail = describe(Verdict.AHEAD, clock, codec.decode_update(held).ts_ms,
                                      record_ts, limits)
                    handled.outputs.extend(handlers.dead_letter(
                        stage, meta._replace(offset=offset), held, FUTURE_TIME, detail,
                        now_ms).outputs)
                    reasons.append(FUTURE_TIME)
        handled.updates = kept
        if reasons:
            handled.part_reasons = [*handled.part_reasons, *reasons]
        after = after_record(clock, [u.ts_ms for u in kept], tuple(
            (u.ts_ms, meta.offset or 0, codec.encode_update(u)) for u in ahead))
        if after != clock:
            store[_CLOCK_KEY] = after

    def settle(self, spec: TopicSpec, partition: int, stores: Stores, now_ms: int,
               direct: Direct | None = None) -> Processed | None:
        """An input partition went idle: the first reports it holds (no watermark yet, so
        nothing contradicts them) are accepted and go on; None if there are none."""
        store = stores.get(clock_store(spec))
        if store is None:
            return None
        clock = source_clock(stores, spec)
        if clock.wm_ms is not None or not clock.held:
            return None
        updates = [codec.decode_update(held) for _, held in clock.held]
        store[_CLOCK_KEY] = after_record(SourceClock(), [u.ts_ms for u in updates], ())
        handled = Handled(outcome="settled", updates=updates)
        meta = RecordMeta(spec.name, partition, clock.held[0][0], 0)
        return Processed("eventtime", handled, self._route(handled, meta, direct, now_ms))

    def _route(self, handled: Handled, meta: RecordMeta, direct: Direct | None,
               now_ms: int) -> tuple[Handled, ...]:
        """Each decoded update: held here at once, or its record on ``tracks.updates``."""
        steps: list[Handled] = []
        for update in handled.updates:
            own = update.track_id.encode()
            here = None if direct is None else direct(own)
            if here is None:
                handled.outputs.append(handlers.update_output(update))
                continue
            partition, stores = here
            try:
                steps.append(self._hold(update, own, partition, stores))
            except Exception as exc:  # as handlers.guarded, with the update as the payload
                log.exception("stage failed stage=track topic=%s partition=%s offset=%s",
                              meta.topic, meta.partition, meta.offset)
                steps.append(handlers.dead_letter(
                    "track", meta, handlers.update_output(update).value, "internal_error",
                    f"{type(exc).__name__}: {exc}", now_ms))
        handled.updates = ()
        return tuple(steps)

    @staticmethod
    def _ais(key: bytes, raw: bytes, meta: RecordMeta, store: PartitionStore[bytes],
             now_ms: int) -> Handled:
        handled = inputs.handle_ais(raw, meta, store.get(key), now_ms)
        if handled.state is not None:
            store[key] = handled.state
        elif handled.drop_state:
            del store[key]
        return handled

    def _track(self, key: bytes | None, raw: bytes, meta: RecordMeta, stores: Stores,
               now_ms: int) -> Handled:
        if key is None:
            try:
                source, mark = decode_mark(raw)
            except ValueError as exc:
                return handlers.dead_letter("track", meta, raw, "bad_field", str(exc), now_ms)
            self.apply_mark(stores, source, mark)
            return Handled(outcome="mark")
        try:
            update = codec.decode_update(raw)
            handlers.check_key(key, update.track_id)
        except DecodeError as exc:
            return handlers.dead_letter("track", meta, raw, exc.reason, exc.detail, now_ms)
        return self._hold(update, key, meta.partition or 0, stores)

    @staticmethod
    def apply_mark(stores: Stores, source: str, mark: Mark) -> None:
        """Take an input partition's mark into a ``tracks.updates`` partition's watermarks:
        from the topic, or (for the input partition whose updates this one holds directly)
        from the worker itself, so that it is stored with those held reports."""
        marks = watermarks_of(stores).copy()
        if marks.update(source, mark):
            stores[EVENT_TIME][_WATERMARKS_KEY] = marks

    def _hold(self, update: TrackUpdate, own: bytes, partition: int,
              stores: Stores) -> Handled:
        """Hold one update of a track of ``partition`` until the watermark passes it."""
        marks = watermarks_of(stores)
        if marks.released_ms is not None and update.ts_ms < marks.released_ms:
            # Only after an input partition was idle (or a replayed duplicate): its track
            # has been stepped past this time already.
            return Handled(outcome="late")
        table = stores[HELD_REPORTS]
        held = table.get(own)
        table[own] = hold(held, None, update, held_encoding)
        self._index(partition, stores).note(own, update.ts_ms)
        return _HELD

    def _index(self, partition: int, stores: Stores) -> Held:
        index = self._held.get(partition)
        if index is None:
            index = self._held[partition] = Held.rebuild(stores[HELD_REPORTS])
        return index

    def held(self, partition: int, stores: Stores) -> int:
        """How many tracks of ``partition`` have held reports."""
        return len(self._index(partition, stores))

    def release(self, partition: int, stores: Stores, sources: Sequence[str],
                now_ms: int) -> list[Handled]:
        """Step the reports of ``partition`` the watermark has passed, in event-time order,
        then fire the lost timers it reached.

        ``sources`` names every input partition (:func:`source_name`) whose mark the
        watermark waits for.
        """
        marks = watermarks_of(stores).copy()
        before = (marks.released_ms, marks.timers_ms, marks.all_idle_since_ms)
        released, timers = marks.advance(sources, self.limits.allowed_lateness_ms, now_ms)
        if (released, timers, marks.all_idle_since_ms) != before:
            stores[EVENT_TIME][_WATERMARKS_KEY] = marks
        done: list[Handled] = []
        if released is not None:
            for own, update in self._index(partition, stores).due(
                    stores[HELD_REPORTS], released - 1):
                done.append(self._guarded_step(update, own, partition, stores, timers, now_ms))
        if timers is not None and (before[1] != timers or done):
            try:
                lost = self.fence.fire(partition, stores[GEOFENCE_STATE], timers)
                if lost:
                    done.append(self._publish_lost(lost, stores))
            except Exception:  # as handlers.guarded; no record to dead-letter: logged
                log.exception("lost timers failed partition=%s watermark=%s", partition, timers)
                done.append(Handled(outcome="internal_error"))
        return done

    def _guarded_step(self, update: TrackUpdate, own: bytes, partition: int, stores: Stores,
                      timers_ms: int | None, now_ms: int) -> Handled:
        try:
            return self._step(update, own, partition, stores, timers_ms)
        except Exception as exc:  # as handlers.guarded, with the update as the payload
            log.exception("stage failed stage=track partition=%s track=%s", partition,
                          update.track_id)
            meta = RecordMeta(TRACK_UPDATES.name, partition, None, update.ts_ms)
            return handlers.dead_letter("track", meta, handlers.update_output(update).value,
                                        "internal_error", f"{type(exc).__name__}: {exc}",
                                        now_ms)

    def _step(self, update: TrackUpdate, own: bytes, partition: int, stores: Stores,
              timers_ms: int | None) -> Handled:
        """Merge, geofence and identify one update of a track of ``partition``."""
        memory = stores[TRACK_MEMORY]
        merged, point = merge(memory.get(own), update)
        memory[own] = merged
        if point is None:
            return Handled(outcome="merged")
        outputs = [Output(TRACK_POINTS, own, codec.encode_point(point))]
        fenced = self.fence.handle(point, partition, stores[GEOFENCE_STATE], timers_ms)
        if fenced.events:  # most points make none
            outputs.extend(Output(ZONE_EVENTS, event.point.track_id.encode(),
                                  codec.encode_zone_event(event)) for event in fenced.events)
        found = identify(fenced.events, point, fenced.moved, stores[IDENTITY_STATE], self._ctx,
                         self._zones())
        if found:
            outputs.extend(Output(IDENTIFICATIONS, track, codec.encode_identification(ident))
                           for track, ident in found)
        return Handled(outputs, outcome=fenced.outcome.value)

    def _publish_lost(self, lost: list[ZoneEvent], stores: Stores) -> Handled:
        """The ``track.lost`` events the timers fired, and what identify makes of them."""
        outputs = [Output(ZONE_EVENTS, event.point.track_id.encode(),
                          codec.encode_zone_event(event)) for event in lost]
        found = identify_lost(lost, stores[IDENTITY_STATE], self._ctx, self._zones())
        outputs.extend(Output(IDENTIFICATIONS, track, codec.encode_identification(ident))
                       for track, ident in found)
        return Handled(outputs, outcome="lost")


def identify_lost(events: list[ZoneEvent], table: Any, ctx: IdentifyContext,
                  zones: ZoneSet) -> list[tuple[bytes, Any]]:
    """identify() for timer-fired events: no point of the partition moved."""
    first: TrackPoint = events[0].point
    return identify(events, first, False, table, ctx, zones)
