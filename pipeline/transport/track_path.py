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

from pipeline.geofence.timers import LostAfter
from pipeline.geofence.zones import ZoneSet
from pipeline.identify.enrich import IdentifyContext
from pipeline.transport import handlers, inputs
from pipeline.transport.geofence_stage import GeofenceStage
from pipeline.transport.handlers import Handled, RecordMeta
from pipeline.transport.state_store import PartitionStore
from pipeline.transport.topics import (
    ADSB_OPENSKY,
    ADSB_READSB,
    ADSB_SBS,
    AIS_NMEA,
    TRACK_POINTS,
    TRACK_UPDATES,
    TRACKS_CANONICAL,
    TopicSpec,
)

AIS_FRAGMENTS = "ais-fragments"
TRACK_MEMORY = "track-memory"
GEOFENCE_STATE = "geofence-state"
IDENTITY_STATE = "identity-state"

Stores = Mapping[str, PartitionStore]
StatelessDecoder = Callable[[bytes, RecordMeta, int], Handled]

_DECODERS: dict[TopicSpec, tuple[str, StatelessDecoder]] = {
    ADSB_SBS: ("decode.sbs", handlers.handle_sbs),
    ADSB_READSB: ("decode.readsb", inputs.handle_readsb),
    ADSB_OPENSKY: ("decode.opensky", inputs.handle_opensky),
    TRACKS_CANONICAL: ("decode.canonical", inputs.handle_canonical),
}

STORES: dict[TopicSpec, tuple[str, ...]] = {
    AIS_NMEA: (AIS_FRAGMENTS,),
    TRACK_UPDATES: (TRACK_MEMORY, GEOFENCE_STATE, IDENTITY_STATE),
}
"""The stores of each consumed topic, partitioned like it."""

TOPICS: tuple[TopicSpec, ...] = (*_DECODERS, AIS_NMEA, TRACK_UPDATES)
"""Every topic the track path consumes."""


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
    def _ais(key: bytes, raw: bytes, meta: RecordMeta, store: PartitionStore,
             now_ms: int) -> Handled:
        handled = inputs.handle_ais(raw, meta, store.get(key), now_ms)
        if handled.state is not None:
            store[key] = handled.state
        elif handled.drop_state:
            del store[key]
        return handled

    def _track(self, key: bytes | None, raw: bytes, meta: RecordMeta, stores: Stores,
               now_ms: int) -> Handled:
        memory = stores[TRACK_MEMORY]
        merged = handlers.handle_update(raw, key, meta, memory.get(key or b""), now_ms)
        if merged.state is not None and key is not None:
            memory[key] = merged.state
        point = next((out for out in merged.outputs if out.topic is TRACK_POINTS), None)
        if point is None:
            return merged
        fenced = self.fence.handle(point.value, point.key, meta, stores[GEOFENCE_STATE], now_ms)
        handlers.identify_fenced(fenced, point.value, stores[IDENTITY_STATE], self._ctx,
                                 self._zones())
        merged.outputs.extend(fenced.outputs)
        merged.outcome = fenced.outcome  # the step's outcome: moved, duplicate, late, ...
        merged.reason = fenced.reason
        return merged
