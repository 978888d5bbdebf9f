"""The worker's faust application: the host of the track runtime and the control plane.

``create_app`` is the only place faust appears. The track path (decode, merge, geofence,
identify) does not run in faust agents: faust costs ~150-250 us per record on this
machine's broker, so the worker runs it in :class:`~pipeline.transport.runtime.TrackRuntime`,
a lean aiokafka consumer-group member (group ``ADIZWATCH_GROUP_ID``) started as an app task
and stopped before the app's producer is flushed. Its stores live in changelog topics of
their own (``transport/state_store.py``).

faust keeps what is low-volume: the ``zones.config`` agent (group ``<group>.control``),
which writes the zone change log and the dead letters with the accepted version of each zone
in a changelog-backed table, the every-worker reader of ``zones.config`` that keeps the
live zone set (``transport/zone_feed.py``) and the reader of the watch-lists and flight
plans (``transport/config_follower.py``). The track runtime starts once both readers have
caught up, so no point is judged against a partial configuration.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any, cast

import faust

from pipeline.geofence.timers import LostAfter
from pipeline.identify.enrich import IdentifyContext
from pipeline.metrics import Metrics
from pipeline.settings import Settings
from pipeline.transport import handlers
from pipeline.transport.config_follower import follow
from pipeline.transport.handlers import Handled, RecordMeta
from pipeline.transport.kafka_client import client_kwargs
from pipeline.transport.runtime import Liveness, RuntimeConfig, RuntimeStopped, TrackRuntime
from pipeline.transport.state_store import changelog_topic
from pipeline.transport.topics import (
    DEADLETTER,
    FLIGHTPLANS,
    WATCHLISTS,
    ZONES_CHANGES,
    ZONES_CONFIG,
    TopicSpec,
    control_group,
    topic_name,
)
from pipeline.transport.track_path import TrackPath
from pipeline.transport.zone_feed import LiveZones, follow_zones
from pipeline.transport.zone_handlers import handle_zone_config

log = logging.getLogger(__name__)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _meta(event: Any) -> RecordMeta:
    message = event.message
    return RecordMeta(topic=message.topic, partition=message.partition,
                      offset=message.offset, timestamp_ms=round(message.timestamp * 1000))


def broker_urls(bootstrap_servers: str) -> list[str]:
    return [f"kafka://{server}" for server in bootstrap_servers.split(",")]


def create_app(settings: Settings, zones: LiveZones, ctx: IdentifyContext, metrics: Metrics,
               extra_settings: Mapping[str, Any] | None = None,
               runtime_config: RuntimeConfig | None = None,
               health: Liveness | None = None) -> faust.App:
    """Build the worker's faust app.

    Args:
        settings: the deployment's settings.
        zones: the worker's live zone set (files, then ``zones.config``).
        ctx: the identification tables, rules, watch-list and flight plans.
        metrics: where the stages count what they did.
        extra_settings: faust settings added by the transport (e.g. for the embedded broker).
        runtime_config: the track runtime's clients (default: the deployment's connection).
        health: told when the worker is ready and that its loop is alive.
    """
    app_id = control_group(settings.group_id)
    app = faust.App(
        app_id,
        broker=broker_urls(settings.bootstrap_servers),
        store="memory://",
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        consumer_auto_offset_reset="earliest",
        key_serializer="raw",
        value_serializer="raw",
        web_enabled=False,
        datadir=str(settings.data_dir / app_id),
        # faust's leader election (timers with on_leader=True) is not used; its topic,
        # "<app id>-__assignor-__leader", would be the one topic outside the prefix.
        topic_disable_leader=True,
        **(extra_settings or {}),
    )

    def topic(spec: TopicSpec) -> Any:
        return app.topic(topic_name(spec, settings.topic_prefix), key_type=bytes,
                         value_type=bytes, partitions=settings.partitions)

    outputs = {spec: topic(spec) for spec in (ZONES_CONFIG, ZONES_CHANGES, DEADLETTER)}
    # The changelog inside the topic prefix, like the track runtime's: faust would name it
    # "<app id>-zones-accepted-changelog", the same name when the prefix is empty.
    accepted_changelog = app.topic(
        changelog_topic(settings.topic_prefix, app_id, "zones-accepted"), key_type=bytes,
        value_type=bytes, partitions=settings.partitions, compacting=True, deleting=False,
        acks=False, internal=True)
    zones_table = app.Table("zones-accepted", default=None, key_type=bytes, value_type=bytes,
                            partitions=settings.partitions, changelog_topic=accepted_changelog)

    async def deliver(stage: str, meta: RecordMeta, handled: Handled) -> None:
        metrics.count(stage, meta.topic, handled.outcome, handled.reason, handled.part_reasons)
        for output in handled.outputs:
            await outputs[output.topic].send(key=output.key, value=output.value)

    # The track runtime must not judge tracks before the watch-lists and flight plans in
    # the configuration topics have been read once, nor before the zones of zones.config;
    # later changes apply as they arrive.
    config_read = asyncio.Event()

    async def zone_config_agent(stream: Any) -> None:
        async for event in stream.events():
            meta = _meta(event)
            now_ms = _now_ms()
            raw = event.value if isinstance(event.value, bytes) else b""

            def handle(event: Any = event, meta: RecordMeta = meta,
                       now_ms: int = now_ms) -> Handled:
                stored = zones_table.get(event.key) if event.key else None
                handled = handle_zone_config(event.value, event.key, meta, stored, now_ms)
                if handled.state is not None and event.key:
                    zones_table[event.key] = handled.state
                return handled

            await deliver("zones.config", meta, handlers.guarded("zones.config", meta, raw,
                                                                 now_ms, handle))

    app.agent(outputs[ZONES_CONFIG], name="adizwatch.zones.config")(zone_config_agent)

    config_names = {topic_name(spec, settings.topic_prefix): spec
                    for spec in (WATCHLISTS, FLIGHTPLANS)}

    async def apply_config(topic: str, key: bytes | None, value: bytes | None,
                           partition: int, offset: int) -> None:
        meta = RecordMeta(topic, partition, offset, 0)
        handled = handlers.handle_config(config_names[topic], key, value, meta, ctx, _now_ms())
        await deliver("config", meta, handled)

    async def follow_configuration() -> None:
        await follow(client_kwargs(settings), list(config_names), apply_config,
                     ready=config_read)

    async def zones_reader() -> None:
        await follow_zones(zones, client_kwargs(settings),
                           topic_name(ZONES_CONFIG, settings.topic_prefix))

    path = TrackPath(lambda: zones.current, ctx, settings.max_gap_s * 1000,
                     LostAfter(settings.lost_aircraft_s * 1000, settings.lost_vessel_s * 1000),
                     settings.time_limits)
    runtime = TrackRuntime(runtime_config or default_runtime_config(settings), path, metrics,
                           health)

    async def track_runtime() -> None:
        await config_read.wait()
        await zones.ready.wait()
        try:
            await runtime.run()
        except RuntimeStopped:
            log.exception("the track runtime stopped; the worker exits to be restarted")
            await app.crash(RuntimeError("track runtime stopped"))

    async def stop_runtime(sender: Any, **kwargs: Any) -> None:
        await runtime.stop()

    app.task(follow_configuration)
    app.task(zones_reader)
    app.task(track_runtime)
    app.on_before_shutdown.connect(cast(Any, stop_runtime))
    return app


def default_runtime_config(settings: Settings,
                           group_timings: Mapping[str, Any] | None = None) -> RuntimeConfig:
    """The track runtime's clients: the deployment's connection, plus group timings."""
    return RuntimeConfig(prefix=settings.topic_prefix, group_id=settings.group_id,
                         kafka=client_kwargs(settings), group_timings=group_timings or {})
