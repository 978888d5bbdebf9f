"""The track path's runtime: one aiokafka consumer-group member per worker, in batches.

Why not faust agents here: measured on this machine's broker, a faust agent costs about
150-250 us per record (pass-through A -> B: ~4k records/s; consume only: ~14k/s; a table
write per record: ~4.2k/s), which caps a three-agent track path near 2k points/s. A plain
aiokafka loop over ``getmany`` batches does the same consume/produce work for a few
microseconds per record (``bench/bench_pipeline.py`` measures both in the same run). faust
keeps hosting the worker and the ``zones.config`` agent, where volume is low.

The order of the work (the at-least-once contract, ``docs/operating.md``):

1. ``getmany`` returns a batch of records of the assigned partitions (inputs and
   ``tracks.updates``); each goes through :class:`~pipeline.transport.track_path.TrackPath`
   in partition order, changing the in-memory stores of its partition;
2. the batch's outputs are sent at once (one aiokafka batch per partition, ``acks=all``),
   and processing goes on with the next batch; after each batch and each empty poll, the
   owned input partitions whose event-time mark changed (watermark, or idle: caught up and
   silent for the idle timeout) send it to every ``tracks.updates`` partition, after those
   outputs, and each owned ``tracks.updates`` partition steps what its watermark releases
   (``docs/time.md``), its outputs sent the same way;
3. every :data:`COMMIT_INTERVAL_S` the processed records "land": the changed state is
   captured (the current value of each changed key, by reference: values are never changed
   in place), serialised in chunks between batches, and once every output sent so far is
   acknowledged and the previous landing is done, written to the stores' changelogs (by a
   producer of their own, so that they never queue the outputs) and acknowledged;
4. then the input offsets processed up to the capture are committed.

A crash before a landing's state is written leaves the changelog behind the outputs: the
replayed records produce the same outputs again, with the same deterministic ``event_id``
(duplicates of identical records). A crash between 3 and 4 leaves the state ahead of the
committed offsets: the replayed reports are then duplicates or late for their tracks and
produce nothing new; their outputs were acknowledged before the state was written. State
is never written before the outputs of the records that made it are acknowledged, so
nothing accepted is lost.

Rebalances: an asyncio lock is held while a batch is processed. On revocation the listener
takes the lock and lands everything processed, then drops the revoked partitions' stores.
On assignment it takes the lock and rebuilds the new partitions' stores from their
changelogs before any of their records is processed; records fetched for a partition that
is not ready yet are not processed: the consumer is sought back to them.

A failure to produce or to write the changelog stops the worker with an error: its
in-memory state may be ahead of what the broker holds, and only a restart (state
rebuilt from the changelogs) is safe. A failed commit (the group rebalanced meanwhile) is
logged: the new owner processes those records again.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError

from pipeline.eventtime.watermarks import Mark
from pipeline.transport.batch_send import BatchSender, KeyPartitions
from pipeline.transport.copartition import CopartitionedAssignor
from pipeline.transport.handlers import Handled, Output, RecordMeta
from pipeline.transport.state_store import PartitionStore, changelog_topic, recover
from pipeline.transport.topics import (
    IDENTIFICATIONS,
    TRACK_UPDATES,
    ZONE_EVENTS,
    TopicSpec,
    topic_name,
)
from pipeline.transport.track_path import (
    INPUTS,
    TOPICS,
    Direct,
    Stores,
    TrackPath,
    encode_mark,
    new_stores,
    source_clock,
    source_name,
)

log = logging.getLogger(__name__)

MAX_RECORDS = 300
"""Records per ``getmany`` batch: large enough to amortise the acknowledgements, small
enough to keep a batch near 30 ms (a record's outputs go out when its whole batch is
done, so a batch's duration adds to the alert latency of its first records)."""
GC_THRESHOLDS = (50_000, 20, 100)
"""The cyclic collector's thresholds while the runtime runs (see :meth:`TrackRuntime.run`)."""
POLL_MS = 200
FETCH_MAX_WAIT_MS = 25
"""How long the broker may hold a fetch with no new records (aiokafka's default: 500 ms).
Each record crosses two fetches (input, then ``tracks.updates``); measured on the embedded
broker, the default held the alert latency near a second."""
COMMIT_INTERVAL_S = 2.0
"""How often the processed records land (state written, offsets committed), like faust's
``commit_interval`` (2.8 s). A track reporting every second changes its state a few times
per interval and is written once; a restart repeats at most this much input."""
MAX_IN_FLIGHT = 2
"""Landings under way: processing goes on while the broker acknowledges them."""

_SendRecord = tuple[str, int | None, bytes | None, bytes | None]
_Captured = tuple[str, PartitionStore[Any], list[tuple[bytes, Any]]]  # changelog, store, changes
SERIALISE_CHUNK = 250


class RuntimeMetrics(Protocol):
    """What the runtime reports (``pipeline.metrics.Metrics`` implements it)."""

    def count(self, stage: str, topic: str, outcome: str, reason: str | None,
              part_reasons: Iterable[str] = ()) -> None: ...

    def count_records(self, stage: str, topic: str, outcome: str, n: int) -> None: ...

    def count_out(self, stage: str, topic: str, n: int = 1) -> None: ...

    def count_event(self, type: str) -> None: ...

    def count_identification(self, identity: str, trigger: str) -> None: ...

    def count_late(self, topic: str, n: int) -> None: ...

    def observe_latency(self, stage: str, seconds: float) -> None: ...

    def observe_batch(self, n: int) -> None: ...

    def set_lag(self, topic: str, partition: int, lag: int) -> None: ...

    def forget_partition(self, topic: str, partition: int) -> None: ...


class Liveness(Protocol):
    def beat(self) -> None: ...

    def set_ready(self, ready: bool, reason: str) -> None: ...


class RuntimeStopped(RuntimeError):
    """The runtime stopped on an error it cannot recover from in-process."""


@dataclass(frozen=True, slots=True)
class RuntimeConfig:
    prefix: str
    group_id: str
    kafka: Mapping[str, Any]
    """Client keyword arguments of every client (bootstrap, client id, security)."""
    group_timings: Mapping[str, Any]
    """Extra keyword arguments of the group consumer (session and heartbeat)."""


@dataclass(slots=True)
class _Batch:
    outputs: list[tuple[str, Output]] = field(default_factory=list)  # (stage, output)
    offsets: dict[TopicPartition, int] = field(default_factory=dict)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class TrackRuntime:
    """Consumes the track path's topics and runs :class:`TrackPath` over them."""

    def __init__(self, config: RuntimeConfig, path: TrackPath, metrics: RuntimeMetrics,
                 health: Liveness | None = None) -> None:
        self.config = config
        self.path = path
        self.metrics = metrics
        self.health = health
        self._specs: dict[str, TopicSpec] = {topic_name(s, config.prefix): s for s in TOPICS}
        self._stores: dict[TopicPartition, dict[str, PartitionStore[Any]]] = {}
        self._ready: set[TopicPartition] = set()
        self._lock = asyncio.Lock()
        self._stopping = asyncio.Event()
        self._stopped = asyncio.Event()
        self._consumer: AIOKafkaConsumer | None = None
        self._producer: AIOKafkaProducer | None = None
        self._sender: BatchSender | None = None
        self._state_producer: AIOKafkaProducer | None = None
        self._state_sender: BatchSender | None = None
        self._flights: deque[asyncio.Future[None]] = deque()
        self._unlanded_acks: list[asyncio.Future[Any]] = []
        self._unlanded_offsets: dict[TopicPartition, int] = {}
        self._last_landing = time.monotonic()
        self._failure: RuntimeStopped | None = None
        self._reader: AIOKafkaConsumer | None = None
        self._updates_topic = topic_name(TRACK_UPDATES, config.prefix)
        self._updates_count = 0  # partitions of tracks.updates, known once assigned
        self._track_partitions = KeyPartitions()  # track key -> tracks.updates partition
        self._active: dict[TopicPartition, tuple[int | None, int]] = {}
        """Input partition -> (next offset, processing time of its last record or of its
        assignment), for the idle test."""
        self._sent_marks: dict[TopicPartition, Mark] = {}  # sent on tracks.updates
        self._local_marks: dict[tuple[TopicPartition, TopicPartition], Mark] = {}
        """(input partition, owned tracks.updates partition) -> the mark applied here."""
        self._catch_up: dict[int, int] = {}
        """Owned ``tracks.updates`` partition -> its end offset when it was assigned: until
        it has been consumed that far, the direct source's marks are not applied to it."""
        self._sources: tuple[str, ...] = ()  # every input partition, once assigned

    @property
    def topics(self) -> list[str]:
        return list(self._specs)

    def changelog(self, store: str) -> str:
        return changelog_topic(self.config.prefix, self.config.group_id, store)

    async def run(self) -> None:
        """Consume until :meth:`stop`; raises :class:`RuntimeStopped` on a fatal error."""
        self._producer = self._new_producer()
        self._sender = BatchSender(self._producer)
        # The changelogs have a producer of their own: aiokafka sends one request at a time
        # per broker connection, and a batch for a partition waits until the one before it
        # has left; a landing's thousands of state records would hold the next batches'
        # outputs (and the loop that hands them over) behind them.
        self._state_producer = self._new_producer()
        self._state_sender = BatchSender(self._state_producer)
        self._reader = AIOKafkaConsumer(group_id=None, enable_auto_commit=False,
                                        auto_offset_reset="earliest", **self.config.kafka)
        self._consumer = AIOKafkaConsumer(
            group_id=self.config.group_id, enable_auto_commit=False,
            auto_offset_reset="earliest", max_poll_records=MAX_RECORDS,
            fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
            partition_assignment_strategy=(CopartitionedAssignor, RoundRobinPartitionAssignor),
            **self.config.kafka, **self.config.group_timings)
        # Everything loaded so far (zones, tables, libraries) lives as long as the worker:
        # keep it out of the collector's scans, which otherwise pause the loop for tens of ms.
        gc.freeze()
        # The stage states are replaced at every report and freed by reference counting;
        # with the default thresholds (700, 10, 10) the collector still ran every few
        # hundred records and its pauses held back whole batches (bench_pipeline latency
        # phase: p50 119 -> 57 ms, p99 721 -> 322 ms with these thresholds).
        gc.set_threshold(*GC_THRESHOLDS)
        try:
            await self._producer.start()
            await self._state_producer.start()
            await self._reader.start()
            await self._consumer.start()
            self._consumer.subscribe(self.topics, listener=_Listener(self))
            log.info("track runtime started group=%s topics=%d", self.config.group_id,
                     len(self.topics))
            await self._loop(self._consumer)
        finally:
            if self.health is not None:
                self.health.set_ready(False, "stopped")
            await self._close()
            self._stopped.set()

    def _new_producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(acks="all", linger_ms=0, max_batch_size=512 * 1024,
                                **self.config.kafka)

    async def stop(self, timeout_s: float = 20.0) -> None:
        """Finish the batch in flight, commit, leave the group."""
        self._stopping.set()
        try:
            await asyncio.wait_for(self._stopped.wait(), timeout_s)
        except TimeoutError:
            log.warning("track runtime did not stop within %.0f s", timeout_s)

    async def _close(self) -> None:
        for client in (self._consumer, self._reader, self._producer, self._state_producer):
            if client is not None:
                try:
                    await client.stop()
                except Exception:  # closing after a failure: report, keep closing
                    log.exception("closing a Kafka client failed")

    async def _loop(self, consumer: AIOKafkaConsumer) -> None:
        while not self._stopping.is_set():
            if self.health is not None:
                self.health.beat()
            self._check_flights()
            batch = await consumer.getmany(timeout_ms=POLL_MS, max_records=MAX_RECORDS)
            async with self._lock:
                if batch:
                    await self._run_batch(consumer, batch)
                await self._run_event_time(consumer)
                if time.monotonic() - self._last_landing >= COMMIT_INTERVAL_S:
                    await self._launch_landing()
        # Only a clean stop lands what is left. After an error (or a cancellation) the
        # in-memory state may hold changes whose outputs never reached the broker: nothing
        # more is written, and the successor repeats the records after the last commit.
        await self._land_all()

    def _check_flights(self) -> None:
        """Raise the error of a landing that failed; forget the landed ones."""
        if self._failure is not None:
            raise self._failure
        while self._flights and self._flights[0].done():
            self._flights.popleft().result()

    async def _land_all(self) -> None:
        """Land what was processed: state written, offsets committed."""
        await self._launch_landing()
        while self._flights:
            await self._flights.popleft()

    async def _run_batch(self, consumer: AIOKafkaConsumer,
                         fetched: Mapping[TopicPartition, list[ConsumerRecord[Any, Any]]],
                         ) -> None:
        now_ms = _now_ms()
        batch = _Batch()
        processed = 0
        for tp, records in fetched.items():
            if not records:
                continue
            if tp not in self._ready:
                consumer.seek(tp, records[0].offset)  # fetched before its state was rebuilt
                continue
            processed += len(records)
            self._process(tp, records, now_ms, batch)
            batch.offsets[tp] = records[-1].offset + 1
            if tp in self._active:
                self._active[tp] = (batch.offsets[tp], now_ms)
            highwater = consumer.highwater(tp)
            if highwater is not None:
                self.metrics.set_lag(tp.topic, tp.partition, highwater - batch.offsets[tp])
        if not batch.offsets:
            return
        self.metrics.observe_batch(processed)
        self._unlanded_acks.extend(await self._produce_outputs(batch.outputs, []))
        self._unlanded_offsets.update(batch.offsets)

    async def _run_event_time(self, consumer: AIOKafkaConsumer) -> None:
        """Send the owned input partitions' marks that changed, then step what the
        watermarks of the owned ``tracks.updates`` partitions released."""
        now_ms = _now_ms()
        batch = _Batch()
        tally: dict[tuple[str, str, str], int] = {}
        marks = await self._marks(consumer, now_ms, batch, tally)
        for tp in list(self._ready):
            if tp.topic != self._updates_topic:
                continue
            stores = self._stores[tp]
            for handled in self.path.release(tp.partition, stores, self._sources, now_ms):
                self._tally(tally, "release", self._updates_topic, handled, batch.outputs)
        for (stage, counted, outcome), n in tally.items():
            self.metrics.count_records(stage, counted, outcome, n)
        if batch.outputs or marks:
            self._unlanded_acks.extend(await self._produce_outputs(batch.outputs, marks))

    async def _marks(self, consumer: AIOKafkaConsumer, now_ms: int, batch: _Batch,
                     tally: dict[tuple[str, str, str], int]) -> list[_SendRecord]:
        """The mark records of the owned input partitions whose mark changed. A partition
        found idle first lets go of the first reports it holds (``TrackPath.settle``); their
        outputs join ``batch``, ahead of the marks."""
        if not self._updates_count:
            return []
        idle_ms = self.path.limits.idle_ms
        records: list[_SendRecord] = []
        local = [q for q in self._ready if q.topic == self._updates_topic]
        remote_skip = {q.partition for q in local}
        for tp, (next_offset, active_ms) in self._active.items():
            if tp not in self._ready:
                continue
            idle = False
            highwater = consumer.highwater(tp)
            if highwater is not None and now_ms - active_ms >= idle_ms:
                if next_offset is None:
                    try:
                        next_offset = await consumer.position(tp)
                    except IllegalStateError:  # revoked meanwhile: its listener runs next
                        continue
                idle = next_offset >= highwater
            spec = self._specs[tp.topic]
            if idle:
                settled = self.path.settle(spec, tp.partition, self._stores[tp], now_ms,
                                           self._direct(tp))
                if settled is not None:
                    for step in settled.steps:
                        self._tally(tally, "track", self._updates_topic, step, batch.outputs)
                    batch.outputs.extend((settled.stage, out) for out in settled.handled.outputs)
            mark = Mark(source_clock(self._stores[tp], spec).wm_ms, idle)
            name = source_name(spec.name, tp.partition)
            # The partitions ready here hold this input's updates directly: its mark is
            # applied to them here, stored with those reports (a mark on the topic would
            # outlive them in a crash); the others get it on the topic, after the updates.
            for q in local:
                if self._local_marks.get((tp, q)) != mark and await self._caught_up(
                        consumer, q):
                    self.path.apply_mark(self._stores[q], name, mark)
                    self._local_marks[(tp, q)] = mark
            if self._sent_marks.get(tp) == mark:
                continue
            self._sent_marks[tp] = mark
            value = encode_mark(name, mark)
            records.extend((self._updates_topic, p, None, value)
                           for p in range(self._updates_count) if p not in remote_skip)
        return records

    async def _caught_up(self, consumer: AIOKafkaConsumer, tp: TopicPartition) -> bool:
        """Has this worker consumed ``tracks.updates`` partition ``tp`` up to where it was
        when assigned? Only then may the direct source's marks be applied to it: an earlier
        owner's updates may still wait there, older than the mark."""
        end = self._catch_up.get(tp.partition)
        if end is None:
            return True
        try:
            position = await consumer.position(tp)
        except IllegalStateError:
            return False
        if position < end:
            return False
        del self._catch_up[tp.partition]
        return True

    async def _launch_landing(self) -> None:
        """Start landing everything processed since the last landing (in order after it)."""
        self._last_landing = time.monotonic()
        if self._failure is not None:
            raise self._failure
        if not self._unlanded_offsets and not self._unlanded_acks:
            return
        assert self._consumer is not None
        # The state the processed records left, captured now: later batches change it.
        changes = self._capture_state()
        previous = self._flights[-1] if self._flights else None
        self._flights.append(asyncio.ensure_future(self._land(
            self._consumer, previous, self._unlanded_acks, changes, self._unlanded_offsets)))
        self._unlanded_acks, self._unlanded_offsets = [], {}
        while len(self._flights) > MAX_IN_FLIGHT:
            await self._flights.popleft()  # back-pressure; raises a landing's error

    async def _land(self, consumer: AIOKafkaConsumer, previous: asyncio.Future[None] | None,
                    acked: list[asyncio.Future[Any]], changes: list[_Captured],
                    offsets: dict[TopicPartition, int]) -> None:
        """In order: the outputs acknowledged, the previous landing done, the state changes
        written and acknowledged, the offsets committed."""
        assert self._state_sender is not None
        try:
            records = await self._serialise(changes)
            await asyncio.gather(*acked)
            if previous is not None:
                await previous
            await self._state_sender.send_all(records)
        except Exception as exc:
            # Sticky: every later landing and the loop itself stop on it (a rebalance
            # listener's error alone would only be logged by aiokafka).
            self._failure = self._failure or RuntimeStopped(f"landing failed: {exc!r}")
            raise self._failure from exc
        if not offsets:  # only released reports (the input was quiet): nothing to commit
            return
        try:
            await consumer.commit(offsets)
        except CommitFailedError as exc:
            log.warning("commit failed (the group rebalanced); the next owner repeats "
                        "these records: %s", exc)

    def _process(self, tp: TopicPartition, records: list[ConsumerRecord[Any, Any]],
                 now_ms: int, batch: _Batch) -> None:
        spec = self._specs[tp.topic]
        stores = self._stores.get(tp, {})
        direct = self._direct(tp)
        observe = self.metrics.observe_latency
        topic, partition, updates = tp.topic, tp.partition, self._updates_topic
        outputs = batch.outputs
        tally: dict[tuple[str, str, str], int] = {}  # (stage, topic, outcome): once per batch
        for record in records:
            meta = RecordMeta(topic, partition, record.offset, record.timestamp)
            raw = record.value if isinstance(record.value, bytes) else b""
            done = self.path.process(spec, record.key, raw, meta, stores, now_ms, direct)
            self._tally(tally, done.stage, topic, done.handled, outputs)
            # A direct step is counted as the track stage's record of tracks.updates, as if
            # its update had crossed the hop: the track stage's figures do not depend on the
            # way an update took, and each input topic counts each of its records once.
            for step in done.steps:
                self._tally(tally, "track", updates, step, outputs)
            if done.handled.late:
                self.metrics.count_late(topic, done.handled.late)
            observe(done.stage, max(0, now_ms - record.timestamp) / 1000)
        for (stage, counted, outcome), n in tally.items():
            self.metrics.count_records(stage, counted, outcome, n)

    def _tally(self, tally: dict[tuple[str, str, str], int], stage: str, topic: str,
               handled: Handled, outputs: list[tuple[str, Output]]) -> None:
        """Count one handled record (in ``tally`` unless it wrote dead letters) and take
        its outputs."""
        if handled.reason is None and not handled.part_reasons:
            key = (stage, topic, handled.outcome)
            tally[key] = tally.get(key, 0) + 1
        else:
            self.metrics.count(stage, topic, handled.outcome, handled.reason,
                               handled.part_reasons)
        for out in handled.outputs:
            outputs.append((stage, out))

    def _direct(self, tp: TopicPartition) -> Direct | None:
        """The direct step's route for the records of input partition ``tp``: an update of a
        track of a ``tracks.updates`` partition ready here is held there at once."""
        if tp.topic == self._updates_topic or not self._updates_count:
            return None
        topic, count, partition_of = self._updates_topic, self._updates_count, \
            self._track_partitions.of
        routes: dict[int, tuple[int, Stores]] = {
            q.partition: (q.partition, self._stores[q]) for q in self._ready
            if q.topic == topic}
        if not routes:
            return None

        def direct(key: bytes) -> tuple[int, Stores] | None:
            return routes.get(partition_of(topic, key, count))

        return direct

    async def _produce_outputs(self, outputs: list[tuple[str, Output]],
                               marks: list[_SendRecord]) -> list[asyncio.Future[Any]]:
        """Hand the outputs, then the marks, to the producer; the futures resolve when they
        are acknowledged. The marks go after the outputs: a ``tracks.updates`` partition
        must hold a source's updates before the mark that covers them."""
        assert self._sender is not None
        prefix = self.config.prefix
        names: dict[TopicSpec, str] = {}
        records: list[_SendRecord] = []
        produced: dict[tuple[str, str], int] = {}
        for stage, out in outputs:
            name = names.get(out.topic)
            if name is None:
                name = names[out.topic] = topic_name(out.topic, prefix)
            records.append((name, None, out.key, out.value))
            produced[(stage, name)] = produced.get((stage, name), 0) + 1
            if out.topic is ZONE_EVENTS or out.topic is IDENTIFICATIONS:
                self._count_alert(out)
        for (stage, name), n in produced.items():
            self.metrics.count_out(stage, name, n)
        records.extend(marks)
        try:
            return await self._sender.enqueue(records)
        except KafkaError as exc:
            raise RuntimeStopped(f"producing outputs failed: {exc!r}") from exc

    def _count_alert(self, out: Output) -> None:
        data = orjson.loads(out.value)  # alerts are few next to points: decoding is cheap
        if out.topic is ZONE_EVENTS:
            self.metrics.count_event(str(data.get("type")))
        else:
            self.metrics.count_identification(str(data.get("identity")),
                                              str(data.get("type")))

    def _capture_state(self) -> list[_Captured]:
        """Every changed store key with its value now (cheap: no serialisation here)."""
        return [(self.changelog(store.name), store, changes)
                for stores in self._stores.values() for store in stores.values()
                if (changes := store.take_changes())]

    @staticmethod
    async def _serialise(captured: list[_Captured]) -> list[_SendRecord]:
        """The captured state as changelog records, yielding to the loop between chunks
        (thousands of tracks change in an interval: one pass would stall processing)."""
        records: list[_SendRecord] = []
        done = 0
        for topic, store, changes in captured:
            dump, partition = store.dump, store.partition
            for key, value in changes:
                records.append((topic, partition, key, None if value is None else dump(value)))
                done += 1
                if done % SERIALISE_CHUNK == 0:
                    await asyncio.sleep(0)
        return records

    async def assigned(self, partitions: set[TopicPartition]) -> None:
        async with self._lock:
            wanted: dict[TopicPartition, PartitionStore[Any]] = {}
            for tp in partitions:
                stores = new_stores(self._specs[tp.topic], tp.partition)
                self._stores[tp] = stores
                for name, store in stores.items():
                    wanted[TopicPartition(self.changelog(name), tp.partition)] = store
            started = time.monotonic()
            assert self._reader is not None and self._consumer is not None
            updates_count = len(self._consumer.partitions_for_topic(self._updates_topic) or ())
            if updates_count != self._updates_count:
                self._updates_count = updates_count
                self._track_partitions.forget()
            self._sources = tuple(
                source_name(spec.name, p) for spec in INPUTS
                for p in sorted(self._consumer.partitions_for_topic(
                    topic_name(spec, self.config.prefix)) or ()))
            now_ms = _now_ms()
            for tp in partitions:
                if self._specs[tp.topic] is not TRACK_UPDATES:
                    self._active[tp] = (None, now_ms)
            owned = [tp for tp in partitions if tp.topic == self._updates_topic]
            if owned:
                ends = await self._reader.end_offsets(owned)
                self._catch_up.update({tp.partition: ends.get(tp, 0) for tp in owned
                                       if ends.get(tp, 0) > 0})
            count = await recover(self._reader, wanted)
            self._ready |= partitions
            log.info("partitions assigned count=%d state_records=%d recovered_in=%.2fs",
                     len(partitions), count, time.monotonic() - started)
            if self.health is not None:
                self.health.set_ready(True, f"running ({len(self._ready)} partitions)")

    async def revoked(self, partitions: set[TopicPartition]) -> None:
        async with self._lock:  # no batch is being processed
            await self._land_all()  # and every processed one is committed
            for tp in partitions:
                self._ready.discard(tp)
                self._stores.pop(tp, None)
                self._active.pop(tp, None)
                if tp.topic == self._updates_topic:
                    self._catch_up.pop(tp.partition, None)
                    # The inputs that stay send their marks on the topic again, to it too.
                    self._sent_marks.clear()
                for pair in [pair for pair in self._local_marks if tp in pair]:
                    del self._local_marks[pair]
                self._sent_marks.pop(tp, None)
                self.metrics.forget_partition(tp.topic, tp.partition)
                if self._specs[tp.topic] is TRACK_UPDATES:
                    self.path.forget(tp.partition)
            log.info("partitions revoked count=%d", len(partitions))


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, runtime: TrackRuntime) -> None:
        self.runtime = runtime

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        await self.runtime.revoked(set(revoked))

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        await self.runtime.assigned(set(assigned))
