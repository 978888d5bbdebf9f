"""Every worker's own reader of ``zones.config``: live zone changes without a restart.

Why not a faust agent or a GlobalTable: an agent in the consumer group sees only its share
of the partitions, but every worker must test points against every zone; and faust's
``GlobalTable`` documents that several app instances can get stuck in an endless recovery
loop (its docstring: "Using a GlobalTable with multiple app instances may cause an app to be
stuck in an infinite recovery loop"), besides storing whatever was written, invalid or not.
So each worker runs one plain aiokafka consumer outside the group (``group_id=None``): it
is assigned *all* partitions of ``zones.config``, starts from the beginning, and applies
every record in partition order to a :class:`~pipeline.geofence.zone_config.ZoneRegistry`.
Records of one zone share a partition (the key is the zone id), so every worker sees each
zone's versions in the same order and ends with the same zone set; an invalid record is
skipped and the previous version stays.

Start-up: :attr:`LiveZones.ready` is set once the reader has caught up with the end offsets
it found at start, and the geofence agent waits for it before its first point, so a
restarted worker never tests a point against a partial zone set. After that, changes apply
between two points as they arrive (log lines ``zone change applied ...``); there is no
ordering between a zone change and the points of other topics, as with any configuration
change in a stream.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from pipeline.geofence.zone_config import ZoneRegistry
from pipeline.geofence.zones import ZoneSet
from pipeline.transport.handlers import RecordMeta
from pipeline.transport.zone_handlers import apply_record

log = logging.getLogger(__name__)

POLL_MS = 250
RETRY_S = 2.0


class LiveZones:
    """The zones a worker tests points against: the files, then ``zones.config``."""

    def __init__(self, base: ZoneSet) -> None:
        self.base = base
        self.registry = ZoneRegistry(base.zones)
        self.ready = asyncio.Event()

    @property
    def current(self) -> ZoneSet:
        return self.registry.zones


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    for _ in range(50):
        await consumer.topics()  # refreshes metadata
        found = consumer.partitions_for_topic(topic)
        if found:
            return [TopicPartition(topic, p) for p in sorted(found)]
        await asyncio.sleep(0.2)
    raise RuntimeError(f"topic {topic} has no partitions")


async def _follow_once(live: LiveZones, kafka: Mapping[str, Any], topic: str) -> None:
    consumer = AIOKafkaConsumer(**kafka, group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        tps = await _partitions(consumer, topic)
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        behind = {tp for tp in tps if ends[tp] > 0}
        log.info("zones reader started topic=%s partitions=%d records=%d", topic, len(tps),
                 sum(ends.values()))
        # A fresh registry, swapped in once caught up: after a reader restart the zones in
        # force stay as they were until the topic has been read again.
        registry = ZoneRegistry(live.base.zones)
        caught_up = False
        while True:
            batch = await consumer.getmany(timeout_ms=POLL_MS)
            for tp, records in sorted(batch.items()):
                for record in records:
                    apply_record(registry, record.key, record.value, RecordMeta(
                        tp.topic, tp.partition, record.offset, record.timestamp))
            if not caught_up:
                for tp in list(behind):
                    if await consumer.position(tp) >= ends[tp]:
                        behind.discard(tp)
                if not behind:
                    caught_up = True
                    live.registry = registry
                    log.info("zones ready zones=%d changes=%d", len(registry),
                             registry.version)
                    live.ready.set()
    finally:
        await consumer.stop()


async def follow_zones(live: LiveZones, kafka: Mapping[str, Any], topic: str) -> None:
    """Apply ``zones.config`` to ``live`` until cancelled (restarting after errors).

    ``kafka``: client keyword arguments (``kafka_client.client_kwargs``).

    After an error the topic is read again from the beginning into a fresh registry, which
    replaces the one in force once it has caught up.
    """
    while True:
        try:
            await _follow_once(live, kafka, topic)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("zones reader failed topic=%s; retrying in %.0f s", topic, RETRY_S)
            await asyncio.sleep(RETRY_S)
