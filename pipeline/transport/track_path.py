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
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.assemble.merger import TrackMemory, merge
from pipeline.decode.errors import DecodeError
from pipeline.geofence.state import TrackState
from pipeline.geofence.timers import LostAfter
from pipeline.geofence.zones import ZoneSet
from pipeline.identify.enrich import IdentifyContext
from pipeline.identify.stage import IdentityState, identify
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

AIS_FRAGMENTS = "ais-fragments"
TRACK_MEMORY = "track-memory"
GEOFENCE_STATE = "geofence-state"
IDENTITY_STATE = "identity-state"

Stores = Mapping[str, PartitionStore[Any]]
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
    TRACK_MEMORY: _state_codec(TrackMemory.to_dict, TrackMemory.from_dict),
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


@dataclass(frozen=True, slots=True)
class Processed:
    stage: str
    handled: Handled


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
                stores: Stores, now_ms: int) -> Processed:
        """One record through its stage; nothing escapes (see :func:`handlers.guarded`)."""
        decoder = _DECODERS.get(spec)
        if decoder is not None:
            stage, decode = decoder
            return Processed(stage, handlers.guarded(stage, meta, raw, now_ms,
                                                     lambda: decode(raw, meta, now_ms)))
        if spec is AIS_NMEA:
            return Processed("decode.ais", handlers.guarded(
                "decode.ais", meta, raw, now_ms,
                lambda: self._ais(key or b"", raw, meta, stores[AIS_FRAGMENTS], now_ms)))
        if spec is TRACK_UPDATES:
            return Processed("track", handlers.guarded(
                "track", meta, raw, now_ms, lambda: self._track(key, raw, meta, stores, now_ms)))
        raise ValueError(f"the track path does not consume {spec.name}")

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
        own = update.track_id.encode()
        memory = stores[TRACK_MEMORY]
        merged, point = merge(memory.get(own), update)
        memory[own] = merged
        if point is None:
            return Handled(outcome="merged")
        outputs = [Output(TRACK_POINTS, own, codec.encode_point(point))]
        fenced = self.fence.handle(point, meta.partition or 0, meta.timestamp_ms,
                                   stores[GEOFENCE_STATE], now_ms)
        outputs.extend(Output(ZONE_EVENTS, event.point.track_id.encode(),
                              codec.encode_zone_event(event)) for event in fenced.events)
        found = identify(fenced.events, point, fenced.moved, stores[IDENTITY_STATE], self._ctx,
                         self._zones())
        outputs.extend(Output(IDENTIFICATIONS, track, codec.encode_identification(ident))
                       for track, ident in found)
        return Handled(outputs, outcome=fenced.outcome.value)
