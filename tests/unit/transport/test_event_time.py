"""Issue 13, offline: the same input gives the same zone events and identifications whatever
the partitioning, the interleaving of input partitions, the batching and the delivery delays;
no silence is invented, the real one is found; hostile times change nothing else.

The feed is the multi-receiver one of ``tests/multi_receiver.py`` (three receivers, the same
aircraft heard by several, slightly out of order); its truth comes from the independent
geofence oracle. The same schedules run on the real broker in
``tests/integration/test_event_time.py``.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence

import orjson
import pytest

from pipeline.geofence.timers import LostAfter
from pipeline.geofence.zones import ZoneSet, default_zone_dir, load_zone_files
from pipeline.identify.enrich import DEFAULT_ALLIED_COUNTRIES, IdentifyContext
from pipeline.identify.rules import load_rule_table
from pipeline.transport.handlers import Output
from pipeline.transport.offline_pipeline import OfflinePipeline
from pipeline.transport.topics import (
    ADSB_SBS,
    DEADLETTER,
    IDENTIFICATIONS,
    TRACK_POINTS,
    ZONE_EVENTS,
)
from pipeline.transport.track_path import TrackPath
from tests.multi_receiver import multi_receiver_feed, truth

WALL_MS = 1_798_761_600_000  # 2027-01-01: the records are replayed long after the events
Feed = list[tuple[bytes, bytes]]


@pytest.fixture(scope="module")
def zones() -> ZoneSet:
    return load_zone_files([default_zone_dir()])


@pytest.fixture(scope="module")
def feed() -> Feed:
    return multi_receiver_feed()


def _harness(zones: ZoneSet, partitions: int) -> OfflinePipeline:
    ctx = IdentifyContext.load(load_rule_table(), DEFAULT_ALLIED_COUNTRIES)
    return OfflinePipeline(TrackPath(lambda: zones, ctx, 300_000, LostAfter()), partitions)


def _by_partition(harness: OfflinePipeline, feed: Feed) -> list[list[tuple[bytes, bytes]]]:
    parts: list[list[tuple[bytes, bytes]]] = [[] for _ in range(harness.partitions)]
    for i, (key, line) in enumerate(feed):
        parts[harness.input_partition(key, i)].append((key, line))
    return parts


def plain(harness: OfflinePipeline, feed: Feed) -> None:
    harness.run((ADSB_SBS, key, line, WALL_MS) for key, line in feed)


def skewed(harness: OfflinePipeline, feed: Feed) -> None:
    """One input partition fully drained before the next starts (a backlog consumed
    unevenly); the partitions not started yet have sent no mark."""
    for p, records in enumerate(_by_partition(harness, feed)):
        for key, line in records:
            harness.feed(ADSB_SBS, p, key, line, WALL_MS, WALL_MS)
            harness.mark(ADSB_SBS, p, idle=False)
            for q in range(harness.partitions):
                harness.deliver(q, WALL_MS)
                harness.release(q, WALL_MS)
    harness.finish(WALL_MS)


def shuffled(seed: int) -> Callable[[OfflinePipeline, Feed], None]:
    """Input partitions consumed in random batches, queues delivered late and in part,
    releases at random moments, with the other input topics idle (as on a broker)."""
    def schedule(harness: OfflinePipeline, feed: Feed) -> None:
        rng = random.Random(seed)
        parts = [list(reversed(records)) for records in _by_partition(harness, feed)]
        for spec in harness.inputs:
            if spec is not ADSB_SBS:
                for p in range(harness.partitions):
                    harness.mark(spec, p, idle=True)
        while any(parts):
            p = rng.choice([i for i, records in enumerate(parts) if records])
            for _ in range(rng.randint(1, 300)):
                if not parts[p]:
                    break
                key, line = parts[p].pop()
                harness.feed(ADSB_SBS, p, key, line, WALL_MS, WALL_MS)
            harness.mark(ADSB_SBS, p, idle=False)
            q = rng.randrange(harness.partitions)
            harness.deliver(q, WALL_MS, limit=rng.randint(0, 400))
            if rng.random() < 0.5:
                harness.release(rng.randrange(harness.partitions), WALL_MS)
        harness.finish(WALL_MS)
    return schedule


SCHEDULES: dict[str, tuple[int, Callable[[OfflinePipeline, Feed], None]]] = {
    "1 partition": (1, plain),
    "4 partitions": (4, plain),
    "4 partitions, skewed": (4, skewed),
    "4 partitions, shuffled 1": (4, shuffled(1)),
    "4 partitions, shuffled 2": (4, shuffled(2)),
    "3 partitions, shuffled 3": (3, shuffled(3)),
}


def _outputs(zones: ZoneSet, feed: Feed, name: str) -> list[Output]:
    partitions, schedule = SCHEDULES[name]
    harness = _harness(zones, partitions)
    schedule(harness, feed)
    assert harness.held() == 0
    return harness.outputs


def _records(outputs: Sequence[Output], topic: object) -> list[dict[str, object]]:
    records = [orjson.loads(o.value) for o in outputs if o.topic is topic]
    return sorted(records, key=lambda r: orjson.dumps(r, option=orjson.OPT_SORT_KEYS))


@pytest.fixture(scope="module")
def reference(zones: ZoneSet, feed: Feed) -> list[Output]:
    return _outputs(zones, feed, "1 partition")


def test_the_reference_run_publishes_the_true_events_and_no_other(
        reference: list[Output], feed: Feed) -> None:
    events = _records(reference, ZONE_EVENTS)
    got = Counter(str(e["type"]) for e in events)
    assert got == truth(feed)
    assert got == {"zone.entry": 20, "zone.exit": 20, "track.lost": 1, "track.regained": 1}
    # The 12-minute coverage hole of the Tu-95 7A6E21 is the one silence: lost at its last
    # report + 10 min, regained at the next one; the 8-minute hole of 7A6E2B is none.
    lost = [e for e in events if e["type"] in ("track.lost", "track.regained")]
    assert {e["track_id"] for e in lost} == {"icao24:7a6e21"}
    assert not [o for o in reference if o.topic is DEADLETTER]


@pytest.mark.parametrize("name", [n for n in SCHEDULES if n != "1 partition"])
def test_every_schedule_gives_exactly_the_reference(
        zones: ZoneSet, feed: Feed, reference: list[Output], name: str) -> None:
    outputs = _outputs(zones, feed, name)
    for topic in (ZONE_EVENTS, IDENTIFICATIONS, TRACK_POINTS):
        assert _records(outputs, topic) == _records(reference, topic), topic.name


def test_regained_after_going_dark_fires_only_on_the_real_silence(
        reference: list[Output]) -> None:
    changes = [(r["track_id"], r["previous_identity"], r["identity"])
               for r in _records(reference, IDENTIFICATIONS)
               if r["type"] == "identity.change"
               and "anomaly: track regained after going dark inside a zone" in r["reasons"]]
    assert changes == [("icao24:7a6e21", "unknown", "suspect")]


def test_hostile_times_are_dead_lettered_and_change_nothing_else(
        zones: ZoneSet, feed: Feed, reference: list[Output]) -> None:
    # Record timestamps are wall clock (2027), the events are from July 2024.
    ahead_of_record = (b"MSG,3,1,1,7A6E21,1,2031/01/01,00:00:00.000,2031/01/01,00:00:00.000,,"
                       b"30000,,,64.0,-170.0,,,0,0,0,0")
    ahead_of_peers = (b"MSG,3,1,1,15A7C3,1,2025/11/02,10:00:00.000,2025/11/02,10:00:00.000,,"
                      b"30000,,,64.0,-170.0,,,0,0,0,0")
    behind = (b"MSG,3,1,1,AE7D41,1,2019/03/01,10:00:00.000,2019/03/01,10:00:00.000,,"
              b"30000,,,64.0,-170.0,,,0,0,0,0")
    hostile = list(feed)
    for at, line in ((1000, ahead_of_record), (3000, ahead_of_peers), (5000, behind)):
        hostile.insert(at, (hostile[at][0], line))
    harness = _harness(zones, 4)
    shuffled(7)(harness, hostile)
    for topic in (ZONE_EVENTS, IDENTIFICATIONS, TRACK_POINTS):
        assert _records(harness.outputs, topic) == _records(reference, topic), topic.name
    letters = _records(harness.outputs, DEADLETTER)
    assert [d["reason"] for d in letters] == ["future_time", "future_time"]
    payloads = {str(d["payload"]) for d in letters}
    assert ahead_of_record.decode() in payloads  # dead-lettered at once: after its record
    (held,) = payloads - {ahead_of_record.decode()}  # held, then refuted by the next record
    assert orjson.loads(held)["track_id"] == "icao24:15a7c3"
    assert all("future_time" not in str(d["detail"]) for d in letters)


def test_marks_are_schema_valid_and_a_bad_one_is_a_dead_letter(zones: ZoneSet) -> None:
    from pipeline.eventtime.watermarks import Mark
    from pipeline.transport.handlers import RecordMeta
    from pipeline.transport.topics import TRACK_UPDATES
    from pipeline.transport.track_path import decode_mark, encode_mark, new_stores
    from tests.schema_check import assert_valid

    for mark in (Mark(None, True), Mark(WALL_MS, False)):
        raw = encode_mark("adsb.sbs/3", mark)
        assert_valid("tracks.updates", orjson.loads(raw))
        assert decode_mark(raw) == ("adsb.sbs/3", mark)
    path = _harness(zones, 1).path
    meta = RecordMeta(TRACK_UPDATES.name, 0, 5, WALL_MS)
    for bad in (b"[]", b'{"mark": {"source": "adsb.sbs/0", "wm_ms": 1.5, "idle": false}}',
                b"\xff"):
        done = path.process(TRACK_UPDATES, None, bad, meta, new_stores(TRACK_UPDATES, 0),
                            WALL_MS)
        assert (done.handled.outcome, done.handled.reason) == ("deadletter", "bad_field")
