"""Kafka plumbing of the end-to-end bench: topics, backlogs, paced sends, tailing outputs.

Only public client APIs (aiokafka) and topic names; the processes under test are reached
through their topics alone. Record timestamps are CreateTime, set by each producer when it
sends, so the timestamp of an output record is the moment the stage under test sent it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from e2e_traffic import Report

#: Producer batches for the backlog: big batches, a short linger (the broker notes measured
#: ~180k msg/s with send() here).
BACKLOG_LINGER_MS = 5
BACKLOG_BATCH_BYTES = 256 * 1024


async def create_topics(bootstrap: str, names: Sequence[str], partitions: int) -> None:
    """Create ``names`` with ``partitions`` partitions; existing topics are left alone."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        for name in names:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([NewTopic(name, partitions, 1)])
    finally:
        await admin.close()


async def produce_backlog(bootstrap: str, topic: str, reports: Sequence[Report]) -> float:
    """Send every report (keyed) as fast as the client goes; returns the seconds it took."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=BACKLOG_LINGER_MS,
                                max_batch_size=BACKLOG_BATCH_BYTES)
    await producer.start()
    try:
        start = time.perf_counter()
        pending = [await producer.send(topic, r.value, key=r.key) for r in reports]
        await asyncio.gather(*pending)
        return time.perf_counter() - start
    finally:
        await producer.stop()


@dataclass
class PacedResult:
    """What a paced send did: each report's record timestamp, and the rate achieved."""

    record_ts_ms: dict[tuple[str, int], int]  # (track id, event ts_ms) -> record timestamp
    sent: int
    seconds: float  # from the first send to the last send() call
    ack_ms: list[int] = field(default_factory=list)
    """Per record: its acknowledgement's arrival minus its record timestamp. The time a
    record spent in the bench's producer and the broker's produce path before it could be
    consumed at all; part of every latency measured from the record timestamp."""

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


async def produce_paced(bootstrap: str, topic: str, reports: Sequence[Report],
                        rate: float) -> PacedResult:
    """Send ``reports`` at ``rate`` records/s (each on its schedule, sent in 2 ms slices).

    The record timestamp of each report comes from the producer's acknowledgement
    (``RecordMetadata.timestamp``): the CreateTime the broker stored.
    """
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=1)
    await producer.start()
    try:
        futures = []
        acked_at = [0] * len(reports)

        def acked(index: int) -> Callable[[object], None]:
            def done(_: object) -> None:
                acked_at[index] = time.time_ns() // 1_000_000
            return done

        start = time.perf_counter()
        i = 0
        while i < len(reports):
            due = int((time.perf_counter() - start) * rate) + 1
            while i < min(due, len(reports)):
                r = reports[i]
                future = await producer.send(topic, r.value, key=r.key)
                future.add_done_callback(acked(i))
                futures.append(future)
                i += 1
            await asyncio.sleep(0.002)
        seconds = time.perf_counter() - start
        metas = await asyncio.gather(*futures)
    finally:
        await producer.stop()
    stamps = {(r.track_id, r.ts_ms): m.timestamp for r, m in zip(reports, metas, strict=True)}
    ack_ms = [at - m.timestamp for at, m in zip(acked_at, metas, strict=True)]
    return PacedResult(stamps, len(reports), seconds, ack_ms)


@dataclass
class Tail:
    """Reads topics from their beginning in the background and keeps what it saw.

    ``timestamps[topic]`` has the record timestamp of every record in arrival order,
    ``arrivals[topic]`` the wall-clock time (epoch ms) this reader got it, a cross-check
    that does not depend on how the stage under test stamps its records;
    ``values[topic]`` the values of the topics named in ``keep_values``.
    """

    bootstrap: str
    topics: Sequence[str]
    partitions: int
    keep_values: frozenset[str] = frozenset()
    timestamps: dict[str, list[int]] = field(default_factory=dict)
    arrivals: dict[str, list[int]] = field(default_factory=dict)
    values: dict[str, list[bytes]] = field(default_factory=dict)
    _task: asyncio.Task[None] | None = None
    _consumer: AIOKafkaConsumer | None = None

    def count(self, topic: str) -> int:
        return len(self.timestamps.get(topic, ()))

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None,
                                          enable_auto_commit=False,
                                          auto_offset_reset="earliest")
        await self._consumer.start()
        parts = [TopicPartition(t, p) for t in self.topics for p in range(self.partitions)]
        self._consumer.assign(parts)
        await self._consumer.seek_to_beginning(*parts)
        for topic in self.topics:
            self.timestamps[topic] = []
            self.arrivals[topic] = []
            self.values[topic] = []
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        assert self._consumer is not None
        while True:
            batch = await self._consumer.getmany(timeout_ms=200)
            now_ms = round(time.time() * 1000)
            for tp, records in batch.items():
                self.timestamps[tp.topic].extend(r.timestamp for r in records)
                self.arrivals[tp.topic].extend([now_ms] * len(records))
                if tp.topic in self.keep_values:
                    self.values[tp.topic].extend(r.value or b"" for r in records)

    async def wait(self, topic: str, done: int, *, stall_s: float, cap_s: float,
                   first_s: float, alive: Callable[[], bool] = lambda: True) -> str:
        """Wait for ``topic`` to reach ``done`` records.

        Returns why the wait ended: ``"done"``; ``"stalled"`` (no new record for
        ``stall_s``); ``"time cap"`` (``cap_s`` after its first record); ``"no output"``
        (nothing within ``first_s``); ``"process exited"`` (``alive()`` turned false).
        """
        begun = time.monotonic()
        first: float | None = None
        last_count, last_change = -1, begun
        while True:
            await asyncio.sleep(0.25)
            if self._task is not None and self._task.done():
                self._task.result()  # re-raise the reader's error
            now, count = time.monotonic(), self.count(topic)
            if count >= done:
                return "done"
            if not alive():
                return "process exited"
            if count and first is None:
                first = now
            if count != last_count:
                last_count, last_change = count, now
            if first is None and now - begun > first_s:
                return "no output"
            if first is not None and now - last_change > stall_s:
                return "stalled"
            if first is not None and now - first > cap_s:
                return "time cap"

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()
