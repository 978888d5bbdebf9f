"""Broker delivery latency on the embedded broker: produce at a paced rate, consume at once.

    .venv/bin/python bench/bench_delivery.py [--rate 5000] [--seconds 20] \
        [--out bench/results/delivery.json]

No pipeline: one producer (the bench's, ``linger_ms=1``) and one plain aiokafka consumer
(25 ms fetch wait, as the track runtime's) in this process, on a fresh 4-partition topic of
an embedded Tansu broker. For each record: the time the consumer got it minus its record
timestamp, reported per second of sending (p50, p99, max, n) and over the whole run. It
isolates what the broker takes to hand a record from a producer to a consumer as its topic
grows (``docs/broker-differences.md``, difference 21).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from e2e_stats import percentiles, second_rows
from revision import commit

from pipeline.transport.broker import EmbeddedBroker
from pipeline.transport.tansu_compat import apply_tansu_workarounds

RESULTS = Path(__file__).resolve().parent / "results"
TOPIC = "delivery"
VALUE = b"x" * 250  # about a canonical track point


async def measure(bootstrap: str, rate: float, seconds: float) -> dict[int, list[float]]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(TOPIC, 4, 1)])
    finally:
        await admin.close()
    consumer = AIOKafkaConsumer(TOPIC, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", fetch_max_wait_ms=25)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=1)
    await consumer.start()
    await producer.start()
    started_ms = time.time_ns() // 1_000_000
    ages: dict[int, list[float]] = {}
    total = round(rate * seconds)
    received = 0

    async def consume() -> None:
        nonlocal received
        while received < total:
            batch = await consumer.getmany(timeout_ms=200, max_records=300)
            now_ms = time.time_ns() // 1_000_000
            for records in batch.values():
                for record in records:
                    second = (record.timestamp - started_ms) // 1000
                    ages.setdefault(second, []).append(now_ms - record.timestamp)
                    received += 1

    reader = asyncio.ensure_future(consume())
    try:
        start, sent = time.perf_counter(), 0
        while sent < total:
            due = min(total, int((time.perf_counter() - start) * rate) + 1)
            while sent < due:
                await producer.send(TOPIC, VALUE, key=str(sent % 4000).encode())
                sent += 1
            await asyncio.sleep(0.002)
        await producer.flush()
        await asyncio.wait_for(reader, timeout=60)
    finally:
        reader.cancel()
        await producer.stop()
        await consumer.stop()
    return ages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=5000.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--out", type=Path, default=RESULTS / "delivery.json")
    args = parser.parse_args()
    apply_tansu_workarounds()
    broker = EmbeddedBroker()
    broker.start()
    try:
        ages = asyncio.run(measure(broker.bootstrap_servers, args.rate, args.seconds))
    finally:
        broker.stop()
    every = [ms for values in ages.values() for ms in values]
    result = {
        "name": "delivery", "rate": args.rate, "seconds": args.seconds, "commit": commit(),
        "delivery_ms": percentiles(every),
        "delivery_ms_by_second": second_rows(ages),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    for second, row in result["delivery_ms_by_second"].items():
        print(f"second {second:>3}: p50 {row[0]} ms, p99 {row[1]} ms, max {row[2]} ms, n {row[3]}")
    print(orjson.dumps(result["delivery_ms"]).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
