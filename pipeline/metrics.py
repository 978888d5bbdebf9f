"""What each worker did and how it is doing, in Prometheus form (prometheus-client).

Counters (the exposition adds ``_total``):

- ``adizwatch_records_total{stage, topic, outcome}`` counts every record a stage handled,
  once. For the decode stages the outcome is ``accepted`` (track updates out),
  ``no_track_data`` (valid, nothing to track: an SBS ``AIR`` line, an AIS base-station
  report, a buffered AIS fragment) or ``deadletter``, so per input topic
  received = accepted + no_track_data + deadletter. The track stage counts each
  ``tracks.updates`` record (and each update held at once by the direct step) as ``held``,
  ``late`` (its track's partition has released past it), ``mark`` (an input partition's
  watermark) or ``deadletter``; stage ``release`` counts each held report when it is
  stepped, with the step's outcome (``first``, ``segment``, ``gap``, ``duplicate``,
  ``late``, ``merged``), and ``lost`` for a batch of timer-fired losses (``docs/time.md``).
- ``adizwatch_late_reports_total{topic}`` counts decoded reports skipped as late by their
  input partition's event-time clock (older than its watermark less the allowed lateness).
- ``adizwatch_deadletters_total{stage, topic, reason, unit}`` counts every dead letter
  written: ``unit="record"`` for a whole record (these are the ``deadletter`` outcomes
  above), ``unit="part"`` for one part of an accepted record (an aircraft of a snapshot, an
  NMEA sentence, an AIS fragment group that never completed).
- ``adizwatch_records_out_total{stage, topic}`` counts the records a stage produced, by
  output topic.
- ``adizwatch_events_total{type}`` counts zone events by type (``zone.entry``,
  ``zone.exit``, ``zone.dwell``, ``track.lost``, ``track.regained``: the values of
  :class:`pipeline.model.events.Transition`).
- ``adizwatch_identifications_total{identity, trigger}`` counts published identifications
  by standard identity (:class:`~pipeline.model.events.StandardIdentity`) and trigger
  (:class:`~pipeline.model.events.Trigger`).

Gauge:

- ``adizwatch_consumer_lag{topic, partition}``: records of an assigned input partition not
  yet consumed (high watermark minus position), as the processing loop last saw it. A
  revoked partition's series is removed, so a sum over workers counts each partition once.

Histograms:

- ``adizwatch_processing_latency_seconds{stage}``: wall time from an input record's
  timestamp to the moment the stage has handled it; buckets from 1 ms to 5 s.
- ``adizwatch_batch_size``: records per batch the processing loop handled.

The series of every event type and of every identity and trigger exist from the start
(value 0), so ``rate()`` and ``increase()`` see the first one counted.

:meth:`Metrics.serve` exposes the registry at ``/metrics``, next to the health endpoints
(:mod:`pipeline.endpoints`). A private registry per worker keeps tests independent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from pipeline.endpoints import EndpointServer
from pipeline.health import Health
from pipeline.model.events import StandardIdentity, Transition, Trigger

LATENCY_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
"""1 ms to 5 s in 1-2.5-5 steps: a record handled in its own batch takes milliseconds; the
ingest-to-alert target is p99 < 250 ms (issue 6), so the buckets around it are dense; a
worker seconds behind shows in the top buckets and ``+Inf``."""

BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000)
"""Records per batch: one at a time when idle up to the thousands a ``getmany`` returns when
a worker catches up (aiokafka fetches up to 1 MiB per partition by default)."""


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.records = Counter("adizwatch_records", "Records handled, by stage, topic and outcome",
                               ["stage", "topic", "outcome"], registry=r)
        self.deadletters = Counter(
            "adizwatch_deadletters",
            "Dead letters written, by stage, topic and reason; unit=record for a whole record, "
            "unit=part for one part of an accepted record",
            ["stage", "topic", "reason", "unit"], registry=r)
        self.records_out = Counter("adizwatch_records_out",
                                   "Records produced, by stage and output topic",
                                   ["stage", "topic"], registry=r)
        self.events = Counter("adizwatch_events",
                              "Zone events published, by type (zone.entry, zone.exit, "
                              "zone.dwell, track.lost, track.regained)",
                              ["type"], registry=r)
        self.identifications = Counter(
            "adizwatch_identifications",
            "Identifications published, by standard identity and trigger",
            ["identity", "trigger"], registry=r)
        self.late = Counter("adizwatch_late_reports",
                            "Decoded reports skipped as late by their input partition's "
                            "event-time clock (older than its watermark less the allowed "
                            "lateness, docs/time.md), by input topic", ["topic"], registry=r)
        self.lag = Gauge("adizwatch_consumer_lag",
                         "Records of an assigned input partition not consumed yet "
                         "(high watermark - position)",
                         ["topic", "partition"], registry=r)
        self.latency = Histogram("adizwatch_processing_latency_seconds",
                                 "Seconds from an input record's timestamp to its handling, "
                                 "by stage", ["stage"], buckets=LATENCY_BUCKETS_S, registry=r)
        self.batch_size = Histogram("adizwatch_batch_size",
                                    "Records per batch handled by the processing loop",
                                    buckets=BATCH_BUCKETS, registry=r)
        self._server: EndpointServer | None = None
        # Label lookups cost ~1 us each; the processing loop counts every record.
        self._children: dict[tuple[object, ...], Any] = {}
        for transition in Transition:
            self.events.labels(transition.value)
        for identity in StandardIdentity:
            for trigger in Trigger:
                self.identifications.labels(identity.value, trigger.value)

    def count(self, stage: str, topic: str, outcome: str, reason: str | None,
              part_reasons: Iterable[str] = ()) -> None:
        """One record handled by ``stage``, with its dead letters (whole and by part)."""
        self._child(self.records, stage, topic, outcome).inc()
        if reason is not None:
            self.deadletters.labels(stage, topic, reason, "record").inc()
        for part_reason in part_reasons:
            self.deadletters.labels(stage, topic, part_reason, "part").inc()

    def count_records(self, stage: str, topic: str, outcome: str, n: int) -> None:
        """``n`` records handled by ``stage`` with ``outcome`` and no dead letter."""
        self._child(self.records, stage, topic, outcome).inc(n)

    def _child(self, metric: Any, *labels: str) -> Any:
        child = self._children.get((metric, *labels))
        if child is None:
            child = self._children[(metric, *labels)] = metric.labels(*labels)
        return child

    def count_late(self, topic: str, n: int) -> None:
        """``n`` reports of ``topic`` skipped as late."""
        self._child(self.late, topic).inc(n)

    def count_out(self, stage: str, topic: str, n: int = 1) -> None:
        """``n`` records produced by ``stage`` to ``topic``."""
        self._child(self.records_out, stage, topic).inc(n)

    def count_event(self, type: str) -> None:
        """One zone event of ``type`` (a :class:`~pipeline.model.events.Transition` value)."""
        self.events.labels(type).inc()

    def count_identification(self, identity: str, trigger: str) -> None:
        """One identification published."""
        self.identifications.labels(identity, trigger).inc()

    def observe_latency(self, stage: str, seconds: float) -> None:
        """Seconds from an input record's timestamp to its handling by ``stage``."""
        self._child(self.latency, stage).observe(seconds)

    def observe_batch(self, n: int) -> None:
        """One batch of ``n`` records handled."""
        self.batch_size.observe(n)

    def set_lag(self, topic: str, partition: int, lag: int) -> None:
        """The lag of an assigned input partition."""
        self.lag.labels(topic, str(partition)).set(lag)

    def forget_partition(self, topic: str, partition: int) -> None:
        """Drop a revoked partition's lag series (another worker reports it now)."""
        # KeyError: never reported here (revoked before its first lag measurement).
        with contextlib.suppress(KeyError):
            self.lag.remove(topic, str(partition))

    def stats(self) -> dict[str, float]:
        """A snapshot: ``"<sample>{labels}" -> value`` for counters, gauges and histograms.

        Counters appear as their ``_total`` samples, gauges as themselves, histograms as
        their ``_count`` and ``_sum`` (buckets and ``_created`` are left out).
        """
        snapshot: dict[str, float] = {}
        for metric in self.registry.collect():
            for sample in metric.samples:
                if (metric.type == "gauge"
                        or sample.name.endswith(("_total", "_count", "_sum"))):
                    labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
                    snapshot[f"{sample.name}{{{labels}}}"] = sample.value
        return snapshot

    def exposition(self) -> bytes:
        """The Prometheus text format."""
        return generate_latest(self.registry)

    def serve(self, port: int, health: Health | None = None, addr: str = "0.0.0.0") -> int:
        """Serve ``/metrics``, ``/healthz`` and ``/readyz`` from a daemon thread.

        Args:
            port: the port to bind; 0 picks a free one.
            health: answers ``/healthz`` and ``/readyz``; without it they answer 404.
            addr: the address to bind.

        Returns:
            The bound port.

        Raises:
            OSError: the port cannot be bound.
        """
        self._server = EndpointServer.start(self.registry, health, port, addr)
        return self._server.port

    def close(self) -> None:
        """Stop serving (a no-op when not serving)."""
        if self._server is not None:
            self._server.close()
            self._server = None
