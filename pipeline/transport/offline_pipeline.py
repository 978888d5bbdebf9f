"""The track path run without a broker, over partitions in memory, under any schedule.

The same :class:`~pipeline.transport.track_path.TrackPath` the workers run, with its stores
in memory: input records are fed to the partition of their topic that the producer's
default partitioner gives their key; decoded updates go to an in-memory ``tracks.updates``
partition queue (or, like the direct step of a worker that owns every partition, are held
at once), each source's mark follows its updates on
every queue, and :meth:`OfflinePipeline.deliver` and :meth:`OfflinePipeline.release` run
the track stage. The caller chooses the schedule: which input partition is consumed when,
how late the queues are delivered, when marks and releases happen. The determinism tests
drive it with skewed and shuffled schedules; the integration tests' oracle with the plain
one (:meth:`OfflinePipeline.run`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from aiokafka.partitioner import DefaultPartitioner

from pipeline.eventtime.watermarks import Mark
from pipeline.transport.handlers import Output, RecordMeta
from pipeline.transport.state_store import PartitionStore
from pipeline.transport.topics import TRACK_UPDATES, TopicSpec
from pipeline.transport.track_path import (
    INPUTS,
    Direct,
    Processed,
    Stores,
    TrackPath,
    encode_mark,
    new_stores,
    source_clock,
    source_name,
)

_PARTITIONER = DefaultPartitioner()


def partition_of(key: bytes, partitions: int) -> int:
    """The partition Kafka's default (murmur2) partitioner gives ``key``."""
    every = list(range(partitions))
    chosen: int = _PARTITIONER(key, every, every)
    return chosen


class OfflinePipeline:
    """Input partitions, ``tracks.updates`` queues and their stores, in memory."""

    def __init__(self, path: TrackPath, partitions: int = 4, direct: bool = True,
                 inputs: Sequence[TopicSpec] = INPUTS) -> None:
        self.path = path
        self.partitions = partitions
        self.direct = direct
        self.inputs = tuple(inputs)
        self._input_stores: dict[tuple[TopicSpec, int], dict[str, PartitionStore[Any]]] = {
            (spec, p): new_stores(spec, p) for spec in self.inputs for p in range(partitions)}
        self.stores = [new_stores(TRACK_UPDATES, p) for p in range(partitions)]
        self._queues: list[deque[tuple[bytes | None, bytes, int]]] = [
            deque() for _ in range(partitions)]
        self._offsets: dict[tuple[str, int], int] = {}
        self._sent: dict[tuple[TopicSpec, int], Mark] = {}
        self.sources = tuple(source_name(spec.name, p) for spec in self.inputs
                             for p in range(partitions))
        self.outputs: list[Output] = []
        """Every output, in the order produced (``tracks.updates`` records excluded)."""

    def input_partition(self, key: bytes | None, record_index: int) -> int:
        """The partition a keyed record goes to (keyless: round robin by index)."""
        if key is None:
            return record_index % self.partitions
        return partition_of(key, self.partitions)

    def _offset(self, topic: str, partition: int) -> int:
        offset = self._offsets.get((topic, partition), 0)
        self._offsets[(topic, partition)] = offset + 1
        return offset

    def feed(self, spec: TopicSpec, partition: int, key: bytes | None, raw: bytes,
             record_ts_ms: int, now_ms: int) -> Processed:
        """One input record through its decode stage on ``partition``; what it made."""
        meta = RecordMeta(spec.name, partition, self._offset(spec.name, partition),
                          record_ts_ms)
        stores = self._input_stores[(spec, partition)]
        done = self.path.process(spec, key, raw, meta, stores, now_ms,
                                 self._direct_for(partition))
        self._take(done, record_ts_ms)
        return done

    def _direct_for(self, partition: int) -> Direct | None:
        """As one worker owning every partition: every update is held at once."""
        if not self.direct:
            return None
        stores, partitions = self.stores, self.partitions

        def direct(own: bytes) -> tuple[int, Stores] | None:
            q = partition_of(own, partitions)
            return q, stores[q]

        return direct

    def _take(self, done: Processed, record_ts_ms: int = 0) -> None:
        for handled in (done.handled, *done.steps):
            for out in handled.outputs:
                if out.topic is TRACK_UPDATES:
                    assert out.key is not None
                    self._queues[partition_of(out.key, self.partitions)].append(
                        (out.key, out.value, record_ts_ms))
                else:
                    self.outputs.append(out)

    def mark(self, spec: TopicSpec, partition: int, idle: bool) -> None:
        """Send the source's mark to every queue (if it changed), after its updates; an idle
        source first lets go of the first reports it holds (``TrackPath.settle``)."""
        if idle:
            settled = self.path.settle(spec, partition, self._input_stores[(spec, partition)],
                                       0, self._direct_for(partition))
            if settled is not None:
                self._take(settled)
        mark = Mark(source_clock(self._input_stores[(spec, partition)], spec).wm_ms, idle)
        if self._sent.get((spec, partition)) == mark:
            return
        self._sent[(spec, partition)] = mark
        value = encode_mark(source_name(spec.name, partition), mark)
        for queue in self._queues:
            queue.append((None, value, 0))

    def deliver(self, partition: int, now_ms: int, limit: int | None = None) -> None:
        """Consume up to ``limit`` queued records of one ``tracks.updates`` partition."""
        queue = self._queues[partition]
        n = len(queue) if limit is None else min(limit, len(queue))
        for _ in range(n):
            key, value, ts = queue.popleft()
            meta = RecordMeta(TRACK_UPDATES.name, partition,
                              self._offset(TRACK_UPDATES.name, partition), ts)
            done = self.path.process(TRACK_UPDATES, key, value, meta, self.stores[partition],
                                     now_ms)
            self.outputs.extend(done.handled.outputs)

    def release(self, partition: int, now_ms: int) -> None:
        for handled in self.path.release(partition, self.stores[partition], self.sources,
                                         now_ms):
            self.outputs.extend(handled.outputs)

    def settle(self, now_ms: int, idle: bool = False) -> None:
        """Every source's mark sent, every queue delivered, every partition released."""
        for spec in self.inputs:
            for p in range(self.partitions):
                self.mark(spec, p, idle)
        for p in range(self.partitions):
            self.deliver(p, now_ms)
            self.release(p, now_ms)

    def run(self, records: Iterable[tuple[TopicSpec, bytes | None, bytes, int]],
            now_ms: int = 0) -> list[Output]:
        """The plain schedule: records in the given order (each to its key's partition),
        marks, delivery and release after each; at the end every source idle."""
        for i, (spec, key, raw, record_ts_ms) in enumerate(records):
            partition = self.input_partition(key, i)
            self.feed(spec, partition, key, raw, record_ts_ms, now_ms)
            self.mark(spec, partition, False)
            for p in range(self.partitions):
                self.deliver(p, now_ms)
                self.release(p, now_ms)
        self.finish(now_ms)
        return self.outputs

    def finish(self, now_ms: int) -> None:
        """End of input: every source idle, everything held released."""
        self.settle(now_ms, idle=True)

    def held(self) -> int:
        """Tracks with reports still held, over all partitions."""
        return sum(self.path.held(p, stores) for p, stores in enumerate(self.stores))

    def stores_of(self, partition: int) -> Mapping[str, PartitionStore[Any]]:
        return self.stores[partition]
