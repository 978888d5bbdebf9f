"""The faust application: topics, tables and agents wired to the record handlers.

``create_app`` is the only place faust appears. Each agent takes one record, calls one
handler (through :func:`guarded`, so nothing escapes an agent: faust acks an event whose
agent raised, which would lose it silently), writes the returned table state and sends the
returned records. Stage state lives in changelog-backed tables keyed by track id,
co-partitioned with the topics that feed them, so a restarted or rebalanced worker continues
where the last one stopped.

Zones: every worker applies ``zones.config`` itself, from a reader outside the consumer group
(``transport/zone_feed.py``, started as an app task); the geofence agent waits until that
reader has caught up before its first point. The ``zones.config`` agent, in the group, only
writes the change log and the dead letters (``transport/zone_handlers.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, cast

import faust

from pipeline.geofence.timers import LostAfter
from pipeline.identify.identity import Identifier
from pipeline.metrics import Metrics
from pipeline.settings import Settings
from pipeline.transport import handlers
from pipeline.transport.geofence_stage import GeofenceStage
from pipeline.transport.handlers import Handled, RecordMeta
from pipeline.transport.topics import (
    ADSB_SBS,
    CATALOGUE,
    TRACK_POINTS,
    TRACK_UPDATES,
    ZONE_EVENTS,
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


def create_app(settings: Settings, zones: LiveZones, identifier: Identifier, metrics: Metrics,
               extra_settings: Mapping[str, Any] | None = None) -> faust.App:
    """Build the worker's faust app.

    Args:
        settings: the deployment's settings.
        zones: the worker's live zone set (files, then ``zones.config``).
        identifier: the identification rules and tables.
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
        **(extra_settings or {}),
    )

    def topic(spec: TopicSpec) -> Any:
        return app.topic(topic_name(spec, settings.topic_prefix), key_type=bytes,
                         value_type=bytes, partitions=settings.partitions)

    topics = {spec: topic(spec) for spec in CATALOGUE}
    memory_table = app.Table("track-memory", default=None, key_type=bytes, value_type=bytes,
                             partitions=settings.partitions)
    geofence_table = app.Table("geofence-state", default=None, key_type=bytes,
                               value_type=bytes, partitions=settings.partitions)
    zones_table = app.Table("zones-accepted", default=None, key_type=bytes, value_type=bytes,
                            partitions=settings.partitions)
    fence = GeofenceStage(lambda: zones.current, settings.max_gap_s * 1000,
                          LostAfter(settings.lost_aircraft_s * 1000,
                                    settings.lost_vessel_s * 1000))

    async def deliver(stage: str, meta: RecordMeta, handled: Handled) -> None:
        metrics.count(stage, meta.topic, handled.outcome, handled.reason)
        for output in handled.outputs:
            await topics[output.topic].send(key=output.key, value=output.value)

    def agent(spec: TopicSpec, stage: str, handle: Callable[[Any, RecordMeta, int], Handled],
              wait_for_zones: bool = False) -> None:
        async def run(stream: Any) -> None:
            async for event in stream.events():
                if wait_for_zones:
                    await zones.ready.wait()
                meta = _meta(event)
                now_ms = _now_ms()
                raw = event.value if isinstance(event.value, bytes) else b""
                handled = handlers.guarded(stage, meta, raw, now_ms,
                                           partial(handle, event, meta, now_ms))
                await deliver(stage, meta, handled)

        run.__name__ = f"{stage.replace('.', '_')}_agent"
        app.agent(topics[spec], name=f"adizwatch.{stage}")(run)

    def decode_sbs(event: Any, meta: RecordMeta, now_ms: int) -> Handled:
        return handlers.handle_sbs(event.value, meta, now_ms)

    def merge_update(event: Any, meta: RecordMeta, now_ms: int) -> Handled:
        handled = handlers.handle_update(event.value, event.key, meta,
                                         memory_table.get(event.key), now_ms)
        if handled.state is not None:
            memory_table[event.key] = handled.state
        return handled

    def geofence(event: Any, meta: RecordMeta, now_ms: int) -> Handled:
        return fence.handle(event.value, event.key, meta, geofence_table, now_ms)

    def identify(event: Any, meta: RecordMeta, now_ms: int) -> Handled:
        return handlers.handle_zone_event(event.value, meta, identifier, now_ms)

    def zone_config(event: Any, meta: RecordMeta, now_ms: int) -> Handled:
        stored = zones_table.get(event.key) if event.key else None
        handled = handle_zone_config(event.value, event.key, meta, stored, now_ms)
        if handled.state is not None and event.key:
            zones_table[event.key] = handled.state
        return handled

    agent(ADSB_SBS, "decode.sbs", decode_sbs)
    agent(TRACK_UPDATES, "merge", merge_update)
    agent(TRACK_POINTS, "geofence", geofence, wait_for_zones=True)
    agent(ZONE_EVENTS, "identify", identify)
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
