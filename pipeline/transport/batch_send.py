"""Send many records at once: one aiokafka batch per topic partition.

``AIOKafkaProducer.send`` costs a future, a partitioner call (murmur2 in Python) and an
accumulator lookup per record; the runtime sends every output of a batch together, so it
builds the partition batches itself (``create_batch`` / ``send_batch``) and waits for all
their acknowledgements at once. Partitions are chosen as the default partitioner chooses
them (murmur2 of the key modulo the partition count, like Kafka's Java client), so a track's
records land where a plain ``send`` would put them; records without a key are spread
round-robin. The partition of a key is remembered (bounded), since a track's key recurs.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import murmur2

KEY_CACHE_SIZE = 200_000


def key_partition(key: bytes, count: int) -> int:
    """The partition Kafka's default partitioner gives ``key`` among ``count`` partitions."""
    return int((murmur2(key) & 0x7FFFFFFF) % count)


class KeyPartitions:
    """The partition of each recurring key (:func:`key_partition`), remembered (bounded)."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, bytes], int] = {}

    def of(self, topic: str, key: bytes, count: int) -> int:
        """``key``'s partition among the ``count`` partitions of ``topic``."""
        known = self._known.get((topic, key))
        if known is None:
            if len(self._known) >= KEY_CACHE_SIZE:
                self._known.clear()
            known = self._known[(topic, key)] = key_partition(key, count)
        return known

    def forget(self) -> None:
        """Forget every key (a partition count changed)."""
        self._known.clear()


class BatchSender:
    """Sends ``(topic, partition or None, key, value)`` records and awaits them all."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self.producer = producer
        self._partition_counts: dict[str, int] = {}
        self._key_partitions = KeyPartitions()
        self._round_robin = itertools.count()

    async def _count(self, topic: str) -> int:
        count = self._partition_counts.get(topic)
        if count is None:
            partitions = await self.producer.partitions_for(topic)
            count = self._partition_counts[topic] = len(partitions)
        return count

    async def partition_for(self, topic: str, key: bytes | None) -> int:
        return self._partition(topic, key, await self._count(topic))

    def _partition(self, topic: str, key: bytes | None, count: int) -> int:
        if key is None:
            return next(self._round_robin) % count
        return self._key_partitions.of(topic, key, count)

    async def send_all(self, records: Iterable[tuple[str, int | None, bytes | None, bytes | None]],
                       ) -> None:
        """Send every record, in order per partition; return once all are acknowledged.

        Raises:
            KafkaError: a batch was not acknowledged.
        """
        await asyncio.gather(*await self.enqueue(records))

    async def enqueue(self, records: Iterable[tuple[str, int | None, bytes | None, bytes | None]],
                      ) -> list[asyncio.Future[Any]]:
        """Hand every record to the producer, in order per partition; the futures resolve
        when the broker acknowledged them."""
        producer = self.producer
        builders: dict[tuple[str, int], Any] = {}
        pending: list[asyncio.Future[Any]] = []
        counts = self._partition_counts
        for topic, partition, key, value in records:
            if partition is None:
                # The topic's count is known after its first record: no coroutine per record.
                count = counts.get(topic)
                if count is None:
                    count = await self._count(topic)
                partition = self._partition(topic, key, count)
            builder = builders.get((topic, partition))
            if builder is None:
                builder = builders[(topic, partition)] = producer.create_batch()
            if builder.append(key=key, value=value, timestamp=None) is not None:
                continue
            if builder.record_count():  # full: send it, start the next one
                pending.append(await producer.send_batch(builder, topic, partition=partition))
                builder = builders[(topic, partition)] = producer.create_batch()
                if builder.append(key=key, value=value, timestamp=None) is not None:
                    continue
            # Larger than a batch on its own: a plain send (bounded by max_request_size).
            pending.append(await producer.send(topic, value, key=key, partition=partition))
        for (topic, partition), builder in builders.items():
            if builder.record_count():
                pending.append(await producer.send_batch(builder, topic, partition=partition))
        return pending
