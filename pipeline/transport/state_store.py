"""Stage state per partition, backed by a compacted changelog topic.

A stage keeps its state in memory, one :class:`PartitionStore` per store and input
partition (the track stage's stores follow ``tracks.updates`` partitions, the AIS reassembly
store follows ``ais.nmea``). Every change marks its key dirty; the runtime writes the latest
value of each dirty key to the store's changelog (same partition number, key = state key,
null value = deleted) once the outputs of the batch that changed it are acknowledged, and
then commits the input offsets. On assignment a worker rebuilds a partition's store by
reading that changelog partition from the beginning to its end.

The changelog topic of store ``S`` is ``{prefix}{group}-{S}-changelog`` (the name faust
would give a table ``S`` of app ``{group}``), compacted, with the input topic's partition
count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition

V = TypeVar("V")


class PartitionStore(Generic[V]):
    """One partition of one store: ``key -> value`` objects that remember what changed.

    Values are kept as objects (a track's memory, geofence or identity state) and turned
    into bytes only when the changelog is written, once per key and batch, with ``dump``;
    ``load`` reads them back on recovery.
    """

    __slots__ = ("_data", "_logged", "dirty", "dump", "load_value", "name", "partition")

    def __init__(self, name: str, partition: int, dump: Callable[[V], bytes],
                 load: Callable[[bytes], V]) -> None:
        self.name = name
        self.partition = partition
        self.dump = dump
        self.load_value = load
        self._data: dict[bytes, V] = {}
        self.dirty: set[bytes] = set()
        self._logged: set[bytes] = set()
        """Keys whose latest changelog record is a value: only those need a tombstone."""

    def get(self, key: bytes, /) -> V | None:
        return self._data.get(key)

    def __setitem__(self, key: bytes, value: V, /) -> None:
        self._data[key] = value
        self.dirty.add(key)

    def __delitem__(self, key: bytes, /) -> None:
        if self._data.pop(key, None) is not None:
            self.dirty.add(key)

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._data)

    def items(self) -> Iterable[tuple[bytes, V]]:
        return self._data.items()

    def load(self, key: bytes, value: bytes | None) -> None:
        """Apply one changelog record (recovery: not marked dirty)."""
        if value is None:
            self._data.pop(key, None)
            self._logged.discard(key)
        else:
            self._data[key] = self.load_value(value)
            self._logged.add(key)

    def take_changes(self) -> list[tuple[bytes, V | None]]:
        """The changed keys with their current value (None = deleted); clears the marks.

        A key set and deleted again between two calls, never written to the changelog, is
        left out: the changelog has nothing to delete (the held reports of a track are
        usually released before the next checkpoint).

        Values are never changed in place (every stage step makes a new one), so the
        returned objects keep the state of this moment and can be serialised later.
        """
        data, logged = self._data, self._logged
        changes: list[tuple[bytes, V | None]] = []
        for key in self.dirty:
            value = data.get(key)
            if value is not None:
                logged.add(key)
            elif key in logged:
                logged.discard(key)
            else:
                continue
            changes.append((key, value))
        self.dirty.clear()
        return changes


def changelog_topic(prefix: str, group_id: str, store: str) -> str:
    return f"{prefix}{group_id}-{store}-changelog"


async def recover(reader: AIOKafkaConsumer,
                  wanted: dict[TopicPartition, PartitionStore[Any]]) -> int:
    """Fill each store from its changelog partition, beginning to end; returns records read.

    ``reader`` is a consumer outside any group; the end offsets are read before reading, so
    records written meanwhile (there are none: this worker owns the partition) are not
    awaited.
    """
    if not wanted:
        return 0
    tps = list(wanted)
    reader.assign(tps)
    ends = await reader.end_offsets(tps)
    await reader.seek_to_beginning(*tps)
    remaining = {tp for tp in tps if ends.get(tp, 0) > 0}
    count = 0
    while remaining:
        batch = await reader.getmany(*remaining, timeout_ms=200, max_records=10_000)
        for tp, records in batch.items():
            store = wanted[tp]
            for record in records:
                if record.offset < ends[tp] and record.key is not None:
                    store.load(record.key, record.value)
                    count += 1
        for tp in list(remaining):
            if await reader.position(tp) >= ends[tp]:
                remaining.discard(tp)
    reader.assign([])
    return count
