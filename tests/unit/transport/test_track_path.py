"""The direct step: a decoded update held at once gives exactly what the round trip through
``tracks.updates`` gives, and only for the partition it is asked for."""

from __future__ import annotations

import orjson
import pytest

from pipeline.demo import bundled_feeds
from pipeline.eventtime.watermarks import Mark
from pipeline.geofence.timers import LostAfter
from pipeline.geofence.zones import ZoneSet, default_zone_dir, load_zone_files
from pipeline.identify.enrich import DEFAULT_ALLIED_COUNTRIES, IdentifyContext
from pipeline.identify.rules import load_rule_table
from pipeline.transport import handlers
from pipeline.transport.handlers import Output, RecordMeta
from pipeline.transport.offline_pipeline import OfflinePipeline
from pipeline.transport.topics import (
    ADSB_SBS,
    DEADLETTER,
    IDENTIFICATIONS,
    TRACK_POINTS,
    TRACK_UPDATES,
    ZONE_EVENTS,
)
from pipeline.transport.track_path import (
    GEOFENCE_STATE,
    HELD_REPORTS,
    Stores,
    TrackPath,
    encode_mark,
    new_stores,
)
from tests.schema_check import assert_valid

NOW = 1_764_000_000_000
OUTPUT_TOPICS = (TRACK_POINTS, ZONE_EVENTS, IDENTIFICATIONS)


@pytest.fixture(scope="module")
def zones() -> ZoneSet:
    return load_zone_files([default_zone_dir()])


def bundled_feed_lines() -> list[bytes]:
    """The demo's recordings, oldest first as the demo replays them."""
    feeds = {path.name: path for path in bundled_feeds()}
    return [line for name in ("us-navy-ae0455-san-diego.sbs", "seed-scenario-alaska.sbs")
            for line in feeds[name].read_bytes().splitlines()
            if line.strip() and not line.startswith(b"#")]


def _path(zones: ZoneSet) -> TrackPath:
    ctx = IdentifyContext.load(load_rule_table(), DEFAULT_ALLIED_COUNTRIES)
    return TrackPath(lambda: zones, ctx, 300_000, LostAfter())


def _meta(offset: int) -> RecordMeta:
    return RecordMeta("adsb.sbs", 0, offset, NOW - 5)


def _run(zones: ZoneSet, lines: list[bytes], partitions: int, direct: bool) -> list[Output]:
    harness = OfflinePipeline(_path(zones), partitions, direct)
    return harness.run((ADSB_SBS, b"receiver", line, NOW) for line in lines)


@pytest.mark.parametrize("partitions", [1, 4])
def test_the_direct_step_gives_what_the_hop_gives(zones: ZoneSet, partitions: int) -> None:
    lines = bundled_feed_lines()
    hop = _run(zones, lines, partitions, direct=False)
    direct = _run(zones, lines, partitions, direct=True)
    assert all(o.topic in (*OUTPUT_TOPICS, DEADLETTER) for o in direct)
    def order(o: Output) -> tuple[str, bytes, bytes]:
        return (o.topic.name, o.key or b"", o.value)

    assert sorted(direct, key=order) == sorted(hop, key=order)
    events = [orjson.loads(o.value) for o in direct if o.topic is ZONE_EVENTS]
    assert len(events) == 44  # the demo's zone events (README)
    for event in events:
        assert_valid("zones.events", event)


def test_only_the_asked_tracks_take_the_direct_step(zones: ZoneSet) -> None:
    lines = bundled_feed_lines()
    stores = new_stores(TRACK_UPDATES, 0)
    here = b"icao24:ae0455"
    path = _path(zones)
    hopped: set[bytes | None] = set()
    stepped = 0
    for offset, line in enumerate(lines):
        done = path.process(ADSB_SBS, b"receiver", line, _meta(offset), {}, NOW,
                            lambda key: (0, stores) if key == here else None)
        hopped |= {o.key for o in done.handled.outputs if o.topic is TRACK_UPDATES}
        stepped += len(done.steps)
        assert all(step.outcome == "held" and not step.outputs for step in done.steps)
    assert stepped > 0 and here not in hopped and len(hopped) > 5
    assert [key for key, _ in stores[HELD_REPORTS].take_changes()] == [here]


def test_a_failing_track_step_is_dead_lettered_with_its_update(zones: ZoneSet) -> None:
    line = (b"MSG,3,1,1,AE0455,1,2020/09/14,21:59:00.000,2020/09/14,21:59:00.000,,1000,,,"
            b"32.5,-117.5,,,0,0,0,0")
    broken: Stores = {k: v for k, v in new_stores(TRACK_UPDATES, 0).items()
                      if k != GEOFENCE_STATE}
    path = _path(zones)
    done = path.process(ADSB_SBS, b"receiver", line, _meta(7), {}, NOW,
                        lambda key: (0, broken))
    assert done.handled.outcome == "accepted" and done.handled.outputs == []
    assert [step.outcome for step in done.steps] == ["held"]
    path.process(TRACK_UPDATES, None, encode_mark("adsb.sbs/0", Mark(NOW, True)),
                 RecordMeta("tracks.updates", 0, 0, NOW), broken, NOW)
    step, timers = path.release(0, broken, ["adsb.sbs/0"], NOW)
    assert timers.outcome == "internal_error"  # the broken store again, logged
    assert (step.outcome, step.reason) == ("deadletter", "internal_error")
    (letter,) = step.outputs
    value = orjson.loads(letter.value)
    assert_valid("adizwatch.deadletter", value)
    assert (value["stage"], value["topic"]) == ("track", "tracks.updates")
    payload = orjson.loads(value["payload"])
    assert_valid("tracks.updates", payload)
    assert payload["track_id"] == "icao24:ae0455"
    assert handlers.update_outputs(done.handled) == []
