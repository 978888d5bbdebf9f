"""Identification on the real broker: watch-lists and flight plans loaded through their
topics by the CLI, a live watch-list change while a track is inside, and emergency codes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson

from pipeline.demo import bundled_feeds, bundled_flightplans, bundled_watchlists
from tests.integration.conftest import Deployment, Workers
from tests.integration.kafka_io import produce, read_all, wait_until
from tests.integration.reference_runs import wait_caught_up
from tests.schema_check import assert_valid

WITHOUT_FILES = ("ADIZWATCH_WATCHLISTS", "ADIZWATCH_FLIGHTPLANS")
START = datetime(2024, 7, 25, 12, 0, tzinfo=UTC)


def _sbs(hex_id: str, at: datetime, lat: float, lon: float, squawk: str = "",
         callsign: str = "") -> bytes:
    date, time = at.strftime("%Y/%m/%d"), at.strftime("%H:%M:%S.000")
    return (f"MSG,3,1,1,{hex_id},1,{date},{time},{date},{time},{callsign},31000,,,{lat:.5f},"
            f"{lon:.5f},,{squawk},0,0,0,0").encode()


def _alerts(deployment: Deployment) -> list[dict[str, object]]:
    return [orjson.loads(v) for _, v in read_all(
        deployment.bootstrap_servers, deployment.topic("alerts.identification"),
        deployment.partitions)]


def test_config_topics_live_updates_and_emergencies(deployment: Deployment,
                                                    workers: Workers) -> None:
    # Configuration through the topics (the CLI loaders), not files.
    for path in bundled_watchlists():
        deployment.cli("watchlist", "load", str(path))
    for path in bundled_flightplans():
        deployment.cli("plans", "load", str(path))
    workers.start(without=WITHOUT_FILES)
    (scenario,) = [p for p in bundled_feeds() if p.name == "seed-scenario-alaska.sbs"]
    lines = [line for line in scenario.read_bytes().splitlines() if line]
    # A civil aircraft squawking 7700 over Kansas, far from every zone.
    lines += [_sbs("A1B2C3", START + timedelta(seconds=s), 38.5, -98.0 + s / 1000, squawk=sq)
              for s, sq in ((0, "1200"), (10, "7700"), (20, "7700"), (30, "1200"))]
    produce(deployment.bootstrap_servers, deployment.topic("adsb.sbs"), lines, key=b"scenario")

    def scenario_done() -> bool:
        return sum(a["type"] == "zone.exit" for a in _alerts(deployment)) >= 20

    wait_until(scenario_done, 180, "the scenario's zone exits", workers.log_text)
    wait_caught_up(deployment, workers)  # the reports after the last exit released too
    alerts = _alerts(deployment)
    for alert in alerts:
        assert_valid("alerts.identification", alert)
    entries = {(a["track_id"], a["identity"]) for a in alerts if a["type"] == "zone.entry"}
    assert ("icao24:ae7d41", "friend") in entries     # F-16, watch-list via the topic
    assert ("icao24:15a7c3", "suspect") in entries    # Tu-95
    assert ("icao24:71c2d7", "neutral") in entries    # KAL272, plan via the topic
    emergencies = [(a["squawk"], a["emergency"], a["zones"]) for a in alerts
                   if a["type"] == "emergency" and a["track_id"] == "icao24:a1b2c3"]
    assert emergencies == [("7700", True, []), ("1200", False, [])]

    # A live watch-list change while a track is inside the Alaska ADIZ (60N 170W).
    inside = [_sbs("A0F001", START + timedelta(minutes=10, seconds=s), 60.0, -170.0 + s / 600)
              for s in range(0, 60, 10)]
    produce(deployment.bootstrap_servers, deployment.topic("adsb.sbs"), inside, key=b"live")

    def entered() -> bool:
        return any(a["track_id"] == "icao24:a0f001" and a["type"] == "zone.entry"
                   for a in _alerts(deployment))

    wait_until(entered, 60, "the live track's entry", workers.log_text)
    row = {"$ICAO": "A0F001", "$Operator": "Operator list", "#CMPG": "Civ",
           "Category": "Hostile"}
    produce(deployment.bootstrap_servers, deployment.topic("watchlists"),
            [orjson.dumps(row)], key=b"icao24:a0f001")
    sent = [60]

    def turned_hostile() -> bool:
        # Keep the track reporting until the worker has applied the change.
        s = sent[0]
        produce(deployment.bootstrap_servers, deployment.topic("adsb.sbs"),
                [_sbs("A0F001", START + timedelta(minutes=10, seconds=s), 60.0,
                      -170.0 + s / 600)], key=b"live")
        sent[0] += 10
        return any(a["track_id"] == "icao24:a0f001" and a["type"] == "identity.change"
                   and a["identity"] == "hostile" for a in _alerts(deployment))

    wait_until(turned_hostile, 60, "the live watch-list change", workers.log_text)
    (change,) = [a for a in _alerts(deployment)
                 if a["track_id"] == "icao24:a0f001" and a["type"] == "identity.change"]
    assert (change["previous_identity"], change["watchlist"]) == (
        "unknown", "icao24:a0f001 (Hostile)")
