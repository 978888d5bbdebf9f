"""The co-partitioned assignment of the track runtime's group: a worker owns partition ``p``
of every topic it consumes, or none of them.

The direct step (``track_path.py``) runs a decoded update's track step on the stores of
``tracks.updates`` partition ``p`` when the input record came from partition ``p`` of its
topic. That is only right if the same worker owns both, at every moment: aiokafka's default
round-robin assignor lays the partitions of all topics out in one list and deals them to
the members, so input ``p`` and ``tracks.updates`` ``p`` usually land on different workers.
This assignor deals partition *numbers* instead: number ``p`` goes to member
``p mod members`` (members in id order), with every subscribed topic's partition ``p``, as
Kafka Streams co-partitions the inputs of a join. Topics with fewer partitions simply have
no partition ``p`` for the higher numbers. Eager rebalancing (aiokafka's) revokes
everything before it assigns, so a worker never holds input ``p`` without
``tracks.updates`` ``p``.

The runtime offers this assignor first and aiokafka's round-robin assignor second. The
group coordinator picks a protocol every member supports, so a rolling upgrade from workers
that only knew round-robin keeps one working group: it runs round-robin until the last old
member has left, then switches to this one at the next rebalance (seen on the embedded
broker too). The direct step stays correct under any assignment: it is taken only for a
``tracks.updates`` partition the worker owns, and an eager rebalance lands everything
before a partition moves; round-robin merely sends more updates through the hop.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping

from aiokafka.cluster import ClusterMetadata
from aiokafka.coordinator.assignors.abstract import AbstractPartitionAssignor
from aiokafka.coordinator.protocol import (
    ConsumerProtocolMemberAssignment,
    ConsumerProtocolMemberMetadata,
)

log = logging.getLogger(__name__)


def deal(members: Mapping[str, Iterable[str]], partitions: Mapping[str, Iterable[int]],
         ) -> dict[str, dict[str, list[int]]]:
    """Partition numbers dealt to members: ``{member: {topic: [partition, ...]}}``.

    Args:
        members: each member's subscribed topics.
        partitions: each topic's partition numbers.
    """
    order = sorted(members)
    subscribed = {member: set(topics) for member, topics in members.items()}
    numbers = sorted({p for topic_partitions in partitions.values() for p in topic_partitions})
    by_topic = {topic: set(ps) for topic, ps in partitions.items()}
    dealt: dict[str, dict[str, list[int]]] = {member: defaultdict(list) for member in order}
    for number in numbers:
        first = number % len(order)
        for topic in sorted(by_topic):
            if number not in by_topic[topic]:
                continue
            # The number's member, or (a member not subscribed to the topic) the next one
            # that is: with the identical subscriptions of the runtime, always the first.
            for i in range(len(order)):
                member = order[(first + i) % len(order)]
                if topic in subscribed[member]:
                    dealt[member][topic].append(number)
                    break
    return {member: dict(topics) for member, topics in dealt.items()}


class CopartitionedAssignor(AbstractPartitionAssignor):  # type: ignore[misc]
    """Partition ``p`` of every subscribed topic to the same member (module docstring)."""

    name = "adizwatch-copartitioned"
    version = 0

    @classmethod
    def assign(cls, cluster: ClusterMetadata,
               members: Mapping[str, ConsumerProtocolMemberMetadata],
               ) -> dict[str, ConsumerProtocolMemberAssignment]:
        topics = {topic for metadata in members.values() for topic in metadata.subscription}
        partitions: dict[str, set[int]] = {}
        for topic in topics:
            found = cluster.partitions_for_topic(topic)
            if found is None:
                log.warning("no partition metadata for topic %s", topic)
                continue
            partitions[topic] = set(found)
        dealt = deal({member: metadata.subscription for member, metadata in members.items()},
                     partitions)
        return {member: ConsumerProtocolMemberAssignment(
                    cls.version, sorted((topic, sorted(ps)) for topic, ps in dealt[member].items()),
                    b"")
                for member in members}

    @classmethod
    def metadata(cls, topics: Iterable[str]) -> ConsumerProtocolMemberMetadata:
        return ConsumerProtocolMemberMetadata(cls.version, list(topics), b"")

    @classmethod
    def on_assignment(cls, assignment: ConsumerProtocolMemberAssignment) -> None:
        pass
