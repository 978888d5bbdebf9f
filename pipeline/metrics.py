"""Counters of what each stage did, in Prometheus form (prometheus-client).

``records_total{stage, outcome}`` counts every record a stage handled, so for each input
topic received = accepted + dead-lettered; ``deadletters_total{stage, topic, reason}``
breaks the rejections down. A private registry per worker keeps tests independent.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, generate_latest


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.records = Counter("adizwatch_records", "Records handled, by stage and outcome",
                               ["stage", "outcome"], registry=self.registry)
        self.deadletters = Counter("adizwatch_deadletters",
                                   "Records dead-lettered, by stage, topic and reason",
                                   ["stage", "topic", "reason"], registry=self.registry)

    def count(self, stage: str, topic: str, outcome: str, reason: str | None) -> None:
        self.records.labels(stage, outcome).inc()
        if reason is not None:
            self.deadletters.labels(stage, topic, reason).inc()

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
