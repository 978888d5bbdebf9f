"""Has a consumer group caught up? Committed offsets against end offsets, and held reports.

Used by the demo to know when the pipeline has processed everything replayed, and by the
integration tests. A report the track stage holds until the watermark passes it
(``docs/time.md``) is processed only once it is released: :func:`held_tracks` reads the
held-reports changelog for the tracks that still have some. Partitions are always named
explicitly when listing a group's offsets (Tansu cannot answer the unnamed form; see
``docs/broker-differences.md``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from pipeline.transport.admin import counts_with
from pipeline.transport.state_store import changelog_topic
from pipeline.transport.topics import ZONES_CONFIG, control_group, topic_name
from pipeline.transport.track_path import HELD_REPORTS, TOPICS


async def lagging_partitions(kafka: Mapping[str, Any], group_id: str,
                             topics: Sequence[str]) -> dict[TopicPartition, int]:
    """Partitions of ``topics`` where ``group_id`` has not committed up to the end, with the
    lag of each.

    ``kafka``: client keyword arguments (``kafka_client.client_kwargs``). Every partition
    the cluster has is counted, whatever ``ADIZWATCH_PARTITIONS`` says (topics created
    beforehand may have more); a topic that does not exist has no lag.
    """
    probe = AIOKafkaConsumer(**kafka, group_id=None)
    admin = AIOKafkaAdminClient(**kafka)
    try:
        await probe.start()
        await admin.start()
        counts = await counts_with(admin, topics)
        partitions = [TopicPartition(topic, p) for topic in topics
                      for p in range(counts.get(topic, 0))]
        if not partitions:
            return {}
        ends = await probe.end_offsets(partitions)
        committed = await admin.list_consumer_group_offsets(group_id, partitions=partitions)
    finally:
        await admin.close()
        await probe.stop()
    lag = {}
    for tp in partitions:
        meta = committed.get(tp)
        done = meta.offset if meta is not None and meta.offset >= 0 else 0
        if done < ends.get(tp, 0):
            lag[tp] = ends[tp] - done
    return lag


async def pipeline_lag(kafka: Mapping[str, Any], prefix: str,
                       group_id: str) -> dict[TopicPartition, int]:
    """What a deployment's workers have not processed yet, partition by partition.

    ``kafka``: client keyword arguments (``kafka_client.client_kwargs``).

    The track runtime's group (``group_id``) consumes the inputs and ``tracks.updates``;
    the faust control group consumes ``zones.config``.
    """
    lag = await lagging_partitions(kafka, group_id,
                                   [topic_name(spec, prefix) for spec in TOPICS])
    lag |= await lagging_partitions(kafka, control_group(group_id),
                                    [topic_name(ZONES_CONFIG, prefix)])
    lag |= await held_tracks(kafka, changelog_topic(prefix, group_id, HELD_REPORTS))
    return lag


async def held_tracks(kafka: Mapping[str, Any], changelog: str) -> dict[TopicPartition, int]:
    """Partitions of the held-reports ``changelog`` with tracks that still hold reports,
    with how many (the latest value of each key, read to the end; as landed: the workers
    write it every few seconds)."""
    probe = AIOKafkaConsumer(**kafka, group_id=None, enable_auto_commit=False)
    admin = AIOKafkaAdminClient(**kafka)
    held: dict[TopicPartition, dict[bytes, bool]] = {}
    try:
        await probe.start()
        await admin.start()
        count = (await counts_with(admin, [changelog])).get(changelog, 0)
        partitions = [TopicPartition(changelog, p) for p in range(count)]
        if not partitions:
            return {}
        ends = await probe.end_offsets(partitions)
        remaining = {tp for tp in partitions if ends.get(tp, 0) > 0}
        if not remaining:
            return {}
        probe.assign(list(remaining))
        await probe.seek_to_beginning(*remaining)
        while remaining:
            batch = await probe.getmany(*remaining, timeout_ms=200, max_records=10_000)
            for tp, records in batch.items():
                keys = held.setdefault(tp, {})
                for record in records:
                    if record.offset < ends[tp] and record.key is not None:
                        keys[record.key] = record.value is not None
            for tp in list(remaining):
                if await probe.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await admin.close()
        await probe.stop()
    return {tp: n for tp, keys in held.items() if (n := sum(keys.values()))}
