"""Counters of what each stage did, in Prometheus form (prometheus-client).

- ``adizwatch_records_total{stage, topic, outcome}`` counts every record a stage handled,
  once. For the decode stages the outcome is ``accepted`` (track updates out),
  ``no_track_data`` (valid, nothing to track: an SBS ``AIR`` line, an AIS base-station
  report, a buffered AIS fragment) or ``deadletter``, so per input topic
  received = accepted + no_track_data + deadletter.
- ``adizwatch_deadletters_total{stage, topic, reason, unit}`` counts every dead letter
  written: ``unit="record"`` for a whole record (these are the ``deadletter`` outcomes
  above), ``unit="part"`` for one part of an accepted record (an aircraft of a snapshot, an
  NMEA sentence, an AIS fragment group that never completed).

:func:`serve` exposes the registry over HTTP in the Prometheus text format. A private
registry per worker keeps tests independent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.records = Counter("adizwatch_records", "Records handled, by stage, topic and outcome",
                               ["stage", "topic", "outcome"], registry=self.registry)
        self.deadletters = Counter(
            "adizwatch_deadletters",
            "Dead letters written, by stage, topic and reason; unit=record for a whole record, "
            "unit=part for one part of an accepted record",
            ["stage", "topic", "reason", "unit"], registry=self.registry)

        self.records_out = Counter("adizwatch_records_out", "Records produced, by stage and topic",
                                   ["stage", "topic"], registry=self.registry)
        self.latency = Histogram(
            "adizwatch_processing_latency_seconds",
            "Time from a consumed record's timestamp to its processing, by stage",
            ["stage"], registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
        self.lag = Gauge("adizwatch_consumer_lag", "Records behind the end, by partition",
                         ["topic", "partition"], registry=self.registry)
        self.batch = Histogram("adizwatch_batch_size", "Records per processed batch",
                               registry=self.registry,
                               buckets=(1, 10, 50, 100, 250, 500, 1000, 2000))

    def count_out(self, stage: str, topic: str, n: int = 1) -> None:
        self.records_out.labels(stage, topic).inc(n)

    def observe_latency(self, stage: str, seconds: float) -> None:
        self.latency.labels(stage).observe(seconds)

    def observe_batch(self, n: int) -> None:
        self.batch.observe(n)

    def set_lag(self, topic: str, partition: int, lag: int) -> None:
        self.lag.labels(topic, str(partition)).set(lag)

    def forget_partition(self, topic: str, partition: int) -> None:
        with contextlib.suppress(KeyError):
            self.lag.remove(topic, str(partition))

    def count(self, stage: str, topic: str, outcome: str, reason: str | None,
              part_reasons: Iterable[str] = ()) -> None:
        self.records.labels(stage, topic, outcome).inc()
        if reason is not None:
            self.deadletters.labels(stage, topic, reason, "record").inc()
        for part_reason in part_reasons:
            self.deadletters.labels(stage, topic, part_reason, "part").inc()

    def stats(self) -> dict[str, float]:
        """A snapshot: ``"<metric>{labels}" -> value`` for every sample with a value."""
        snapshot: dict[str, float] = {}
        for metric in self.registry.collect():
            for sample in metric.samples:
                if sample.name.endswith("_total"):
                    labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
                    snapshot[f"{sample.name}{{{labels}}}"] = sample.value
        return snapshot

    def exposition(self) -> bytes:
        """The Prometheus text format."""
        return generate_latest(self.registry)

    def serve(self, port: int, addr: str = "0.0.0.0") -> None:
        """Expose the registry at ``http://<addr>:<port>/metrics`` from a daemon thread.

        Raises:
            OSError: the port cannot be bound.
        """
        start_http_server(port, addr=addr, registry=self.registry)
