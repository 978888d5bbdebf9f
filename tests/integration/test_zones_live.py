"""Zones on the real broker: zone definitions on ``zones.config`` before the workers start
and changed while they run, with two workers, each of which must see every zone.

Synthetic aircraft over the mid-Atlantic (far from the bundled ADIZ) meet a banded circle
with a dwell time, a banded box, a zone that is deleted later and one added later:
lateral and vertical crossings (through floors and ceilings), a dwell, a track lost and
regained by its own next report, a track lost because later traffic on its partition passed
its deadline, an exit from a deleted zone, entries into a changed and an added zone. An
invalid update (a self-intersecting polygon) is dead-lettered and the previous version stays
in force.

The expected records come from the same handlers run offline (``tests/pipeline_oracle.py``)
with the zone set of each phase; literal expectations guard the oracle itself.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import orjson
import pytest

from pipeline.demo import bundled_flightplans, bundled_watchlists
from pipeline.geofence.zone_config import ZoneRegistry
from pipeline.geofence.zones import ZoneSet, default_zone_dir, load_zone_files
from pipeline.settings import Settings
from pipeline.worker import identify_context
from tests.integration.conftest import Deployment, Workers
from tests.integration.kafka_io import produce, produce_records, read_all, wait_until
from tests.pipeline_oracle import OfflinePipeline, partition_of
from tests.sbs_synth import fly, merged
from tests.schema_check import assert_valid

T0 = 1_735_689_600_000  # 2025-01-01T00:00:00Z
PHASE2 = T0 + 2 * 3600_000


def _feature(zone_id: str, geometry: dict[str, object], **props: object) -> bytes:
    return orjson.dumps({"type": "Feature", "properties": {"id": zone_id, "name": zone_id,
                                                           **props}, "geometry": geometry})


def _box(x0: float, y0: float, x1: float, y1: float) -> dict[str, object]:
    return {"type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


CIRCLE_V1 = _feature("watch-circle", {"type": "Point", "coordinates": [-40.0, 30.0]},
                     kind="watch", radius_nm=30, floor_ft=5000, ceiling_ft=25000, dwell_s=120)
CIRCLE_V2 = _feature("watch-circle", {"type": "Point", "coordinates": [-40.0, 30.0]},
                     kind="watch", radius_nm=60, floor_ft=5000, ceiling_ft=40000, dwell_s=120)
BOX_BAND = _feature("box-band", _box(-36, 29, -34, 31), floor_ft=10000, ceiling_ft=20000)
BOX_BOWTIE = _feature("box-band", {"type": "Polygon", "coordinates": [
    [[-36, 29], [-34, 31], [-34, 29], [-36, 31], [-36, 29]]]})
DOOMED = _feature("doomed", _box(-38, 33, -37.5, 33.5), kind="exclusion")
NEW_BOX = _feature("new-box", _box(-30, 29, -29, 30))

INITIAL = [(b"watch-circle", CIRCLE_V1), (b"box-band", BOX_BAND), (b"doomed", DOOMED),
           (b"box-band", BOX_BOWTIE)]
CHANGES = [(b"watch-circle", CIRCLE_V2), (b"doomed", None), (b"new-box", NEW_BOX)]

LONG = 0.0026  # degrees of longitude per second at 250 m/s and 30N


def _phase1() -> list[bytes]:
    return merged(
        # Along 30N through the circle at FL150: lateral entry, dwell, lateral exit.
        fly("a10001", [(0, 30.0, -40.8, 15000), (620, 30.0, -40.8 + 620 * LONG, 15000)],
            10, T0),
        # Inside the box's footprint, climbing 5000 -> 25000 ft: in through the floor,
        # out through the ceiling.
        fly("a10002", [(0, 30.0, -35.5, 5000), (300, 30.0, -35.5 + 300 * LONG, 25000)],
            10, T0),
        # Descending into the circle through its ceiling, silent 11 minutes, back inside.
        fly("a10003", [(0, 30.1, -40.1, 30000), (100, 30.1, -40.1 + 100 * LONG, 20000)],
            10, T0) + fly("a10003", [(760, 30.1, -39.8, 20000), (800, 30.1, -39.7, 20000)],
                          20, T0),
        # Into the zone that will be deleted, then silent until phase 2.
        fly("a10004", [(0, 33.25, -38.2, 10000), (200, 33.25, -38.2 + 200 * LONG, 10000)],
            10, T0),
        # Into the box at FL150 and silent for good: lost when a10006 (same partition)
        # passes its deadline.
        fly("a10005", [(0, 30.5, -36.2, 15000), (150, 30.5, -36.2 + 150 * LONG, 15000)],
            10, T0),
        fly("a10006", [(0, 40.0, -30.0, 30000), (1500, 40.0, -30.0 + 1500 * LONG, 30000)],
            30, T0),
    )


def _phase2() -> list[bytes]:
    return merged(
        # 42 NM north of the centre: outside the old circle, inside the new one.
        fly("a10009", [(0, 30.7, -41.3, 30000), (1000, 30.7, -41.3 + 1000 * LONG, 30000)],
            20, PHASE2),
        fly("a1000a", [(0, 29.5, -30.5, 8000), (700, 29.5, -30.5 + 700 * LONG, 8000)],
            20, PHASE2),
        # Back from silence: the deleted zone is left at this report (and it was lost).
        fly("a10004", [(0, 33.25, -37.6, 10000), (40, 33.25, -37.5, 10000)], 20, PHASE2),
    )


def _zones_after(records: list[tuple[bytes, bytes | None]],
                 registry: ZoneRegistry) -> ZoneSet:
    for key, value in records:
        registry.apply(key.decode(), None if value is None else orjson.loads(value))
    return registry.zones


def _by_track(events: list[dict[str, object]]) -> dict[object, list[dict[str, object]]]:
    tracks: dict[object, list[dict[str, object]]] = {}
    for event in events:
        tracks.setdefault(event["track_id"], []).append(event)
    return tracks


def _values(deployment: Deployment, topic: str) -> list[dict[str, object]]:
    return [orjson.loads(value) for _, value in
            read_all(deployment.bootstrap_servers, deployment.topic(topic),
                     deployment.partitions)]


def _wait_caught_up(deployment: Deployment, workers: Workers) -> None:
    wait_until(deployment.caught_up,
               120, "the worker group to commit every input", workers.log_text)


def _logs_show(workers: Workers, pattern: str, count: int) -> bool:
    return all(len(re.findall(pattern, path.read_text(errors="replace"))) >= count
               for path in sorted(workers.deployment.log_dir.glob("worker-*.log")))


def test_live_zones_bands_circles_dwell_lost_on_two_workers(
        deployment: Deployment, workers: Workers) -> None:
    assert partition_of(b"icao24:a10005", 4) == partition_of(b"icao24:a10006", 4)
    bootstrap = deployment.bootstrap_servers
    zones_topic = deployment.topic("zones.config")
    # Zone definitions written before any worker runs: applied before the first point.
    workers_started = [workers.start(), workers.start()]
    wait_until(lambda: _logs_show(workers, r"zones ready", 1), 120,
               "both workers to read zones.config", workers.log_text)
    produce_records(bootstrap, zones_topic, INITIAL)
    wait_until(lambda: _logs_show(workers, r"zone change applied zone_id=doomed action=added",
                                  1), 60, "both workers to apply the zones", workers.log_text)
    produce(bootstrap, deployment.topic("adsb.sbs"), _phase1(), key=b"synthetic")
    _wait_caught_up(deployment, workers)

    produce_records(bootstrap, zones_topic, CHANGES)
    wait_until(lambda: _logs_show(workers, r"zone_id=new-box action=added", 1)
               and _logs_show(workers, r"zone_id=doomed action=deleted", 1)
               and _logs_show(workers, r"zone_id=watch-circle action=updated", 1),
               60, "both workers to apply the changes", workers.log_text)
    produce(bootstrap, deployment.topic("adsb.sbs"), _phase2(), key=b"synthetic")
    _wait_caught_up(deployment, workers)
    for worker in workers_started:
        assert worker.poll() is None, workers.log_text()
    # Both workers geofenced points (the group split tracks.updates between them).
    assert _logs_show(workers, r"geofence clock rebuilt", 1), workers.log_text()

    registry = ZoneRegistry(load_zone_files([default_zone_dir()]).zones)
    ctx = identify_context(Settings(watchlists=tuple(bundled_watchlists()),
                                    flightplans=tuple(bundled_flightplans())))
    offline = OfflinePipeline(_zones_after(INITIAL, registry), ctx, deployment.partitions)
    offline.feed(_phase1())
    offline.zones = _zones_after(CHANGES, registry)
    expected = offline.feed(_phase2())

    events = _values(deployment, "zones.events")
    for event in events:
        assert_valid("zones.events", event)
    assert _by_track(events) == _by_track(expected.zone_events)
    assert _by_track(_values(deployment, "alerts.identification")) == _by_track(
        expected.identifications)

    brief = {track: [(e["type"], e["zone_id"], e["via"]) for e in evs]
             for track, evs in _by_track(events).items()}
    assert brief == {
        "icao24:a10001": [("zone.entry", "watch-circle", "lateral"),
                          ("zone.dwell", "watch-circle", None),
                          ("zone.exit", "watch-circle", "lateral")],
        "icao24:a10002": [("zone.entry", "box-band", "floor"),
                          ("zone.exit", "box-band", "ceiling")],
        # Regained inside after 11 minutes: the dwell shows at that report; silent again
        # afterwards, lost again when phase 2's traffic on its partition passes the limit.
        "icao24:a10003": [("zone.entry", "watch-circle", "ceiling"),
                          ("track.lost", "watch-circle", None),
                          ("track.regained", "watch-circle", None),
                          ("zone.dwell", "watch-circle", None),
                          ("track.lost", "watch-circle", None)],
        "icao24:a10004": [("zone.entry", "doomed", "lateral"),
                          ("track.lost", "doomed", None),
                          ("track.regained", "doomed", None),
                          ("zone.exit", "doomed", None)],
        "icao24:a10005": [("zone.entry", "box-band", "lateral"),
                          ("track.lost", "box-band", None)],
        "icao24:a10009": [("zone.entry", "watch-circle", "lateral"),
                          ("zone.dwell", "watch-circle", None),
                          ("zone.exit", "watch-circle", "lateral")],
        "icao24:a1000a": [("zone.entry", "new-box", "lateral"),
                          ("zone.exit", "new-box", "lateral")],
    }
    lost_a10005 = _by_track(events)["icao24:a10005"][1]
    assert (lost_a10005["time"], lost_a10005["last_seen"]) == (
        "2025-01-01T00:12:30.000Z", "2025-01-01T00:02:30.000Z")
    floor_entry = _by_track(events)["icao24:a10002"][0]
    assert (floor_entry["time"], floor_entry["event_altitude_ft"]) == (
        "2025-01-01T00:01:15.000Z", 10000.0)

    changes = _values(deployment, "zones.changes")
    for change in changes:
        assert_valid("zones.changes", change)
    assert [(c["zone_id"], c["action"]) for c in changes if c["zone_id"] == "box-band"] == [
        ("box-band", "added"), ("box-band", "rejected")]
    assert sorted((c["zone_id"], c["action"]) for c in changes) == sorted([
        ("watch-circle", "added"), ("box-band", "added"), ("doomed", "added"),
        ("box-band", "rejected"), ("watch-circle", "updated"), ("doomed", "deleted"),
        ("new-box", "added")])
    letters = _values(deployment, "adizwatch.deadletter")
    for letter in letters:
        assert_valid("adizwatch.deadletter", letter)
    assert [(d["reason"], d["stage"]) for d in letters] == [
        ("zone_self_intersection", "zones.config")]
    assert "stays in force" in str(letters[0]["detail"])
    for worker in workers_started:
        assert workers.stop(worker) == 0, workers.log_text()


def test_zones_cli_puts_deletes_and_lists_live_zones(
        deployment: Deployment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main
    from pipeline.transport.admin import partition_counts

    monkeypatch.setenv("ADIZWATCH_BOOTSTRAP_SERVERS", deployment.bootstrap_servers)
    monkeypatch.setenv("ADIZWATCH_TOPIC_PREFIX", deployment.prefix)
    monkeypatch.setenv("ADIZWATCH_PARTITIONS", "3")
    path = tmp_path / "watch.geojson"
    path.write_bytes(b'{"type": "FeatureCollection", "features": [' + CIRCLE_V1 + b", "
                     + NEW_BOX + b"]}")
    assert main(["zones", "put", str(path)]) == 0
    # Before any worker: the CLI created the catalogue as a worker does (the deployment's
    # partitions, zones.config compacted), not the broker on the first send (its defaults).
    zones_topic = deployment.topic("zones.config")
    counts = asyncio.run(partition_counts({"bootstrap_servers": deployment.bootstrap_servers},
                                          [zones_topic, deployment.topic("adsb.sbs")]))
    assert counts == {zones_topic: 3, deployment.topic("adsb.sbs"): 3}, counts
    assert main(["zones", "delete", "us-hawaii-adiz"]) == 0
    capsys.readouterr()
    assert main(["zones", "list", "--live", "--json"]) == 0
    ids = {orjson.loads(line)["id"] for line in capsys.readouterr().out.splitlines()}
    assert ids == {"cn-east-china-sea-adiz", "us-alaska-adiz", "us-contiguous-adiz-atlantic-gulf",
                   "us-contiguous-adiz-pacific", "us-guam-adiz", "watch-circle", "new-box"}


def test_accepted_zone_versions_survive_a_worker_restart(
        deployment: Deployment, workers: Workers) -> None:
    # The version in force of each zone is a faust table, its changelog inside the topic
    # prefix: a restarted worker rebuilds it, so the same definition sent again is
    # "unchanged" (not "added") and a new one an update of it.
    bootstrap = deployment.bootstrap_servers
    zones_topic = deployment.topic("zones.config")
    first = workers.start()
    wait_until(lambda: _logs_show(workers, r"zones ready", 1), 120,
               "the worker to read zones.config", workers.log_text)
    produce_records(bootstrap, zones_topic, [(b"watch-circle", CIRCLE_V1)])
    wait_until(lambda: len(_values(deployment, "zones.changes")) == 1, 60,
               "the zone to be accepted", workers.log_text)
    assert workers.stop(first) == 0, workers.log_text()

    second = workers.start()
    wait_until(lambda: _logs_show(workers, r"zones ready", 1), 120,
               "the restarted worker to read zones.config", workers.log_text)
    produce_records(bootstrap, zones_topic, [(b"watch-circle", CIRCLE_V1),
                                             (b"watch-circle", CIRCLE_V2)])
    wait_until(lambda: len(_values(deployment, "zones.changes")) >= 3, 60,
               "the restarted worker to judge both definitions", workers.log_text)
    changes = _values(deployment, "zones.changes")
    assert [(c["zone_id"], c["action"]) for c in changes] == [
        ("watch-circle", "added"), ("watch-circle", "unchanged"), ("watch-circle", "updated")]
    assert workers.stop(second) == 0, workers.log_text()
