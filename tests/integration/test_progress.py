"""A group's lag is read over every partition the cluster has, not ADIZWATCH_PARTITIONS."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from pipeline.transport.admin import ensure_topics, partition_counts
from pipeline.transport.progress import lagging_partitions, pipeline_lag
from tests.integration.conftest import Deployment


def test_lag_counts_every_partition_of_a_topic_created_wider(deployment: Deployment) -> None:
    kafka = {"bootstrap_servers": [deployment.bootstrap_servers]}
    sbs = deployment.topic("adsb.sbs")           # an operator made it 6 wide, not 4
    missing = deployment.topic("adsb.readsb")    # not created: no lag, and still absent

    async def go() -> tuple[dict[TopicPartition, int], dict[TopicPartition, int], set[str]]:
        await ensure_topics(kafka, [sbs], 6, 1)
        producer = AIOKafkaProducer(**kafka)
        await producer.start()
        try:
            for partition, count in ((0, 2), (5, 3)):
                for i in range(count):
                    await producer.send_and_wait(sbs, b"line %d" % i, partition=partition)
        finally:
            await producer.stop()
        group = AIOKafkaConsumer(**kafka, group_id=deployment.group_id,
                                 enable_auto_commit=False)
        await group.start()
        try:  # the group has done partition 0, not partition 5
            group.assign([TopicPartition(sbs, 0)])
            await group.commit({TopicPartition(sbs, 0): OffsetAndMetadata(2, "")})
        finally:
            await group.stop()
        lagging = await lagging_partitions(kafka, deployment.group_id, [sbs, missing])
        whole = await pipeline_lag(kafka, deployment.prefix, deployment.group_id)
        return lagging, whole, set(await partition_counts(kafka, [sbs, missing]))

    lagging, whole, topics = asyncio.run(go())
    assert lagging == {TopicPartition(sbs, 5): 3}
    assert whole == {TopicPartition(sbs, 5): 3}
    assert topics == {sbs}
