"""The recorded feeds in ``tests/data/feeds/`` (see its SOURCES.md) run through the decoders."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from pipeline.transport.offline import OfflineDecoder, read_records

FEEDS = Path(__file__).resolve().parent / "data" / "feeds"


@dataclass(frozen=True)
class FeedCounts:
    """What decoding one recorded file gives."""

    records: int
    messages: int  # complete messages / items decoded
    positions: int  # positioned updates
    static: int  # updates without a position
    tracks: int  # distinct track ids among the updates
    points: int  # track points published by the merge stage
    deadletters: dict[str, int] = field(default_factory=dict)


@dataclass
class FeedRun:
    counts: FeedCounts
    updates: list[dict[str, object]]
    points: list[dict[str, object]]
    letters: list[dict[str, object]]


def run_feed(name: str, fmt: str, record_ts_ms: int = 0) -> FeedRun:
    """Decode ``tests/data/feeds/<name>`` as ``fmt`` through the offline pipeline."""
    decoder = OfflineDecoder(fmt, now_ms=0, record_ts_ms=record_ts_ms)
    points: list[bytes] = []
    letters: list[bytes] = []
    for offset, raw in enumerate(read_records(FEEDS / name, fmt)):
        got, dead = decoder.feed(raw, offset)
        points += got
        letters += dead
    letters += decoder.finish()
    updates = [orjson.loads(u) for u in decoder.updates]
    summary = decoder.summary
    positioned = sum(1 for u in updates if u["lat"] is not None)
    counts = FeedCounts(
        records=summary.records, messages=summary.messages, positions=positioned,
        static=len(updates) - positioned, tracks=len(summary.tracks), points=summary.points,
        deadletters=dict(sorted(Counter(summary.deadletters).items())))
    assert summary.static_updates == counts.static
    assert sum(counts.deadletters.values()) == len(letters)
    return FeedRun(counts, updates, [orjson.loads(p) for p in points],
                   [orjson.loads(d) for d in letters])
