"""The whole pipeline on a real broker: real workers, the bundled feeds, exact outputs.

Feeds: the real US Navy ae0455 recording off San Diego (bundled, MIT / OpenSky) with hostile
lines mixed in, and the simulated Alaska seed scenario (antimeridian, sparse reports, a gap
over 300 s), produced in order under one key, as one receiver would. The expected
records come from running the same handlers offline in order (``tests/pipeline_oracle.py``);
literal counts guard the oracle itself.
"""

from __future__ import annotations

from collections import Counter

import orjson
import pytest

from pipeline.demo import bundled_feeds, bundled_flightplans, bundled_watchlists
from pipeline.geofence.zones import ZoneSet, default_zone_dir, load_zone_files
from pipeline.settings import Settings
from pipeline.worker import identify_context
from tests.integration.conftest import Deployment, Workers
from tests.integration.kafka_io import produce, read_all, wait_until
from tests.pipeline_oracle import OracleResult, run_offline
from tests.schema_check import assert_valid

HOSTILE_LINES = [
    b"MSG,3,1,1,ZZZZZZ,1,2020/09/14,22:00:00.000,,,,1000,,,32.5,-117.5,,,0,0,0,0",
    b"MSG,3,1,1,AE0455,1,2020/09/14,22:00:00.000,,,,1000,,,95.0,-117.5,,,0,0,0,0",
    b"MSG,3,1,1,AE0455,1,2020/02/30,22:00:00.000,,,,1000,,,32.5,-117.5,,,0,0,0,0",
    b"MSG,3,1,1,AE0455,1,2020/09/14,22:00",
    b"MSG,3,1,1,AE\xff\xfe55,1,,,,,,1000,,,32.5,-117.5,,,0,0,0,0",
    b"garbage that is no SBS at all",
]


def _lines(name: str) -> list[bytes]:
    (path,) = [p for p in bundled_feeds() if p.name == name]
    return [line for line in path.read_bytes().splitlines() if line]


def _san_diego() -> list[bytes]:
    lines = _lines("us-navy-ae0455-san-diego.sbs")
    # Spread the hostile lines through the feed.
    step = len(lines) // (len(HOSTILE_LINES) + 1)
    for i, bad in enumerate(HOSTILE_LINES, start=1):
        lines.insert(i * step + i - 1, bad)
    return lines


def _scenario() -> list[bytes]:
    return _lines("seed-scenario-alaska.sbs")


def _produce_feeds(deployment: Deployment) -> int:
    # One key: one adsb.sbs partition, so each tracks.points partition sees its tracks in
    # the input order and the partition-driven lost-track clocks tick as in the oracle.
    return produce(deployment.bootstrap_servers, deployment.topic("adsb.sbs"),
                   _san_diego() + _scenario(), key=b"feeds")


def _by_track(events: list[dict[str, object]]) -> dict[object, list[dict[str, object]]]:
    """Events per track, in order: the order the pipeline guarantees."""
    tracks: dict[object, list[dict[str, object]]] = {}
    for event in events:
        tracks.setdefault(event["track_id"], []).append(event)
    return tracks


@pytest.fixture(scope="module")
def zones() -> ZoneSet:
    return load_zone_files([default_zone_dir()])


@pytest.fixture(scope="module")
def oracle(zones: ZoneSet) -> OracleResult:
    settings = Settings(watchlists=tuple(bundled_watchlists()),
                        flightplans=tuple(bundled_flightplans()))
    return run_offline(_san_diego() + _scenario(), zones, identify_context(settings))


def test_oracle_matches_the_known_recordings(oracle: OracleResult) -> None:
    tracks = _by_track(oracle.zone_events)
    # ae0455 crosses the Pacific piece of the contiguous US ADIZ four times.
    assert [(e["type"], e["zone_id"], e["time"]) for e in tracks["icao24:ae0455"]] == [
        ("zone.entry", "us-contiguous-adiz-pacific", "2020-09-14T21:59:07.838Z"),
        ("zone.exit", "us-contiguous-adiz-pacific", "2020-09-14T22:02:06.249Z"),
        ("zone.entry", "us-contiguous-adiz-pacific", "2020-09-15T00:34:55.107Z"),
        ("zone.exit", "us-contiguous-adiz-pacific", "2020-09-15T00:45:52.543Z"),
    ]
    # The scenario: 4 bombers in and out twice, 4 escorts, 6 interceptors, 2 airliners once.
    assert len(tracks) == 1 + 16
    assert len(oracle.zone_events) == 4 + 4 * 4 + 4 * 2 + 6 * 2 + 2 * 2
    # The H-6 with a 364 s gap: its entry is at the report after the gap, not interpolated.
    gap_entry = tracks["icao24:7a6e2b"][0]
    assert (gap_entry["time"], gap_entry["interpolated"]) == ("2024-07-24T17:11:57.487Z", False)
    assert oracle.points == 7335 + 3456
    assert Counter(d["reason"] for d in oracle.deadletters) == {
        "bad_field": 1, "out_of_range": 2, "truncated": 1, "not_utf8": 1, "unknown_format": 1}
    entries = {(i["track_id"], i["identity"]) for i in oracle.identifications
               if i["type"] == "zone.entry"}
    assert ("icao24:ae0455", "assumed friend") in entries  # US Navy address, no watch-list
    assert ("icao24:15a7c3", "suspect") in entries  # Tu-95: foreign military type
    assert ("icao24:7a6e21", "suspect") in entries  # H-6
    assert ("icao24:c2c4a1", "friend") in entries   # CF-18 on the friendly list
    assert ("icao24:ae7d41", "friend") in entries   # F-16
    assert ("icao24:71c2d7", "neutral") in entries  # KAL272, correlated with its plan


def _wait_caught_up(deployment: Deployment, workers: Workers, timeout_s: float = 120) -> None:
    wait_until(deployment.caught_up,
               timeout_s, "the worker group to commit every input", workers.log_text)


def _outputs(deployment: Deployment, topic: str) -> list[tuple[bytes | None, dict[str, object]]]:
    return [(key, orjson.loads(value)) for key, value in
            read_all(deployment.bootstrap_servers, deployment.topic(topic),
                     deployment.partitions)]


def _without_volatile(letter: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in letter.items() if k not in ("received_at", "partition", "offset",
                                                          "topic")}


def _assert_exact_outputs(deployment: Deployment, oracle: OracleResult) -> None:
    events = _outputs(deployment, "zones.events")
    idents = _outputs(deployment, "alerts.identification")
    letters = _outputs(deployment, "adizwatch.deadletter")
    points = read_all(deployment.bootstrap_servers, deployment.topic("tracks.points"),
                      deployment.partitions)
    for key, event in events:
        assert key == str(event["track_id"]).encode()
        assert_valid("zones.events", event)
    for _, ident in idents:
        assert_valid("alerts.identification", ident)
    for _, letter in letters:
        assert_valid("adizwatch.deadletter", letter)
        assert letter["topic"] == deployment.topic("adsb.sbs")
    # Exact: same events in the same order per track, each exactly once.
    assert _by_track([e for _, e in events]) == _by_track(oracle.zone_events)
    assert _by_track([i for _, i in idents]) == _by_track(oracle.identifications)
    assert sorted(map(_without_volatile, (d for _, d in letters)), key=repr) == sorted(
        map(_without_volatile, oracle.deadletters), key=repr)
    assert len(points) == oracle.points


def test_pipeline_produces_the_exact_events(deployment: Deployment, workers: Workers,
                                            oracle: OracleResult) -> None:
    worker = workers.start()
    assert _produce_feeds(deployment) == len(_san_diego()) + len(_scenario())
    _wait_caught_up(deployment, workers)
    assert worker.poll() is None, workers.log_text()
    _assert_exact_outputs(deployment, oracle)
    assert workers.stop(worker) == 0, workers.log_text()


def test_worker_stopped_mid_feed_resumes_without_loss_or_duplicates(
        deployment: Deployment, workers: Workers, oracle: OracleResult) -> None:
    # The feed arrives in two halves: the first worker is stopped (SIGTERM) once it has made
    # progress on the first, the second half arrives while no worker runs, and a new worker
    # takes over from the commits. A stopped worker lands what it processed before leaving,
    # so nothing is repeated either (the SIGKILL test covers the crash without that chance).
    lines = _san_diego() + _scenario()
    half = len(lines) // 2
    first = workers.start()
    produce(deployment.bootstrap_servers, deployment.topic("adsb.sbs"), lines[:half],
            key=b"feeds")

    def some_points() -> bool:
        return len(read_all(deployment.bootstrap_servers, deployment.topic("tracks.points"),
                            deployment.partitions)) >= 2000

    wait_until(some_points, 120, "the first worker to make progress", workers.log_text)
    assert workers.stop(first) == 0, workers.log_text()
    produce(deployment.bootstrap_servers, deployment.topic("adsb.sbs"), lines[half:],
            key=b"feeds")
    done = len(read_all(deployment.bootstrap_servers, deployment.topic("tracks.points"),
                        deployment.partitions))
    assert done < oracle.points, "the first worker saw the whole feed: not mid-feed"

    second = workers.start()
    _wait_caught_up(deployment, workers)
    _assert_exact_outputs(deployment, oracle)
    assert workers.stop(second) == 0, workers.log_text()
