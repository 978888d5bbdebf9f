"""The faust application: topics, tables and agents wired to the record handlers.

``create_app`` is the only place faust appears. Each agent takes one record, calls one
handler from ``transport/handlers.py`` (through :func:`guarded`, so nothing escapes an
agent: faust acks an event whose agent raised, which would lose it silently), writes the
returned table state and sends the returned records. Stage state lives in changelog-backed
tables keyed by track id, co-partitioned with the topics that feed them, so a restarted or
rebalanced worker continues where the last one stopped.

One decode agent per input topic. AIS reassembly state (fragments waiting for the rest of
their message, a pending ``$PGHP`` time) lives in the ``ais-fragments`` table keyed by the
``ais.nmea`` record key, co-partitioned with the topic: the fragments of one receiver meet
on one partition, and a restarted worker recovers its pending fragments from the changelog.
Records without a key share one stream (key ``b""``), but land on any partition, so their
multi-sentence messages reassemble only when all fragments travel in one record.

Zones: every worker applies ``zones.config`` itself, from a reader outside the consumer group
(``transport/zone_feed.py``, started as an app task); the geofence agent waits until that
reader has caught up before its first point. The ``zones.config`` agent, in the group, only
writes the change log and the dead letters (``transport/zone_handlers.py``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, cast

import faust

from pipeline.geofence.timers import LostAfter
from pipeline.identify.enrich import IdentifyContext
from pipeline.metrics import Metrics
from pipeline.settings import Settings
from pipeline.transport import handlers, inputs
from pipeline.transport.config_follower import follow
from pipeline.transport.geofence_stage import GeofenceStage
from pipeline.transport.handlers import Handled, RecordMeta
from pipeline.transport.topics import (
    ADSB_OPENSKY,
    ADSB_READSB,
    ADSB_SBS,
    AIS_NMEA,
    CATALOGUE,
    FLIGHTPLANS,
    TRACK_POINTS,
    TRACK_UPDATES,
    TRACKS_CANONICAL,
    WATCHLISTS,
    ZONES_CONFIG,
    TopicSpec,
    topic_name,
)
from pipeline.transport.zone_feed import LiveZones, follow_zones
from pipeline.transport.zone_handlers import handle_zone_config


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _meta(event: Any) -> RecordMeta:
    message = event.message
    return RecordMeta(topic=message.topic, partition=message.partition,
                      offset=message.offset, timestamp_ms=round(message.timestamp * 1000))


def broker_urls(bootstrap_servers: str) -> list[str]:
    return [f"kafka://{server}" for server in bootstrap_servers.split(",")]


def create_app(settings: Settings, zones: LiveZones, ctx: IdentifyContext, metrics: Metrics,
               extra_settings: Mapping[str, Any] | None = None) -> faust.App:
    """Build the worker's faust app.

    Args:
        settings: the deployment's settings.
        zones: the worker's live zone set (files, then ``zones.config``).
        ctx: the identification tables, rules, watch-list and flight plans.
        metrics: where the agents count what they did.
        extra_settings: faust settings added by the transport (e.g. for the embedded broker).
    """
    app = faust.App(
        settings.group_id,
        broker=broker_urls(settings.bootstrap_servers),
        store="memory://",
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        consumer_auto_offset_reset="earliest",
        key_serializer="raw",
        value_serializer="raw",
        web_enabled=False,
        datadir=str(settings.data_dir / settings.group_id),
        **(extra_settings or {}),
    )

    def topic(spec: TopicSpec) -> Any:
        return app.topic(topic_name(spec, settings.topic_prefix), key_type=bytes,
                         value_type=bytes, partitions=settings.partitions)

    topics = {spec: topic(spec) for spec in CATALOGUE if spec not in (WATCHLISTS, FLIGHTPLANS)}
    memory_table = app.Table("track-memory", default=None, key_type=bytes, value_type=bytes,
                             partitions=settings.partitions)
    geofence_table = app.Table("geofence-state", default=None, key_type=bytes,
                               value_type=bytes, partitions=settings.partitions)
    identity_table = app.Table("identity-state", default=None, key_type=bytes,
                               value_type=bytes, partitions=settings.partitions)
    ais_table = app.Table("ais-fragments", default=None, key_type=bytes, value_type=bytes,
                          partitions=settings.partitions)
    zones_table = app.Table("zones-accepted", default=None, key_type=bytes, value_type=bytes,
                            partitions=settings.partitions)
    fence = GeofenceStage(lambda: zones.current, settings.max_gap_s * 1000,
                          LostAfter(settings.lost_aircraft_s * 1000,
                                    settings.lost_vessel_s * 1000))

    async def deliver(stage: str, meta: RecordMeta, handled: Handled) -> None:
        metrics.count(stage, meta.topic, handled.outcome, handled.reason, handled.part_reasons)
        for output in handled.outputs:
            await topics[output.topic].send(key=output.key, value=output.value)

    # The identify stage must not judge tracks before the watch-lists and flight plans in
    # the configuration topics have been read once, nor the geofence before the zones of
    # zones.config; later changes apply as they arrive.
    config_read = asyncio.Event()

    def agent(spec: TopicSpec, stage: str,
              handle: Callable[[Any, bytes, RecordMeta, int], Handled],
              needs_config: bool = False) -> None:
        async def run(stream: Any) -> None:
            if needs_config:
                await config_read.wait()
                await zones.ready.wait()
            async for event in stream.events():
                meta = _meta(event)
                now_ms = _now_ms()
                # A null value (a tombstone) is an empty record: dead-lettered, not a crash.
                raw = event.value if isinstance(event.value, bytes) else b""
                handled = handlers.guarded(stage, meta, raw, now_ms,
                                           partial(handle, event, raw, meta, now_ms))
                await deliver(stage, meta, handled)

        run.__name__ = f"{stage.replace('.', '_')}_agent"
        app.agent(topics[spec], name=f"adizwatch.{stage}")(run)

    def decode_sbs(event: Any, raw: bytes, meta: RecordMeta, now_ms: int) -> Handled:
        return handlers.handle_sbs(raw, meta, now_ms)

    def decode_readsb(event: Any, raw: bytes, meta: RecordMeta, now_ms: int) -> Handled:
        return inputs.handle_readsb(raw, meta, now_ms)

    def decode_opensky(event: Any, raw: bytes, meta: RecordMeta, now_ms: int) -> Handled:
        return inputs.handle_opensky(raw, meta, now_ms)

    def decode_canonical(event: Any, raw: bytes, meta: RecordMeta, now_ms: int) -> Handled:
        return inputs.handle_canonical(raw, meta, now_ms)

    def decode_ais(event: Any, raw: bytes, meta: RecordMeta, now_ms: int) -> Handled:
        key = event.key if isinstance(event.key, bytes) else b""
        handled = inputs.handle_ais(raw, meta, ais_table.get(key), now_ms)
        if handled.state is not None:
            ais_table[key] = handled.state
        elif handled.drop_state:
            del ais_table[key]
        return handled

    def merge_update(event: Any, raw: bytes, meta: RecordMeta, now_ms: int) -> Handled:
        handled = handlers.handle_update(raw, event.key, meta,
                                         memory_table.get(event.key), now_ms)
        if handled.state is not None:
            memory_table[event.key] = handled.state
        return handled

    def geofence_identify(event: Any, raw: bytes, meta: RecordMeta, now_ms: int) -> Handled:
        handled = fence.handle(raw, event.key, meta, geofence_table, now_ms)
        handlers.identify_fenced(handled, raw, identity_table, ctx, zones.current)
        return handled

    def zone_config(event: Any, raw: bytes, meta: RecordMeta, now_ms: int) -> Handled:
        stored = zones_table.get(event.key) if event.key else None
        handled = handle_zone_config(event.value, event.key, meta, stored, now_ms)
        if handled.state is not None and event.key:
            zones_table[event.key] = handled.state
        return handled

    config_names = {topic_name(spec, settings.topic_prefix): spec
                    for spec in (WATCHLISTS, FLIGHTPLANS)}

    async def apply_config(topic: str, key: bytes | None, value: bytes | None,
                           partition: int, offset: int) -> None:
        meta = RecordMeta(topic, partition, offset, 0)
        handled = handlers.handle_config(config_names[topic], key, value, meta, ctx, _now_ms())
        await deliver("config", meta, handled)

    async def follow_configuration() -> None:
        await follow(settings.bootstrap_servers, list(config_names), apply_config,
                     ready=config_read)

    app.task(follow_configuration)

    agent(ADSB_SBS, "decode.sbs", decode_sbs)
    agent(ADSB_READSB, "decode.readsb", decode_readsb)
    agent(ADSB_OPENSKY, "decode.opensky", decode_opensky)
    agent(TRACKS_CANONICAL, "decode.canonical", decode_canonical)
    agent(AIS_NMEA, "decode.ais", decode_ais)
    agent(TRACK_UPDATES, "merge", merge_update)
    agent(TRACK_POINTS, "geofence", geofence_identify, needs_config=True)
    agent(ZONES_CONFIG, "zones.config", zone_config)

    async def zones_reader() -> None:
        await follow_zones(zones, settings.bootstrap_servers,
                           topic_name(ZONES_CONFIG, settings.topic_prefix))

    async def on_rebalance(sender: Any, *args: Any, **kwargs: Any) -> None:
        fence.reset()  # partitions may move: rebuild the lost-track clocks from the table

    app.task(zones_reader)
    app.on_partitions_revoked.connect(cast(Any, on_rebalance))
    app.on_partitions_assigned.connect(cast(Any, on_rebalance))
    return app
