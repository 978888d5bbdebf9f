"""Follows the pipeline's output topics into the picture, with a consumer of its own.

The consumer has no group (nothing is committed, every picture reads everything) and
starts at the earliest offset, so a picture started late still builds the whole current
picture; the state is bounded, so a long history costs time at start, not memory.
:func:`dispatch` is the per-record step (no Kafka, unit-tested); :func:`follow_outputs`
is the loop around it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer

from pipeline.decode.errors import DecodeError
from pipeline.picture.state import PictureState
from pipeline.picture.wire import alert_from_json, deadletter_reason
from pipeline.settings import Settings
from pipeline.transport.codec import decode_point, load_object
from pipeline.transport.kafka_client import client_kwargs
from pipeline.transport.topics import (
    DEADLETTER,
    IDENTIFICATIONS,
    TRACK_POINTS,
    ZONE_EVENTS,
    TopicSpec,
    topic_name,
)

log = logging.getLogger(__name__)

FOLLOWED: tuple[TopicSpec, ...] = (TRACK_POINTS, ZONE_EVENTS, IDENTIFICATIONS, DEADLETTER)

METADATA_MAX_AGE_MS = 5_000
"""Notice topics created after the picture started (the workers create them) within 5 s."""

BATCH_RECORDS = 2_000
"""Records per poll: the event loop serves pages between batches."""


@dataclass(slots=True)
class FeedStatus:
    """What the loop has seen; read by the health check."""

    records: int = 0
    last_record_ms: int | None = None


def dispatch(spec: TopicSpec, value: bytes | None, state: PictureState, now_ms: int) -> None:
    """Apply one record of a followed topic to the picture; unreadable ones are counted."""
    try:
        if spec is TRACK_POINTS:
            state.apply_point(decode_point(value or b""), now_ms)
        elif spec is IDENTIFICATIONS:
            state.apply_alert(alert_from_json(load_object(value or b"")), now_ms)
        elif spec is ZONE_EVENTS:
            state.apply_zone_event()
        elif spec is DEADLETTER:
            state.apply_deadletter(deadletter_reason(load_object(value or b"")))
    except DecodeError as exc:
        state.note_unreadable()
        log.debug("unreadable record topic=%s reason=%s detail=%s", spec.name, exc.reason, exc)


async def follow_outputs(settings: Settings, state: PictureState, clock: Callable[[], int],
                         status: FeedStatus, stop: asyncio.Event) -> None:
    """Consume the output topics into ``state`` until ``stop`` is set."""
    names = {topic_name(spec, settings.topic_prefix): spec for spec in FOLLOWED}
    consumer = AIOKafkaConsumer(
        **client_kwargs(settings), group_id=None, auto_offset_reset="earliest",
        enable_auto_commit=False, metadata_max_age_ms=METADATA_MAX_AGE_MS)
    try:
        await consumer.start()
        # By pattern, not by name: the client then asks for every topic's metadata, while a
        # request naming a topic that does not exist yet has the broker create it with its
        # own defaults (auto.create.topics.enable, Kafka's default; the embedded broker too).
        consumer.subscribe(pattern="^(?:" + "|".join(map(re.escape, names)) + ")$")
        log.info("picture following topics=%s bootstrap=%s", ",".join(names),
                 settings.bootstrap_servers)
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=200, max_records=BATCH_RECORDS)
            if not batch:
                continue
            now_ms = clock()
            for tp, records in batch.items():
                spec = names[tp.topic]
                for record in records:
                    dispatch(spec, record.value, state, now_ms)
                status.records += len(records)
            status.last_record_ms = now_ms
    finally:
        await consumer.stop()
