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
