"""Produce a recorded feed into a topic, one record per line, keeping its pacing.

A line is either a JSON object ``{"key": ..., "value": ..., "timestamp": ms}`` (value a
string or any JSON value; key a string or null; timestamp optional) or a raw line sent as
it is. The original pacing comes from each line's own time: the JSON ``timestamp``, or for
SBS-1 lines the generated date/time. Lines without a time are sent right after the previous
one. ``speed`` scales the pacing (60 = one recorded minute per second); ``None`` sends as
fast as possible.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import orjson
from aiokafka import AIOKafkaProducer

from pipeline.decode.errors import DecodeError
from pipeline.decode.fields import parse_date_time_ms

MAX_IN_FLIGHT = 2_000


@dataclass(frozen=True, slots=True)
class ReplayRecord:
    key: bytes | None
    value: bytes
    time_ms: int | None


def _sbs_time_ms(line: bytes) -> int | None:
    parts = line.split(b",", 8)
    if len(parts) < 8 or parts[0] != b"MSG" or not parts[6]:
        return None
    try:
        return parse_date_time_ms(parts[6].decode("ascii"), parts[7].decode("ascii"), "time")
    except (DecodeError, UnicodeDecodeError):
        return None


def parse_line(line: bytes) -> ReplayRecord:
    """One line of a recorded feed (without its newline) as a record to produce."""
    if line.startswith(b"{"):
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError:
            data = None
        if isinstance(data, dict) and "value" in data:
            key = data.get("key")
            value = data["value"]
            stamp = data.get("timestamp")
            return ReplayRecord(
                key=None if key is None else str(key).encode(),
                value=value.encode() if isinstance(value, str) else orjson.dumps(value),
                time_ms=stamp if isinstance(stamp, int) and not isinstance(stamp, bool)
                else None,
            )
    return ReplayRecord(key=None, value=line, time_ms=_sbs_time_ms(line))


def read_feed(path: Path) -> list[ReplayRecord]:
    """The records of a feed file; blank lines are skipped."""
    records = []
    with path.open("rb") as handle:
        for raw in handle:
            line = raw.rstrip(b"\r\n")
            if line:
                records.append(parse_line(line))
    return records


async def replay(records: Iterable[ReplayRecord], producer: AIOKafkaProducer, topic: str,
                 speed: float | None, on_sent: Callable[[int], None] | None = None,
                 default_key: bytes | None = None) -> int:
    """Send ``records`` to ``topic``; returns the number sent (all acknowledged).

    Records without a key of their own get ``default_key``: lines of one recorded source
    then share a partition and keep their order, as a receiver keyed by its id would.
    """
    start_wall = time.monotonic()
    first_ms: int | None = None
    pending: list[asyncio.Future[object]] = []
    sent = 0
    for record in records:
        if speed is not None and record.time_ms is not None:
            if first_ms is None:
                first_ms = record.time_ms
            due = start_wall + (record.time_ms - first_ms) / 1000.0 / speed
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        key = record.key if record.key is not None else default_key
        pending.append(await producer.send(topic, record.value, key=key))
        sent += 1
        if len(pending) >= MAX_IN_FLIGHT:
            await asyncio.gather(*pending)
            pending.clear()
        if on_sent is not None:
            on_sent(1)
    await asyncio.gather(*pending)
    return sent
