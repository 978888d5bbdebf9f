"""Small synchronous helpers over aiokafka for the integration tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from pipeline.transport.replay import ReplayRecord, replay


def produce(bootstrap: str, topic: str, lines: Sequence[bytes], key: bytes | None) -> int:
    return replay_sources(bootstrap, topic, [[ReplayRecord(None, line, None) for line in lines]],
                          key, None)


def replay_sources(bootstrap: str, topic: str, sources: Sequence[Sequence[ReplayRecord]],
                   key: bytes | None, speed: float | None) -> int:
    """Replay recorded sources one after the other (each paced by its own times at ``speed``,
    None: as fast as possible); records without a key of their own get ``key``."""

    async def go() -> int:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
        await producer.start()
        try:
            return sum([await replay(records, producer, topic, speed, default_key=key)
                        for records in sources])
        finally:
            await producer.stop()

    return asyncio.run(go())


def produce_keyed(bootstrap: str, topic: str, records: Sequence[tuple[bytes | None, bytes]],
                  timestamp_ms: int) -> int:
    """Send (key, value) records in order, all with the same record timestamp."""

    async def go() -> int:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5,
                                    max_request_size=4 * 1024 * 1024)
        await producer.start()
        try:
            sent = [await producer.send(topic, value, key=key, timestamp_ms=timestamp_ms)
                    for key, value in records]
            await asyncio.gather(*sent)
            return len(sent)
        finally:
            await producer.stop()

    return asyncio.run(go())


def read_all(bootstrap: str, topic: str, partitions: int) -> list[tuple[bytes | None, bytes]]:
    """Every record of ``topic`` up to its current end, partition by partition."""

    async def go() -> list[tuple[bytes | None, bytes]]:
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                    enable_auto_commit=False, auto_offset_reset="earliest")
        await consumer.start()
        try:
            tps = [TopicPartition(topic, p) for p in range(partitions)]
            consumer.assign(tps)
            ends = await consumer.end_offsets(tps)
            await consumer.seek_to_beginning(*tps)
            out: list[tuple[bytes | None, bytes]] = []
            remaining = {tp for tp in tps if ends[tp] > 0}
            deadline = time.monotonic() + 30
            while remaining and time.monotonic() < deadline:
                batch = await consumer.getmany(*remaining, timeout_ms=500)
                for tp, records in batch.items():
                    for record in records:
                        if record.offset < ends[tp]:
                            out.append((record.key, record.value or b""))
                    if await consumer.position(tp) >= ends[tp]:
                        remaining.discard(tp)
            assert not remaining, f"could not read {topic} to its end: {remaining}"
            return out
        finally:
            await consumer.stop()

    return asyncio.run(go())


def list_topics(bootstrap: str) -> set[str]:
    """Every topic on the broker (a Metadata request for all of them: it creates none)."""

    async def go() -> set[str]:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            return set(await admin.list_topics())
        finally:
            await admin.close()

    return asyncio.run(go())


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str,
               diagnostics: Callable[[], str] = lambda: "") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}\n"
                         f"{diagnostics()}")


def produce_records(bootstrap: str, topic: str,
                    records: Sequence[tuple[bytes | None, bytes | None]]) -> None:
    """Keyed records in order (a None value is a tombstone), each acknowledged."""

    async def go() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
        await producer.start()
        try:
            for key, value in records:
                await producer.send_and_wait(topic, value=value, key=key)
        finally:
            await producer.stop()

    asyncio.run(go())
