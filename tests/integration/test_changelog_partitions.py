"""The track runtime's state changelogs follow their source topics' partition counts, and a
worker refuses to start when an existing changelog does not match (its state would land on
the wrong partitions)."""

from __future__ import annotations

import asyncio

from pipeline.settings import Settings
from pipeline.transport.admin import ensure_topics, partition_counts
from tests.integration.conftest import Deployment, Workers
from tests.integration.kafka_io import wait_until


def _kafka(deployment: Deployment) -> dict[str, object]:
    return {"bootstrap_servers": [deployment.bootstrap_servers]}


def test_changelogs_take_the_partitions_of_their_source_topic(deployment: Deployment,
                                                              workers: Workers) -> None:
    kafka = _kafka(deployment)
    updates = deployment.topic("tracks.updates")
    asyncio.run(ensure_topics(kafka, [updates], 6, 1))  # an operator's choice: 6, not 4
    workers.start()
    memory = f"{deployment.prefix}{deployment.group_id}-track-memory-changelog"
    fragments = f"{deployment.prefix}{deployment.group_id}-ais-fragments-changelog"
    wait_until(lambda: workers.is_ready(workers.started[0]), 60, "the worker to be ready",
               workers.log_text)
    counts = asyncio.run(partition_counts(kafka, [updates, memory, fragments]))
    assert counts == {updates: 6, memory: 6, fragments: 4}, counts


def test_a_changelog_with_another_partition_count_stops_the_worker(deployment: Deployment,
                                                                    workers: Workers) -> None:
    kafka = _kafka(deployment)
    memory = f"{deployment.prefix}{deployment.group_id}-track-memory-changelog"
    asyncio.run(ensure_topics(kafka, [memory], 2, 1, [memory]))  # left from another layout
    worker = workers.start()
    assert worker.wait(60) == 2, workers.log_text()
    assert f"state changelog {memory} has 2 partitions, its source topic has 4" in (
        workers.log_text())
    assert Settings().partitions == 4  # the source topic was created with the default
