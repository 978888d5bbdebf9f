"""Every worker reads every record of the configuration topics, and keeps following them.

Watch-lists and flight plans are small and every worker needs all of them (a track on any
partition may match any entry), so they are not consumed as a partitioned stream: each
worker runs a plain consumer without a group over all partitions, from the beginning, and
applies each record (key, value; a null value is a tombstone) as it arrives. A record that
cannot be applied goes to the dead-letter topic with its reason and the previous state
stays in force. Live updates take effect within one poll interval.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

log = logging.getLogger(__name__)

POLL_TIMEOUT_MS = 500

Apply = Callable[[str, bytes | None, bytes | None, int, int], Awaitable[None]]
"""(topic, key, value or None for a tombstone, partition, offset)"""


async def follow(kafka: Mapping[str, Any], topics: Sequence[str], apply: Apply,
                 ready: asyncio.Event | None = None) -> None:
    """Apply every record of ``topics`` until cancelled; ``ready`` is set once caught up.

    ``kafka``: client keyword arguments (``kafka_client.client_kwargs``).
    """
    consumer = AIOKafkaConsumer(**kafka, group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        partitions = []
        for topic in topics:
            for p in sorted(consumer.partitions_for_topic(topic) or ()):
                partitions.append(TopicPartition(topic, p))
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions) if partitions else {}
        pending = {tp for tp in partitions if ends.get(tp, 0) > 0}
        if not pending and ready is not None:
            ready.set()
        while True:
            batch = await consumer.getmany(timeout_ms=POLL_TIMEOUT_MS)
            for tp, records in batch.items():
                for record in records:
                    await apply(tp.topic, record.key, record.value, tp.partition, record.offset)
            if pending:
                for tp in list(pending):
                    if await consumer.position(tp) >= ends[tp]:
                        pending.discard(tp)
                if not pending and ready is not None:
                    ready.set()
                    log.info("configuration topics read topics=%s", ",".join(topics))
    finally:
        await consumer.stop()
