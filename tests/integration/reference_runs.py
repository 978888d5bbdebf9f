"""The no-loss tests' common ground: one input, a reference run of it, and the comparison.

Input: the two bundled recordings the demo replays (``pipeline/data/feeds/SOURCES.md``), oldest
first, under one key as one receiver's recording (as ``pipeline/demo.py`` does: each
``tracks.points`` partition then sees event time move forward only), with the hostile lines of
``test_pipeline.py`` spread through the first so the dead-letter path runs too.

Reference: the same input through one worker of its own deployment, fed once the worker is
ready (faust 0.15.3 can mishandle records waiting at start-up, ``docs/broker-differences.md``)
and run until its group has committed every input. A guard checks it against the offline
oracle (``tests/pipeline_oracle.py``), so a broken reference cannot hide a loss.

Comparison, per output topic: records are identified by their ``event_id`` (events), by
track and event time (track points: the merge stage emits at most one point per track and
time) or by the input record they reject (dead letters). A run matches the reference when it
has the same set of identities, none missing and none extra, and every copy of an identity
equals the reference's record. Only a dead letter's ``received_at`` may differ: it is the
processing time of the rejection by design; its ``topic`` is compared without the
deployment's prefix.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import orjson

from pipeline.demo import bundled_feeds, bundled_flightplans, bundled_watchlists
from pipeline.geofence.zones import default_zone_dir, load_zone_files
from pipeline.settings import Settings
from pipeline.transport.progress import pipeline_lag
from pipeline.transport.replay import ReplayRecord, read_feed
from pipeline.worker import identify_context
from tests.integration.kafka_io import read_all, replay_sources, wait_until
from tests.integration.test_pipeline import HOSTILE_LINES
from tests.pipeline_oracle import run_offline

if TYPE_CHECKING:
    from tests.integration.conftest import Deployment, Workers

FEED_KEY = b"feeds"
"""The topics the worker group consumes: caught up when it has committed all of them."""

ZONE_EVENTS = "zones.events"
IDENTIFICATIONS = "alerts.identification"
POINTS = "tracks.points"
DEADLETTERS = "adizwatch.deadletter"
EVENT_TOPICS = (ZONE_EVENTS, IDENTIFICATIONS)
OUTPUT_TOPICS = (*EVENT_TOPICS, POINTS, DEADLETTERS)

_IDENTITY: dict[str, tuple[str, ...]] = {
    ZONE_EVENTS: ("event_id",),
    IDENTIFICATIONS: ("event_id",),
    POINTS: ("track_id", "ts_ms"),
    DEADLETTERS: ("stage", "partition", "offset"),
}
_VOLATILE: dict[str, tuple[str, ...]] = {DEADLETTERS: ("received_at",)}
_DESCRIBE = ("event_id", "type", "track_id", "zone_id", "time", "identity", "stage", "reason",
             "partition", "offset")
_SHOWN = 25  # records listed per kind of difference; the counts are always complete

Record = dict[str, object]
Outputs = dict[str, list[Record]]
"""What a deployment wrote: the decoded records of each output topic (unprefixed name)."""


def feed_sources() -> list[list[ReplayRecord]]:
    """The input: the bundled recordings oldest first, hostile lines spread through the first."""
    sources = sorted((read_feed(path) for path in bundled_feeds()),
                     key=lambda records: min(r.time_ms for r in records if r.time_ms))
    first = sources[0]
    step = len(first) // (len(HOSTILE_LINES) + 1)
    for i, bad in enumerate(HOSTILE_LINES, start=1):
        # No time of its own: sent right after its neighbour, the pacing is unchanged.
        first.insert(i * step + i - 1, ReplayRecord(None, bad, None))
    return sources


def speed_for(replay_s: float) -> float:
    """The replay speed at which :func:`feed_sources` takes about ``replay_s`` seconds."""
    span_ms = 0
    for records in feed_sources():
        times = [r.time_ms for r in records if r.time_ms is not None]
        span_ms += max(times) - min(times)
    return span_ms / 1000.0 / replay_s


def replay_feeds(deployment: Deployment, speed: float | None) -> int:
    """Replay :func:`feed_sources` into the deployment's ``adsb.sbs``; returns the count sent."""
    return replay_sources(deployment.bootstrap_servers, deployment.topic("adsb.sbs"),
                          feed_sources(), FEED_KEY, speed)


def wait_caught_up(deployment: Deployment, workers: Workers, timeout_s: float = 120) -> None:
    def lag() -> str:
        lagging = asyncio.run(pipeline_lag({"bootstrap_servers": [deployment.bootstrap_servers]},
                                           deployment.prefix, deployment.group_id))
        return f"lag per partition: {lagging}\n{workers.log_text()}"

    wait_until(deployment.caught_up, timeout_s, "the worker group to commit every input", lag)


def collect(deployment: Deployment) -> Outputs:
    """Every record of the deployment's output topics, decoded."""
    outputs: Outputs = {}
    for topic in OUTPUT_TOPICS:
        records = [orjson.loads(value) for _, value in
                   read_all(deployment.bootstrap_servers, deployment.topic(topic),
                            deployment.partitions)]
        if topic == DEADLETTERS:
            for letter in records:
                letter["topic"] = str(letter["topic"]).removeprefix(deployment.prefix)
        outputs[topic] = records
    return outputs


def run_reference(deployment: Deployment, workers: Workers) -> Outputs:
    """The input through one worker, uninterrupted, checked against the offline oracle."""
    worker = workers.start()
    workers.wait_ready(worker)
    sent = replay_feeds(deployment, None)
    wait_caught_up(deployment, workers)
    assert workers.stop(worker) == 0, workers.log_text()
    reference = collect(deployment)
    settings = Settings(watchlists=tuple(bundled_watchlists()),
                        flightplans=tuple(bundled_flightplans()))
    oracle = run_offline([record.value for records in feed_sources() for record in records],
                         load_zone_files([default_zone_dir()]), identify_context(settings))
    problems = [diff.report() for diff in (
        compare_topic(ZONE_EVENTS, oracle.zone_events, reference[ZONE_EVENTS]),
        compare_topic(IDENTIFICATIONS, oracle.identifications, reference[IDENTIFICATIONS]))
        if not diff.ok(duplicates_allowed=False)]
    for topic, expected in ((POINTS, oracle.points), (DEADLETTERS, len(oracle.deadletters))):
        if len(reference[topic]) != expected:
            problems.append(f"{topic}: {len(reference[topic])} records, the oracle has "
                            f"{expected}")
    assert not problems, ("the reference run differs from the offline oracle (input "
                          f"{sent} records)\n" + "\n".join(problems))
    # The recordings' 44 zone events (test_pipeline.py) are what the no-loss tests watch.
    assert len(oracle.zone_events) == 44 and len(oracle.deadletters) == len(HOSTILE_LINES)
    return reference


def _identity(topic: str, record: Record) -> Hashable:
    return tuple(record.get(name) for name in _IDENTITY[topic])


def _comparable(topic: str, record: Record) -> Record:
    volatile = _VOLATILE.get(topic, ())
    return {k: v for k, v in record.items() if k not in volatile}


def _describe(record: Record) -> str:
    return " ".join(f"{k}={record[k]}" for k in _DESCRIBE if k in record)


def _field_diff(reference: Record, copy: Record) -> str:
    names = sorted(set(reference) | set(copy))
    return "; ".join(f"{k}: reference={reference.get(k)!r} run={copy.get(k)!r}"
                     for k in names if reference.get(k) != copy.get(k))


@dataclass
class TopicDiff:
    """How one output topic of a run differs from the reference's."""

    topic: str
    reference_count: int
    run_count: int
    missing: list[Record] = field(default_factory=list)
    extra: list[Record] = field(default_factory=list)
    differing: list[tuple[Record, Record]] = field(default_factory=list)  # (reference, copy)
    duplicates: int = 0  # copies beyond the first of each identity (identical or not)
    reference_duplicates: int = 0

    def ok(self, duplicates_allowed: bool) -> bool:
        return not (self.missing or self.extra or self.differing or self.reference_duplicates
                    or (self.duplicates and not duplicates_allowed))

    def report(self) -> str:
        lines = [f"{self.topic}: reference {self.reference_count} records, run "
                 f"{self.run_count} records ({self.duplicates} duplicate copies)"]
        if self.reference_duplicates:
            lines.append(f"  the reference itself has {self.reference_duplicates} duplicates")

        def listed(title: str, items: Sequence[str]) -> None:
            if items:
                lines.append(f"  {title} ({len(items)}):")
                lines.extend(f"    {item}" for item in items[:_SHOWN])
                if len(items) > _SHOWN:
                    lines.append(f"    ... and {len(items) - _SHOWN} more")

        listed("missing", [_describe(r) for r in self.missing])
        listed("extra", [_describe(r) for r in self.extra])
        listed("differing copies", [f"{_describe(ref)}\n      {_field_diff(ref, copy)}"
                                    for ref, copy in self.differing])
        return "\n".join(lines)


def compare_topic(topic: str, reference: Iterable[Record], run: Iterable[Record]) -> TopicDiff:
    ref_by_id: dict[Hashable, Record] = {}
    diff = TopicDiff(topic, 0, 0)
    for record in reference:
        diff.reference_count += 1
        key = _identity(topic, record)
        if key in ref_by_id:
            diff.reference_duplicates += 1
        ref_by_id[key] = record
    seen: set[Hashable] = set()
    for record in run:
        diff.run_count += 1
        key = _identity(topic, record)
        expected = ref_by_id.get(key)
        if key in seen:
            diff.duplicates += 1
        elif expected is None:
            diff.extra.append(record)
        seen.add(key)
        if expected is not None and (_comparable(topic, expected)
                                     != _comparable(topic, record)):
            diff.differing.append((expected, record))
    diff.missing = [record for key, record in ref_by_id.items() if key not in seen]
    return diff


def compare(reference: Outputs, run: Outputs,
            topics: Sequence[str] = OUTPUT_TOPICS) -> list[TopicDiff]:
    return [compare_topic(topic, reference[topic], run[topic]) for topic in topics]


def assert_same_outputs(reference: Outputs, run: Outputs, duplicates_allowed: bool,
                        context: str = "") -> dict[str, int]:
    """Fail with every difference unless ``run`` matches ``reference``.

    Args:
        duplicates_allowed: extra copies of an identity pass if they equal the reference's.
        context: printed with a failure (seed, kill schedule).

    Returns:
        The number of duplicate copies per topic.
    """
    diffs = compare(reference, run)
    failed = [diff for diff in diffs if not diff.ok(duplicates_allowed)]
    assert not failed, "\n".join([context, *(diff.report() for diff in diffs)])
    print("duplicate copies (identical to the reference): "
          + ", ".join(f"{diff.topic} {diff.duplicates}" for diff in diffs))
    return {diff.topic: diff.duplicates for diff in diffs}
