"""The co-partitioned assignment: partition p of every topic goes to one member."""

from __future__ import annotations

from aiokafka.cluster import ClusterMetadata
from aiokafka.coordinator.protocol import ConsumerProtocolMemberMetadata

from pipeline.transport.copartition import CopartitionedAssignor, deal

TOPICS = ("adsb.sbs", "tracks.canonical", "tracks.updates")


def test_each_partition_number_goes_to_one_member_with_every_topic() -> None:
    dealt = deal({"b": TOPICS, "a": TOPICS}, {t: range(4) for t in TOPICS})
    assert dealt == {"a": {t: [0, 2] for t in TOPICS}, "b": {t: [1, 3] for t in TOPICS}}


def test_topics_with_more_partitions_keep_their_numbers_together() -> None:
    partitions = {"adsb.sbs": range(4), "tracks.updates": range(6)}
    dealt = deal({m: partitions for m in ("m0", "m1", "m2")}, partitions)
    assert dealt == {
        "m0": {"adsb.sbs": [0, 3], "tracks.updates": [0, 3]},
        "m1": {"adsb.sbs": [1], "tracks.updates": [1, 4]},
        "m2": {"adsb.sbs": [2], "tracks.updates": [2, 5]},
    }


def test_every_partition_is_assigned_once_even_to_unequal_subscriptions() -> None:
    partitions = {t: range(5) for t in TOPICS}
    members = {"a": TOPICS, "b": ("adsb.sbs",), "c": TOPICS}
    dealt = deal(members, partitions)
    owned = sorted((t, p) for topics in dealt.values() for t, ps in topics.items() for p in ps)
    assert owned == sorted((t, p) for t in TOPICS for p in range(5))
    for member, topics in dealt.items():
        assert set(topics) <= set(members[member])


def test_more_members_than_partitions_leaves_some_idle() -> None:
    dealt = deal({m: TOPICS for m in "abcde"}, {t: range(2) for t in TOPICS})
    assert [sorted(dealt[m]) for m in "abcde"] == [list(sorted(TOPICS))] * 2 + [[]] * 3


def test_the_assignor_speaks_the_consumer_protocol() -> None:
    cluster = ClusterMetadata()
    cluster._partitions = {t: {p: None for p in range(4)} for t in TOPICS}
    metadata = CopartitionedAssignor.metadata(list(TOPICS))
    members = {"m1": metadata, "m0": ConsumerProtocolMemberMetadata(0, list(TOPICS), b"")}
    assignment = CopartitionedAssignor.assign(cluster, members)
    assert sorted(assignment["m0"].assignment) == [(t, [0, 2]) for t in sorted(TOPICS)]
    assert sorted(assignment["m1"].assignment) == [(t, [1, 3]) for t in sorted(TOPICS)]
    assert CopartitionedAssignor.name == "adizwatch-copartitioned"
