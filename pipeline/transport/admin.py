"""Topic creation: make sure every catalogue topic exists before the workers start.

Existing topics are left as they are (their partition count is the deployment's choice);
missing ones are created with the configured partitions and replication factor
(``ADIZWATCH_PARTITIONS``, ``ADIZWATCH_REPLICATION_FACTOR``) and the topic prefix.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from pipeline.settings import Settings
from pipeline.transport.kafka_client import client_kwargs
from pipeline.transport.topics import CATALOGUE, topic_name

log = logging.getLogger(__name__)


async def ensure_topics(kafka: Mapping[str, Any], names: Iterable[str], partitions: int,
                        replication_factor: int,
                        compacted: Iterable[str] = ()) -> list[str]:
    """Create the topics of ``names`` that do not exist yet; returns the created ones.

    Args:
        kafka: client keyword arguments (:func:`~pipeline.transport.kafka_client.client_kwargs`).
        compacted: topics created with ``cleanup.policy=compact``.
    """
    compact = set(compacted)
    admin = AIOKafkaAdminClient(**kafka)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in dict.fromkeys(names) if name not in existing]
        if missing:
            try:
                await admin.create_topics([
                    NewTopic(name, num_partitions=partitions,
                             replication_factor=replication_factor,
                             topic_configs=({"cleanup.policy": "compact"} if name in compact
                                            else {}))
                    for name in missing])
            except TopicAlreadyExistsError:
                log.info("topics created concurrently by another worker topics=%s", missing)
            log.info("created topics topics=%s partitions=%d", ",".join(missing), partitions)
        return missing
    finally:
        await admin.close()


async def ensure_catalogue(settings: Settings) -> list[str]:
    """Create the missing topics of the catalogue, compacted where the catalogue says so."""
    prefix = settings.topic_prefix
    return await ensure_topics(
        client_kwargs(settings), [topic_name(spec, prefix) for spec in CATALOGUE],
        settings.partitions, settings.replication_factor,
        [topic_name(spec, prefix) for spec in CATALOGUE if spec.compacted])


class PartitionMismatchError(RuntimeError):
    """A state changelog does not have its source topic's partition count."""


async def partition_counts(kafka: Mapping[str, Any], names: Iterable[str]) -> dict[str, int]:
    """The partition count of each existing topic of ``names``."""
    admin = AIOKafkaAdminClient(**kafka)
    await admin.start()
    try:
        return await counts_with(admin, names)
    finally:
        await admin.close()


async def counts_with(admin: AIOKafkaAdminClient, names: Iterable[str]) -> dict[str, int]:
    """:func:`partition_counts` through a started admin client.

    Every topic's metadata is asked for, not the named ones': a Metadata request naming a
    missing topic has a broker with ``auto.create.topics.enable`` (Kafka's default) create
    it, with the broker's partition count and no compaction.
    """
    wanted = set(names)
    return {topic["topic"]: len(topic["partitions"]) for topic in await admin.describe_topics()
            if topic["error_code"] == 0 and topic["topic"] in wanted}


async def ensure_changelogs(settings: Settings) -> dict[str, int]:
    """Create the track runtime's state changelogs, each with its source topic's partitions.

    The state of partition ``p`` of ``tracks.updates`` (``ais.nmea``) is written to partition
    ``p`` of its changelogs, so they must have the same count; an existing changelog with
    another count (the source topic was re-created or grown) stops the worker at start.

    Returns:
        The partition count of every changelog.

    Raises:
        PartitionMismatchError: a changelog and its source topic differ.
    """
    from pipeline.transport.state_store import changelog_topic
    from pipeline.transport.track_path import STORES

    kafka = client_kwargs(settings)
    prefix, group = settings.topic_prefix, settings.group_id
    sources = {topic_name(spec, prefix): stores for spec, stores in STORES.items()}
    counts = await partition_counts(kafka, sources)
    wanted: dict[str, int] = {}
    for source, stores in sources.items():
        names = [changelog_topic(prefix, group, store) for store in stores]
        await ensure_topics(kafka, names, counts[source], settings.replication_factor, names)
        wanted |= dict.fromkeys(names, counts[source])
    have = await partition_counts(kafka, wanted)
    for name, count in wanted.items():
        if have.get(name) != count:
            raise PartitionMismatchError(
                f"state changelog {name} has {have.get(name)} partitions, its source topic "
                f"has {count}: delete the changelog (its state is rebuilt from nothing) or "
                f"use a new ADIZWATCH_GROUP_ID")
    return have
