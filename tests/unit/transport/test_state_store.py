"""The runtime's building blocks without a broker: partition stores remember what changed,
and records land on the partition Kafka's default partitioner would choose."""

from __future__ import annotations

import random

from aiokafka.partitioner import DefaultPartitioner

from pipeline.transport.batch_send import key_partition
from pipeline.transport.state_store import PartitionStore, changelog_topic


def _store() -> PartitionStore[str]:
    return PartitionStore("s", 3, str.encode, bytes.decode)


def test_a_store_reports_each_changed_key_once_with_its_latest_value() -> None:
    store = _store()
    store[b"a"] = "1"
    store[b"a"] = "2"
    store[b"b"] = "x"
    del store[b"b"]
    del store[b"never"]  # nothing to delete: not a change
    # b was set and deleted before the changelog ever had it: nothing to write for it.
    assert sorted(store.take_changes()) == [(b"a", "2")]
    assert store.take_changes() == []
    assert (store.get(b"a"), store.get(b"b"), len(store)) == ("2", None, 1)
    # Once written, a deletion is a tombstone.
    del store[b"a"]
    assert store.take_changes() == [(b"a", None)]
    store[b"a"] = "3"
    del store[b"a"]
    assert store.take_changes() == []


def test_a_recovered_key_deleted_is_a_tombstone() -> None:
    store = _store()
    store.load(b"a", b"1")
    del store[b"a"]
    assert store.take_changes() == [(b"a", None)]


def test_recovered_records_are_state_not_changes() -> None:
    store = _store()
    store.load(b"a", b"1")
    store.load(b"b", b"2")
    store.load(b"b", None)  # a tombstone
    assert dict(store.items()) == {b"a": "1"}
    assert store.take_changes() == []


def test_keys_land_where_the_default_partitioner_puts_them() -> None:
    rng = random.Random(6)
    partitioner = DefaultPartitioner()
    for _ in range(2000):
        key = f"icao24:{rng.randrange(1 << 24):06x}".encode()
        count = rng.choice([1, 3, 4, 12])
        assert key_partition(key, count) == partitioner(key, list(range(count)), [])


def test_changelog_names_follow_the_faust_convention() -> None:
    assert changelog_topic("p.", "adizwatch", "track-memory") == (
        "p.adizwatch-track-memory-changelog")
