"""The Tansu workarounds in ``pipeline.transport.tansu_compat``, on a real embedded broker.

The broker is started by this module's own fixture (a fresh, empty broker; failing to
start fails the tests, never skips). Topics and groups get uuid names.

Without the workarounds both tests fail; this was checked by hand:

* ``end_offsets()`` after batches of 5, 7 and 3 records answered 13 (the last batch's
  base offset + 1) instead of 15, and 1 instead of 4 after one batch of 4;
  ``seek_to_end()`` gave the same wrong positions.
* The counter worker run with ``--without-workarounds`` (3 of 3 runs): after the
  first restart the hot counter went on from 49 or 40 instead of 50 ("output #51 is
  50, expected 51"), and the restarted worker took 12.6 s instead of 4.5 s to be
  ready, because the first worker left generation 0 without a LeaveGroup.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.structs import TopicPartition

from pipeline.transport.broker import BrokerStartError, EmbeddedBroker
from pipeline.transport.tansu_compat import apply_tansu_workarounds, tansu_workarounds_applied

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
COUNTER_APP = Path(__file__).with_name("_tansu_counter_app.py")
PARTITIONS = 4


@pytest.fixture(scope="module")
def compat_broker() -> Iterator[EmbeddedBroker]:
    """A fresh embedded broker for this module; failing to start fails the tests."""
    embedded = EmbeddedBroker()
    try:
        embedded.start()
    except BrokerStartError as exc:
        pytest.fail(f"embedded broker did not start:\n{exc}", pytrace=False)
    try:
        yield embedded
    finally:
        embedded.stop()


def _name(kind: str) -> str:
    return f"test-{kind}-{uuid.uuid4().hex[:12]}"


async def _create_topics(bootstrap_servers: str, *names: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, PARTITIONS, 1) for name in names])
    finally:
        await admin.close()


# --- latest offsets ---------------------------------------------------------------

# Batches per partition: several batches where the bug shows (it answers the last
# batch's base offset + 1), a single batch, an empty partition, and single records.
BATCHES: dict[int, list[int]] = {0: [5, 7, 3], 1: [4], 2: [], 3: [1, 1, 1, 20, 2]}


async def _produce_batches(bootstrap_servers: str, topic: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers)
    await producer.start()
    try:
        for partition, sizes in BATCHES.items():
            for size in sizes:
                batch = producer.create_batch()
                for i in range(size):
                    batch.append(key=None, value=f"{partition}:{i}".encode(), timestamp=None)
                # Awaiting each batch before the next keeps them separate on the broker.
                await (await producer.send_batch(batch, topic, partition=partition))
    finally:
        await producer.stop()


async def _offsets(
    bootstrap_servers: str, topic: str
) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """Return end_offsets, beginning_offsets and positions after seek_to_end."""
    tps = [TopicPartition(topic, p) for p in range(PARTITIONS)]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers)
    await consumer.start()
    try:
        end = await consumer.end_offsets(tps)
        beginning = await consumer.beginning_offsets(tps)
        consumer.assign(tps)
        await consumer.seek_to_end(*tps)
        positions = {tp.partition: await consumer.position(tp) for tp in tps}
    finally:
        await consumer.stop()
    return (
        {tp.partition: end[tp] for tp in tps},
        {tp.partition: beginning[tp] for tp in tps},
        positions,
    )


def test_end_offsets_are_high_watermarks(compat_broker: EmbeddedBroker) -> None:
    apply_tansu_workarounds()
    topic = _name("offsets")
    expected_end = {partition: sum(sizes) for partition, sizes in BATCHES.items()}

    async def scenario() -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
        await _create_topics(compat_broker.bootstrap_servers, topic)
        await _produce_batches(compat_broker.bootstrap_servers, topic)
        return await _offsets(compat_broker.bootstrap_servers, topic)

    end, beginning, positions = asyncio.run(scenario())

    assert end == expected_end
    assert positions == expected_end
    assert beginning == dict.fromkeys(BATCHES, 0)


def test_apply_is_idempotent() -> None:
    apply_tansu_workarounds()
    apply_tansu_workarounds()
    assert tansu_workarounds_applied()


# --- faust table recovery across restarts ------------------------------------------

HOT_KEY = "hot"
COLD_KEYS = [f"k{i}" for i in range(5)]
# One round: 50 updates of one counter plus 10 of five others, interleaved.
ROUND_KEYS = [HOT_KEY] * 50 + COLD_KEYS * 10
ROUNDS = 3


class CounterWorker:
    """``_tansu_counter_app.py`` as a child process, stopped with SIGTERM like in prod."""

    def __init__(self, log_path: Path, argv: list[str], cwd: Path) -> None:
        self.log_path = log_path
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p
        )
        with log_path.open("wb") as log_file:
            self.process = subprocess.Popen(
                [sys.executable, str(COUNTER_APP), *argv],
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )

    async def wait_ready(self) -> None:
        """Wait for faust's "Worker ready" (recovery done, streams seeked); fail on exit."""
        while "Worker ready" not in self.log_path.read_text(errors="replace"):
            if self.process.poll() is not None:
                pytest.fail(
                    f"worker exited with {self.process.returncode} before it was ready:\n"
                    f"{self.log_tail()}"
                )
            await asyncio.sleep(0.1)

    def terminate(self) -> int:
        """SIGTERM and wait for a graceful exit; return the exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


async def _produce_round(bootstrap_servers: str, topic: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers)
    await producer.start()
    try:
        # Chunks with a flush between them, so each changelog partition also gets
        # several batches (the case the ListOffsets bug gets wrong).
        for start in range(0, len(ROUND_KEYS), 7):
            for key in ROUND_KEYS[start : start + 7]:
                await producer.send(topic, key=key.encode(), value=b"1")
            await producer.flush()
    finally:
        await producer.stop()


class SinkReader:
    """Reads the worker's output topic from the beginning: every value sent per key."""

    def __init__(self, bootstrap_servers: str, topic: str) -> None:
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers)
        self._tps = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        self.values: dict[str, list[int]] = {}

    async def start(self) -> None:
        await self._consumer.start()
        self._consumer.assign(self._tps)
        await self._consumer.seek_to_beginning(*self._tps)

    async def stop(self) -> None:
        await self._consumer.stop()

    def summary(self) -> dict[str, str]:
        """Per key: how many values arrived and the last one."""
        return {key: f"{len(v)} values, last {v[-1]}" for key, v in sorted(self.values.items())}

    def count(self) -> int:
        return sum(len(v) for v in self.values.values())

    async def read_until(self, total: int, worker: CounterWorker) -> None:
        """Read until ``total`` values have arrived; fail if the worker dies first."""
        while self.count() < total:
            if worker.process.poll() is not None:
                pytest.fail(
                    f"worker exited with {worker.process.returncode} after "
                    f"{self.count()}/{total} outputs:\n{worker.log_tail()}"
                )
            batches = await self._consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    assert record.key is not None and record.value is not None
                    self.values.setdefault(record.key.decode(), []).append(int(record.value))


def _expected_counts(rounds: int) -> dict[str, list[int]]:
    expected = {HOT_KEY: list(range(1, 50 * rounds + 1))}
    expected.update({key: list(range(1, 10 * rounds + 1)) for key in COLD_KEYS})
    return expected


def _mismatches(actual: dict[str, list[int]], expected: dict[str, list[int]]) -> dict[str, str]:
    """Describe, per key, where the output values first depart from 1..N."""
    problems: dict[str, str] = {}
    for key in sorted(actual.keys() | expected.keys()):
        got, want = actual.get(key, []), expected.get(key, [])
        if got == want:
            continue
        at = next((i for i, (g, w) in enumerate(zip(got, want, strict=False)) if g != w), None)
        where = (
            f"output #{at + 1} is {got[at]}, expected {want[at]}"
            if at is not None
            else "one is a prefix of the other"
        )
        problems[key] = f"{len(got)} outputs (expected {len(want)}), last {got[-1:]}; {where}"
    return problems


@pytest.mark.timeout(300)
def test_table_recovers_exactly_across_restarts(
    compat_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    """Count per key, restart the worker twice: every counter continues exactly.

    Each source record yields one output with the counter's new value, so the outputs
    per key must be exactly 1..N: a recovery that stopped early repeats a value
    (49 then 50 again), reprocessing after a restart duplicates values.

    Each round's input is produced after the worker logged "Worker ready". When input
    was already waiting at start-up, faust 0.15.3 lost or duplicated records in about
    a third of the runs (2 records skipped and the last one processed twice per
    partition), with or without the workarounds: faust's recovery resumes the stream
    partitions before it seeks them to their committed offsets, so records fetched
    in between are handed to the agent, then the seek rewinds the consumer under it.
    That is a faust start-up race, not table recovery, and it is not what this test
    is about; see ``docs/broker-differences.md``.
    """
    app_id, source, sink = _name("app"), _name("source"), _name("sink")
    asyncio.run(_create_topics(compat_broker.bootstrap_servers, source, sink))
    argv = [
        "--broker",
        compat_broker.bootstrap_servers,
        "--app-id",
        app_id,
        "--source",
        source,
        "--sink",
        sink,
        "--partitions",
        str(PARTITIONS),
        "--datadir",
        str(tmp_path / "data"),
    ]

    async def scenario() -> None:
        reader = SinkReader(compat_broker.bootstrap_servers, sink)
        await reader.start()
        try:
            for round_no in range(1, ROUNDS + 1):
                log_path = tmp_path / f"worker-{round_no}.log"
                started = time.monotonic()
                worker = CounterWorker(log_path, argv, cwd=tmp_path)
                try:
                    # Input is produced only once the worker is ready: records that
                    # wait for a starting worker hit a faust race (see the docstring).
                    await worker.wait_ready()
                    ready = time.monotonic()
                    await _produce_round(compat_broker.bootstrap_servers, source)
                    await reader.read_until(len(ROUND_KEYS) * round_no, worker)
                    processed = time.monotonic()
                    code = worker.terminate()
                    stopped = time.monotonic()
                except BaseException:
                    # Also reached when pytest-timeout fires: say how far it got.
                    worker.kill()
                    print(f"round {round_no}: outputs so far {reader.summary()}")
                    print(f"--- worker {round_no} log ---\n{worker.log_tail()}")
                    raise
                # Timings are reported, not asserted (pytest-timeout bounds the test).
                print(
                    f"round {round_no}: spawn to ready {ready - started:.1f} s, "
                    f"produce+process {processed - ready:.1f} s, "
                    f"SIGTERM to exit {stopped - processed:.1f} s"
                )
                assert code == 0, f"worker exited with {code}:\n{worker.log_tail()}"
                if round_no == 1:
                    # Tansu's first generation is 0: only the patched coordinator
                    # leaves then, and its log line names the group and generation.
                    assert "LeaveGroup request succeeded group=" in worker.log_tail(200)
                problems = _mismatches(reader.values, _expected_counts(round_no))
                assert not problems, f"after round {round_no}: {problems}"
        finally:
            await reader.stop()

    asyncio.run(scenario())
