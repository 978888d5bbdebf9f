"""Figures of the end-to-end bench: rates from record timestamps, alert latencies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import orjson


def _rate(stamps_ms: Sequence[int], warmup: float) -> tuple[float, float, float]:
    """(overall/s, sustained/s after the warm-up, sustained window in s) of sorted stamps."""
    if len(stamps_ms) < 2:
        return 0.0, 0.0, 0.0
    window = stamps_ms[int(len(stamps_ms) * warmup):]
    span_ms = max(1, window[-1] - window[0])
    overall = (len(stamps_ms) - 1) * 1000 / max(1, stamps_ms[-1] - stamps_ms[0])
    return round(overall, 1), round((len(window) - 1) * 1000 / span_ms, 1), span_ms / 1000


def sustained_rate(timestamps: Sequence[int], arrivals: Sequence[int],
                   warmup: float) -> dict[str, float | int]:
    """Records/s from the output's record timestamps (ms), overall and after the warm-up.

    ``arrival_sustained_per_s`` is the same from the times the bench's reader got the records:
    it should agree, unless the stage under test copies input timestamps to its outputs.
    """
    overall, sustained, window_s = _rate(sorted(timestamps), warmup)
    return {"records": len(timestamps), "overall_per_s": overall, "sustained_per_s": sustained,
            "window_s": round(window_s, 2),
            "arrival_sustained_per_s": _rate(sorted(arrivals), warmup)[1]}


def percentiles(values: Sequence[float]) -> dict[str, float | int]:
    """p50/p95/p99/max (nearest rank) and the count."""
    ordered = sorted(values)
    if not ordered:
        return {"p50": None, "p95": None, "p99": None, "max": None, "n": 0}  # type: ignore[dict-item]

    def rank(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    return {"p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99), "max": ordered[-1],
            "n": len(ordered)}


@dataclass(frozen=True, slots=True)
class Received:
    """The records a reader got from one topic, in order: values, record timestamps and
    arrival times (epoch ms)."""

    values: Sequence[bytes]
    timestamps: Sequence[int]
    arrivals: Sequence[int]


def second_rows(per_second: Mapping[int, Sequence[float]]) -> dict[str, list[float | int]]:
    """One row per second, in order: "<second>": [p50, p99, max, n]."""
    return {str(second): [percentiles(v)[k] for k in ("p50", "p99", "max", "n")]
            for second, v in sorted(per_second.items())}


def by_second(values: Sequence[float], rate: float) -> dict[str, list[float | int]]:
    """Values in send order, sent at ``rate`` per second: :func:`second_rows`."""
    rows: dict[int, list[float]] = {}
    for index, value in enumerate(values):
        rows.setdefault(int(index / rate) if rate else 0, []).append(value)
    return second_rows(rows)


def alert_latencies(alerts: Mapping[str, Received], sent: Mapping[tuple[str, int], int],
                    skip_track: str) -> dict[str, object]:
    """Alert record time minus the record time of the raw report that caused it.

    Each alert (``zones.events`` or ``alerts.identification`` record) names its report
    (``report.track_id`` and ``report.ts_ms``, see their schemas); ``sent`` maps the same
    pair to the raw record's timestamp. Alerts of ``skip_track`` are left out; alerts
    whose report was not sent in this run are counted as unmatched.
    """
    by_topic: dict[str, list[float]] = {}
    per_second: dict[int, list[float]] = {}  # by the raw record's second since the first send
    first_sent = min(sent.values(), default=0)
    arrival: list[float] = []
    types: Counter[str] = Counter()
    unmatched = 0
    for topic, got in alerts.items():
        for value, stamp, arrived in zip(got.values, got.timestamps, got.arrivals, strict=True):
            doc = orjson.loads(value)
            if doc["track_id"] == skip_track:
                continue
            types[f"{topic}:{doc['type']}"] += 1
            report = doc["report"]
            raw_ts = sent.get((report["track_id"], report["ts_ms"]))
            if raw_ts is None:
                unmatched += 1
                continue
            by_topic.setdefault(topic, []).append(stamp - raw_ts)
            per_second.setdefault((raw_ts - first_sent) // 1000, []).append(stamp - raw_ts)
            arrival.append(arrived - raw_ts)
    every = [v for values in by_topic.values() for v in values]
    return {"latency_ms": percentiles(every),
            "latency_ms_by_topic": {t: percentiles(v) for t, v in by_topic.items()},
            # Cross-check: until the bench's reader got the alert (adds its polling delay).
            "arrival_latency_ms": percentiles(arrival),
            "alerts_by_type": dict(sorted(types.items())), "alerts_unmatched": unmatched,
            # Whether the tail is a trend (falling behind) or spikes (pauses): one row per
            # second of sending, "<second>": [p50, p99, max, n].
            "latency_ms_by_second": second_rows(per_second)}


def copy_latencies(got: Received, sent: Mapping[tuple[str, int], int]) -> dict[str, object]:
    """Output record time minus input record time, for outputs that are their input copied
    (the runtime baseline's points are the canonical records themselves)."""
    latencies: list[tuple[int, float]] = []
    for value, stamp in zip(got.values, got.timestamps, strict=True):
        doc = orjson.loads(value)
        raw_ts = sent.get((doc["track_id"], doc["ts_ms"]))
        if raw_ts is not None:
            latencies.append((raw_ts, stamp - raw_ts))
    first = min(sent.values(), default=0)
    per_second: dict[int, list[float]] = {}
    for raw_ts, ms in latencies:
        per_second.setdefault((raw_ts - first) // 1000, []).append(ms)
    return {"latency_ms": percentiles([ms for _, ms in latencies]),
            "latency_ms_by_second": second_rows(per_second)}
