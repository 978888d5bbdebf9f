"""Baseline: a bare aiokafka consume-produce loop, topic A -> topic B, raw bytes.

Run as a subprocess by ``bench_pipeline.py``: ``python bench/e2e_aiokafka_passthrough.py
BOOTSTRAP SOURCE SINK GROUP_ID``. One group member: ``getmany`` a batch, ``send`` every
record's key and value, wait for every acknowledgement of the batch, then commit the batch's
offsets (at-least-once, as a pipeline stage must). Runs until SIGTERM.
"""

from __future__ import annotations

import asyncio
import signal
import sys

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from pipeline.transport.tansu_compat import (
    EMBEDDED_HEARTBEAT_INTERVAL_S,
    EMBEDDED_SESSION_TIMEOUT_S,
    apply_tansu_workarounds,
)


async def run(bootstrap: str, source: str, sink: str, group_id: str) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    consumer = AIOKafkaConsumer(
        source, bootstrap_servers=bootstrap, group_id=group_id, enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=int(EMBEDDED_SESSION_TIMEOUT_S * 1000),
        heartbeat_interval_ms=int(EMBEDDED_HEARTBEAT_INTERVAL_S * 1000))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await consumer.start()
    await producer.start()
    try:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=100)
            if not batch:
                continue
            sent = [await producer.send(sink, r.value, key=r.key)
                    for records in batch.values() for r in records]
            await asyncio.gather(*sent)
            await consumer.commit({tp: records[-1].offset + 1 for tp, records in batch.items()})
    finally:
        await producer.stop()
        await consumer.stop()


def main(argv: list[str]) -> int:
    bootstrap, source, sink, group_id = argv
    apply_tansu_workarounds()
    asyncio.run(run(bootstrap, source, sink, group_id))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
