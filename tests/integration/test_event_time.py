"""Issue 13 on the real broker: the multi-receiver feed (``tests/multi_receiver.py``), keyed by
receiver and produced in full before the workers start (a backlog, record timestamps the wall
clock, events from 2024), gives exactly the offline reference's zone events and
identifications: with 1 and 4 partitions, 1 and 2 workers, one input partition drained before
the others have anything, and a worker killed with SIGKILL mid-feed. The reference itself is
checked against the independent truth in ``tests/unit/transport/test_event_time.py``.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime

import orjson
import pytest

from pipeline.demo import bundled_flightplans, bundled_watchlists
from pipeline.geofence.timers import LostAfter
from pipeline.geofence.zones import default_zone_dir, load_zone_files
from pipeline.settings import Settings
from pipeline.transport.admin import ensure_catalogue
from pipeline.transport.offline_pipeline import OfflinePipeline, partition_of
from pipeline.transport.topics import ADSB_SBS, IDENTIFICATIONS, ZONE_EVENTS
from pipeline.transport.track_path import TrackPath
from pipeline.worker import identify_context
from tests.integration.conftest import Deployment, Workers
from tests.integration.kafka_io import produce_keyed, read_all, wait_until
from tests.integration.reference_runs import wait_caught_up
from tests.multi_receiver import multi_receiver_feed

Feed = list[tuple[bytes, bytes]]
Events = dict[str, list[dict[str, object]]]


@pytest.fixture(scope="module")
def feed() -> Feed:
    return multi_receiver_feed()


@pytest.fixture(scope="module")
def expected(feed: Feed) -> Events:
    """The offline reference, with the identify context the workers have."""
    zones = load_zone_files([default_zone_dir()])
    ctx = identify_context(Settings(watchlists=tuple(bundled_watchlists()),
                                    flightplans=tuple(bundled_flightplans())))
    harness = OfflinePipeline(TrackPath(lambda: zones, ctx, 300_000, LostAfter()), 4)
    outputs = harness.run((ADSB_SBS, key, line, int(time.time() * 1000)) for key, line in feed)
    events: Events = {ZONE_EVENTS.name: [], IDENTIFICATIONS.name: []}
    for out in outputs:
        if out.topic.name in events:
            events[out.topic.name].append(orjson.loads(out.value))
    assert Counter(e["type"] for e in events[ZONE_EVENTS.name])["track.lost"] == 1
    return events


def _prepare(deployment: Deployment, partitions: int, **env: str) -> None:
    deployment.partitions = partitions
    deployment.extra_env |= env
    settings = Settings(bootstrap_servers=deployment.bootstrap_servers,
                        topic_prefix=deployment.prefix, group_id=deployment.group_id,
                        partitions=partitions)
    asyncio.run(ensure_catalogue(settings))


def _produce(deployment: Deployment, records: Feed) -> None:
    produce_keyed(deployment.bootstrap_servers, deployment.topic("adsb.sbs"), records,
                  int(time.time() * 1000))


def _collect(deployment: Deployment) -> Events:
    return {name: [orjson.loads(v) for _, v in read_all(
        deployment.bootstrap_servers, deployment.topic(name), deployment.partitions)]
        for name in (ZONE_EVENTS.name, IDENTIFICATIONS.name)}


def _assert_exactly(expected: Events, got: Events, duplicates_allowed: bool = False) -> None:
    for name, records in expected.items():
        want = {str(r["event_id"]): r for r in records}
        seen: dict[str, dict[str, object]] = {}
        for record in got[name]:
            key = str(record["event_id"])
            assert key in want, f"{name}: an event the reference does not have: {record}"
            assert record == want[key], f"{name}: a copy differs: {record} != {want[key]}"
            assert duplicates_allowed or key not in seen, f"{name}: a duplicate: {record}"
            seen[key] = record
        missing = [r for k, r in want.items() if k not in seen]
        assert not missing, f"{name}: {len(missing)} missing, e.g. {missing[:3]}"


@pytest.mark.parametrize(("partitions", "n_workers"), [(1, 1), (4, 1), (4, 2)])
def test_a_backlog_gives_the_reference(deployment: Deployment, workers: Workers, feed: Feed,
                                       expected: Events, partitions: int,
                                       n_workers: int) -> None:
    _prepare(deployment, partitions)
    _produce(deployment, feed)
    for _ in range(n_workers):
        workers.start()
    wait_caught_up(deployment, workers, timeout_s=180)
    _assert_exactly(expected, _collect(deployment))


def test_one_input_partition_drained_before_the_others_start(
        deployment: Deployment, workers: Workers, feed: Feed, expected: Events) -> None:
    # The idle timeout is longer than the test's skew: an input partition with nothing yet is
    # not idle, so it holds the watermark back until its records come.
    _prepare(deployment, 4, ADIZWATCH_IDLE_TIMEOUT_MS="20000")
    first = partition_of(feed[0][0], 4)
    early = [r for r in feed if partition_of(r[0], 4) == first]
    late = [r for r in feed if partition_of(r[0], 4) != first]
    assert early and late
    worker = workers.start()
    workers.wait_ready(worker)
    _produce(deployment, early)
    wait_until(lambda: not asyncio.run(_input_lag(deployment)), 60,
               "the first input partition to be drained", workers.log_text)
    _produce(deployment, late)
    wait_caught_up(deployment, workers, timeout_s=180)
    _assert_exactly(expected, _collect(deployment))


def test_a_worker_killed_mid_feed_loses_and_invents_nothing(
        deployment: Deployment, workers: Workers, feed: Feed, expected: Events) -> None:
    _prepare(deployment, 4)
    _produce(deployment, feed)
    first = workers.start()
    second = workers.start()
    workers.wait_ready(first)
    wait_until(lambda: bool(read_all(deployment.bootstrap_servers,
                                     deployment.topic("tracks.points"), 4)),
               60, "the first points", workers.log_text)
    workers.kill(first)
    workers.start()
    wait_caught_up(deployment, workers, timeout_s=180)
    assert second.poll() is None, workers.log_text()
    _assert_exactly(expected, _collect(deployment), duplicates_allowed=True)


async def _input_lag(deployment: Deployment) -> dict[object, int]:
    from pipeline.transport.progress import lagging_partitions
    return dict(await lagging_partitions({"bootstrap_servers": [deployment.bootstrap_servers]},
                                         deployment.group_id, [deployment.topic("adsb.sbs")]))


def _live_line(hex_id: str, at_ms: int, lat: float, lon: float) -> bytes:
    at = datetime.fromtimestamp(at_ms / 1000, UTC)
    date = at.strftime("%Y/%m/%d")
    clock = at.strftime("%H:%M:%S.") + f"{at_ms % 1000:03d}"
    return (f"MSG,3,1,1,{hex_id},1,{date},{clock},{date},{clock},,31000,,,{lat:.5f},{lon:.5f},"
            f",,0,0,0,0").encode()


def _lost_of(deployment: Deployment, track_id: str) -> list[dict[str, object]]:
    return [e for e in _collect(deployment)[ZONE_EVENTS.name]
            if e["track_id"] == track_id and e["type"] == "track.lost"]


def test_live_silences_are_declared_within_30_s_of_the_threshold(
        deployment: Deployment, workers: Workers) -> None:
    """At real-time pace, with a 20 s lost threshold: a track inside the Alaska ADIZ that
    goes silent while other traffic goes on, then one that goes silent with the whole
    input. Each is lost once, at its last report + 20 s, seen within 30 s of wall time after
    that instant."""
    threshold_s = 20
    _prepare(deployment, 4, ADIZWATCH_LOST_AIRCRAFT_S=str(threshold_s))
    workers.wait_ready(workers.start())
    topic = deployment.topic("adsb.sbs")

    def send(lines: list[tuple[bytes, bytes]]) -> None:
        produce_keyed(deployment.bootstrap_servers, topic, lines, int(time.time() * 1000))

    def now_ms() -> int:
        return int(time.time() * 1000)

    def run_until_lost(track: str, hex_id: str, others: bool) -> tuple[int, float]:
        last_ms = 0
        for i in range(5):  # inside the zone (60N 170W), then silent
            last_ms = now_ms()
            send([(b"rx-a", _live_line(hex_id, last_ms, 60.0, -170.0 + i * 0.01))])
            if others:
                send([(b"rx-b", _live_line("A1B2C3", now_ms(), 38.5, -98.0))])
            time.sleep(1.0)
        deadline = last_ms / 1000 + threshold_s + 30
        while time.time() < deadline and not _lost_of(deployment, track):
            if others:  # other traffic keeps coming, far from every zone
                send([(b"rx-b", _live_line("A1B2C3", now_ms(), 38.5, -98.0))])
            time.sleep(1.0)
        lost = _lost_of(deployment, track)
        assert lost, f"{track} not lost within 30 s of its threshold\n{workers.log_text()}"
        return last_ms, time.time()

    for track, hex_id, others in (("icao24:a0d001", "A0D001", True),
                                  ("icao24:a0d002", "A0D002", False)):
        last_ms, seen_s = run_until_lost(track, hex_id, others)
        (lost,) = _lost_of(deployment, track)
        assert lost["ts_ms"] == last_ms + threshold_s * 1000
        assert seen_s - last_ms / 1000 <= threshold_s + 30
