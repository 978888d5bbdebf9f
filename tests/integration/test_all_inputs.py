"""All five input topics into ``tracks.points`` on a real broker, exactly as offline.

One worker, real recordings on each input topic (see ``tests/data/feeds/SOURCES.md``), each
source under its own key as its receiver would send it, hostile records among them. The
expected outputs come from the same handlers run offline per stream
(``tests/pipeline_oracle.run_inputs``); literal counts guard the oracle. Every record has
the same timestamp (after every recording, as in a replay), so records without a time of
their own decode the same way in both.
Then the worker's Prometheus exposition must count every record once per topic.

A second test stops the worker between the two fragments of an AIS message: the pending
fragment must come back from the table's changelog and complete the message.
"""

from __future__ import annotations

import itertools
import socket
import urllib.request
from collections import Counter

import orjson
import pytest

from pipeline.assemble.merger import TrackMemory
from pipeline.transport.offline import OfflineDecoder, read_records
from tests.feeds import FEEDS
from tests.integration.conftest import Deployment, Workers
from tests.integration.kafka_io import produce_keyed, read_all, wait_until
from tests.pipeline_oracle import InputsResult, run_inputs
from tests.schema_check import assert_valid

RECORD_MS = 1_798_761_600_000  # 2027-01-01: records stamped after every recording, as a replay
HOSTILE_AIS = [
    b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B",  # checksum
    b"!AIVDM,2,1,3,B,55NBjP01mtGIL@CW;SM<D60P5Ld000000000000P0`<3557l0<50@kk@,0*66",
    b"!AIVDM,2,1,3,B,55NBjP01mtGIL@CW;SM<D60P5Ld000000000000P0`<3557l0<50@kk@,0*66",  # again
    b"\xff\xfe!AIVDM",
    b"$GPRMC,035258,A,5013.4693,N,00346.6503,W,4.0,183.2,260711,3.8,W,A*18",
]
HOSTILE_CANONICAL = [b'{"track_id": "icao24:ae11e3"}', b"[]", b"{" * 3000]


def _lines(name: str, fmt: str) -> list[bytes]:
    return list(read_records(FEEDS / name, fmt))


def _snapshots() -> list[bytes]:
    return [(FEEDS / "adsb" / f"readsb_aircraft_{n}.json").read_bytes() for n in range(1, 6)]


def _canonical_points() -> list[bytes]:
    """Points of another receiver's readsb lines, as another system would publish them:
    only aircraft the snapshots on adsb.readsb do not also carry."""
    taken = OfflineDecoder("readsb")
    for raw in _snapshots():
        taken.feed(raw)
    decoder = OfflineDecoder("readsb", record_ts_ms=RECORD_MS)
    points: list[bytes] = []
    for raw in _lines("adsb/readsb_jsonlines_1.json", "readsb"):
        points += [p for p in decoder.feed(raw)[0]
                   if orjson.loads(p)["track_id"] not in taken.summary.tracks]
    return points


def _streams(deployment: Deployment) -> list[tuple[str, str, bytes | None, list[bytes]]]:
    opensky = orjson.loads((FEEDS / "adsb" / "opensky_states_all_2025-12-28T0214Z.json")
                           .read_bytes())
    bering = [s for s in opensky["states"]
              if s[6] is not None and s[6] > 50 and (s[5] < -130 or s[5] > 170)]
    t = deployment.topic
    return [
        ("sbs", t("adsb.sbs"), b"n66w",
         [*_lines("adsb/orbital-detector_N66W.sbs1", "sbs")[:400], b"MSG,3,1,1,A8B3D4"]),
        ("readsb", t("adsb.readsb"), b"az-receiver", _snapshots()),
        ("readsb", t("adsb.readsb"), b"adsc", _lines("adsb/readsb_jsonlines_3.json", "readsb")),
        ("opensky", t("adsb.opensky"), None,
         [orjson.dumps({"time": opensky["time"], "states": bering}), b'{"time": 1}']),
        ("canonical", t("tracks.canonical"), b"other-system",
         _canonical_points() + HOSTILE_CANONICAL),
        ("ais", t("ais.nmea"), b"dma", _lines("ais/dma-aislib_2010-06-11_pghp.nmea", "ais")[:1200]),
        ("ais", t("ais.nmea"), b"orbcomm", _lines("ais/libais_orbcomm_tagblock.nmea", "ais")),
        ("ais", t("ais.nmea"), b"ee", _lines("ais/gfw/ee-multiline.nmea", "ais")),
        ("ais", t("ais.nmea"), b"hostile", HOSTILE_AIS),
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _scrape(port: int) -> dict[tuple[str, ...], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    samples: dict[tuple[str, ...], float] = {}
    for line in text.splitlines():
        if line.startswith("adizwatch_") and "_total{" in line:
            name, _, rest = line.partition("{")
            labels, _, value = rest.rpartition("} ")
            pairs = tuple(sorted(p.replace('"', "") for p in labels.split(",")))
            samples[(name, *pairs)] = float(value)
    return samples


def _produce(deployment: Deployment,
             streams: list[tuple[str, str, bytes | None, list[bytes]]]) -> int:
    return sum(produce_keyed(deployment.bootstrap_servers, topic,
                             [(key, value) for value in values], RECORD_MS)
               for _, topic, key, values in streams)


def _wait(deployment: Deployment, workers: Workers) -> None:
    wait_until(deployment.caught_up,
               120, "the worker group to commit every input", workers.log_text)


def _by_track(records: list[tuple[bytes | None, bytes]]) -> dict[str, list[dict[str, object]]]:
    tracks: dict[str, list[dict[str, object]]] = {}
    for key, value in records:
        point = orjson.loads(value)
        assert key == str(point["track_id"]).encode()
        tracks.setdefault(str(point["track_id"]), []).append(point)
    return tracks


def _stable(letter: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in letter.items() if k not in ("received_at", "partition", "offset")}


@pytest.fixture
def streams(deployment: Deployment) -> list[tuple[str, str, bytes | None, list[bytes]]]:
    return _streams(deployment)


@pytest.fixture
def oracle(streams: list[tuple[str, str, bytes | None, list[bytes]]]) -> InputsResult:
    return run_inputs(streams, RECORD_MS)


def test_oracle_of_the_inputs(oracle: InputsResult) -> None:
    # No track is fed by two streams, so the pipeline's interleaving of streams cannot
    # change what the merge stage publishes.
    for (a, tracks_a), (b, tracks_b) in itertools.combinations(
            oracle.tracks_by_stream.items(), 2):
        assert not tracks_a & tracks_b, (a, b)
    per_source = Counter(str(p["source"]) for track in oracle.points.values() for p in track)
    # readsb: the snapshots' 384 and the canonical points' 35 (6 of the 41 are more than the
    # allowed lateness older than the newest before them: readsb ages positions by up to
    # 60 s, and the lines come one aircraft per record; docs/time.md); AIS: the lines
    # without a time of their own take the recording's time (the watermark), not the replay's.
    assert per_source == {"sbs": 400, "readsb": 419, "opensky": 56, "ais": 429}
    # Hostile records: a cut SBS line; opensky without states; canonical without kind, an
    # array, JSON nested 3000 deep; AIS: a bad checksum, a fragment superseded by its
    # repeat, bytes that are not UTF-8, a GPS sentence.
    assert Counter(str(d["reason"]) for d in oracle.deadletters) == {
        "truncated": 1, "missing_field": 1, "unknown_format": 4, "bad_checksum": 1,
        "orphan_fragment": 1, "not_utf8": 1}


def test_every_input_topic_flows_into_tracks_points(
        deployment: Deployment, workers: Workers,
        streams: list[tuple[str, str, bytes | None, list[bytes]]],
        oracle: InputsResult) -> None:
    port = _free_port()
    deployment.extra_env["ADIZWATCH_METRICS_PORT"] = str(port)
    worker = workers.start()
    sent = _produce(deployment, streams)
    _wait(deployment, workers)
    assert worker.poll() is None, workers.log_text()

    points = read_all(deployment.bootstrap_servers, deployment.topic("tracks.points"),
                      deployment.partitions)
    got = _by_track(points)
    assert got == oracle.points  # same points, same order per track
    for track in list(got.values())[:300]:
        for point in track:
            assert_valid("tracks.points", point)
    letters = [orjson.loads(v) for _, v in read_all(
        deployment.bootstrap_servers, deployment.topic("adizwatch.deadletter"),
        deployment.partitions)]
    assert sorted(map(_stable, letters), key=repr) == sorted(map(_stable, oracle.deadletters),
                                                             key=repr)

    # Prometheus: every record counted once per topic: received = outcomes summed.
    samples = _scrape(port)
    for topic in {topic for _, topic, _, _ in streams}:
        received = sum(len(values) for _, t, _, values in streams if t == topic)
        counted = {outcome: value for (name, *labels), value in samples.items()
                   if name == "adizwatch_records_total" and f"topic={topic}" in labels
                   for outcome in [labels[0].removeprefix("outcome=")]}
        assert sum(counted.values()) == received, (topic, counted)
        assert counted == {o: n for (t, o), n in oracle.outcomes.items() if t == topic}
        parts = sum(value for (name, *labels), value in samples.items()
                    if name == "adizwatch_deadletters_total" and f"topic={topic}" in labels
                    and "unit=part" in labels)
        assert parts == oracle.part_letters.get(topic, 0)
    # The direct step on the real broker: an update whose track hashes to a partition this
    # worker owns is held there at once; one worker owns them all, so nothing crosses
    # tracks.updates but the marks of other workers (none here); each is held once.
    hopped = sum(value for (name, *labels), value in samples.items()
                 if name == "adizwatch_records_out_total"
                 and f"topic={deployment.topic('tracks.updates')}" in labels)
    stepped = sum(value for (name, *labels), value in samples.items()
                  if name == "adizwatch_records_total" and "stage=track" in labels
                  and "outcome=held" in labels)
    assert stepped == len(oracle.updates)
    assert hopped == 0 and stepped > 0
    assert sent == sum(len(values) for *_, values in streams)
    assert workers.stop(worker) == 0, workers.log_text()


def test_pending_ais_fragment_survives_a_worker_restart(deployment: Deployment,
                                                        workers: Workers) -> None:
    first_half, second_half = _lines("ais/libais_orbcomm_tagblock.nmea", "ais")[:2], \
        _lines("ais/libais_orbcomm_tagblock.nmea", "ais")[2:]
    topic = deployment.topic("ais.nmea")
    # Satellite AIS: the recording's times jump back 40 minutes. An hour of allowed lateness
    # (docs/time.md), so that the completed message is stepped, not skipped as late.
    deployment.extra_env["ADIZWATCH_ALLOWED_LATENESS_MS"] = "3600000"
    first = workers.start()
    produce_keyed(deployment.bootstrap_servers, topic, [(b"orbcomm", v) for v in first_half],
                  RECORD_MS)
    _wait(deployment, workers)
    assert workers.stop(first) == 0, workers.log_text()

    second = workers.start()
    produce_keyed(deployment.bootstrap_servers, topic, [(b"orbcomm", v) for v in second_half],
                  RECORD_MS)
    _wait(deployment, workers)
    # The message completed by the second worker is the vessel's only report: its track
    # memory exists, and holds the voyage data of the type 5 message.
    memory = [orjson.loads(v) for k, v in read_all(
        deployment.bootstrap_servers,
        deployment.topic(f"{deployment.group_id}-track-memory-changelog"),
        deployment.partitions) if k == b"mmsi:219005012" and v is not None]
    assert memory, "the fragment did not survive the restart"
    fields = dict(zip(TrackMemory._fields, memory[-1], strict=True))
    assert (fields["updated_ms"], fields["callsign"], fields["vessel_name"]) == (
        1_418_169_601_000, "XPD5019", "ROSINANTE")  # 2014-12-10T00:00:01Z
    assert read_all(deployment.bootstrap_servers, deployment.topic("adizwatch.deadletter"),
                    deployment.partitions) == []
    assert workers.stop(second) == 0, workers.log_text()
