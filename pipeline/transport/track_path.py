"""The track path: which handler a record of each topic goes through, with which state.

Plain Python, no broker: :meth:`TrackPath.process` takes one consumed record and the
partition's stores and returns the :class:`~pipeline.transport.handlers.Handled` of its
stage; the runtime (``transport/runtime.py``) sends the outputs and persists the stores.

- ``adsb.sbs``, ``adsb.readsb``, ``adsb.opensky``, ``tracks.canonical``: stateless decode to
  ``tracks.updates`` keyed by track id (the re-key that puts a track on one partition).
- ``ais.nmea``: decode with the reassembly state of the record's key (store
  ``ais-fragments``, partitioned like ``ais.nmea``).
- ``tracks.updates``: the track stage, keyed by track: merge into the track's memory
  (store ``track-memory``), and when that yields a position, publish the point on
  ``tracks.points`` and step the geofence (``geofence-state``, plus the partition's
  lost-track clock) and the identification (``identity-state``) on the same point, in the
  same order for every track. One hop instead of three keeps a track's path through the
  stages in one place and saves two consume/produce round trips per point.

The direct step: when a decoded update's track belongs to the partition of ``tracks.updates``
with the same number as the input record's partition, and this worker owns that partition
(the runtime's co-partitioned assignment gives a worker partition ``p`` of every topic), the
track step runs at once on that partition's stores instead of a round trip through
``tracks.updates``. Inputs keyed by track id (canonical points usually are) then never
cross the hop. Which way an update goes depends only on its input partition and its track,
never on timing, so a track's updates from one input partition stay in order either way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from pipeline.assemble.merger import TrackMemory, merge
from pipeline.decode.errors import DecodeError
from pipeline.geofence.state import TrackState
from pipeline.geofence.timers import LostAfter
from pipeline.geofence.zones import ZoneSet
from pipeline.identify.enrich import IdentifyContext
from pipeline.identify.stage import IdentityState, identify
from pipeline.model.track import TrackUpdate
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

Stores = Mapping[str, PartitionStore[Any]]
Direct = Callable[[bytes], tuple[int, Stores] | None]
"""Where to run a decoded update's track step at once, from its track key: the
``tracks.updates`` partition and its stores; None: send the update on ``tracks.updates``."""
StatelessDecoder = Callable[[bytes, RecordMeta, int], Handled]

_DECODERS: dict[TopicSpec, tuple[str, StatelessDecoder]] = {
    ADSB_SBS: ("decode.sbs", handlers.handle_sbs),
    ADSB_READSB: ("decode.readsb", inputs.handle_readsb),
    ADSB_OPENSKY: ("decode.opensky", inputs.handle_opensky),
    TRACKS_CANONICAL: ("decode.canonical", inputs.handle_canonical),
}


def _state_codec(to_dict: Callable[[Any], dict[str, object]],
                 from_dict: Callable[[dict[str, object]], Any],
                 ) -> tuple[Callable[[Any], bytes], Callable[[bytes], Any]]:
    return (lambda value: codec.dump_state(to_dict(value)),
            lambda raw: from_dict(codec.load_state(raw)))


_CODECS: dict[str, tuple[Callable[[Any], bytes], Callable[[bytes], Any]]] = {
    AIS_FRAGMENTS: (bytes, bytes),
    TRACK_MEMORY: (lambda memory: codec.dump_stored(memory.to_stored()),
                   lambda raw: TrackMemory.from_stored(codec.load_stored(raw))),
    GEOFENCE_STATE: _state_codec(TrackState.to_dict, TrackState.from_dict),
    IDENTITY_STATE: _state_codec(IdentityState.to_dict, IdentityState.from_dict),
}

STORES: dict[TopicSpec, tuple[str, ...]] = {
    AIS_NMEA: (AIS_FRAGMENTS,),
    TRACK_UPDATES: (TRACK_MEMORY, GEOFENCE_STATE, IDENTITY_STATE),
}
"""The stores of each consumed topic, partitioned like it."""

TOPICS: tuple[TopicSpec, ...] = (*_DECODERS, AIS_NMEA, TRACK_UPDATES)
"""Every topic the track path consumes."""


def new_stores(spec: TopicSpec, partition: int) -> dict[str, PartitionStore[Any]]:
    """Empty stores for one partition of ``spec`` (none for the stateless topics)."""
    return {name: PartitionStore(name, partition, *_CODECS[name])
            for name in STORES.get(spec, ())}


class Processed(NamedTuple):
    stage: str
    handled: Handled
    steps: tuple[Handled, ...] = ()
    """The track steps run at once on the record's decoded updates (stage ``track``)."""


class TrackPath:
    """Routes records to their stage; one instance per worker."""

    def __init__(self, zones: Callable[[], ZoneSet], ctx: IdentifyContext, max_gap_ms: int,
                 lost_after: LostAfter) -> None:
        self._zones = zones
        self._ctx = ctx
        self.fence = GeofenceStage(zones, max_gap_ms, lost_after)

    def forget(self, partition: int) -> None:
        """A ``tracks.updates`` partition left this worker: drop its lost-track clock."""
        self.fence.forget(partition)

    def process(self, spec: TopicSpec, key: bytes | None, raw: bytes, meta: RecordMeta,
                stores: Stores, now_ms: int, direct: Direct | None = None) -> Processed:
        """One record through its stage; nothing escapes (see :func:`handlers.guarded`).

        ``direct`` says which decoded updates take the direct step (module docstring);
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
        return Processed(stage, handled, self._route(handled, meta, direct, now_ms))

    def _route(self, handled: Handled, meta: RecordMeta, direct: Direct | None,
               now_ms: int) -> tuple[Handled, ...]:
        """Each decoded update: its track step here, or its record on ``tracks.updates``."""
        steps: list[Handled] = []
        for update in handled.updates:
            own = update.track_id.encode()
            here = None if direct is None else direct(own)
            if here is None:
                handled.outputs.append(handlers.update_output(update))
                continue
            partition, stores = here
            try:
                # Stamped now, as the hop would stamp the re-keyed record.
                steps.append(self._step(update, own, partition, now_ms, stores, now_ms))
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
        try:
            update = codec.decode_update(raw)
            handlers.check_key(key, update.track_id)
        except DecodeError as exc:
            return handlers.dead_letter("track", meta, raw, exc.reason, exc.detail, now_ms)
        return self._step(update, update.track_id.encode(), meta.partition or 0,
                          meta.timestamp_ms, stores, now_ms)

    def _step(self, update: TrackUpdate, own: bytes, partition: int, record_ts_ms: int,
              stores: Stores, now_ms: int) -> Handled:
        """Merge, geofence and identify one update of a track of ``partition``."""
        memory = stores[TRACK_MEMORY]
        merged, point = merge(memory.get(own), update)
        memory[own] = merged
        if point is None:
            return Handled(outcome="merged")
        outputs = [Output(TRACK_POINTS, own, codec.encode_point(point))]
        fenced = self.fence.handle(point, partition, record_ts_ms, stores[GEOFENCE_STATE],
                                   now_ms)
        if fenced.events:  # most points make none
            outputs.extend(Output(ZONE_EVENTS, event.point.track_id.encode(),
                                  codec.encode_zone_event(event)) for event in fenced.events)
        found = identify(fenced.events, point, fenced.moved, stores[IDENTITY_STATE], self._ctx,
                         self._zones())
        if found:
            outputs.extend(Output(IDENTIFICATIONS, track, codec.encode_identification(ident))
                           for track, ident in found)
        return Handled(outputs, outcome=fenced.outcome.value)
