"""The direct step: a decoded update's track step run at once gives exactly what the round
trip through ``tracks.updates`` gives, and only for the partition it is asked for."""

from __future__ import annotations

from collections.abc import Iterable

import orjson
import pytest

from pipeline.demo import bundled_feeds
from pipeline.geofence.timers import LostAfter
from pipeline.geofence.zones import ZoneSet, default_zone_dir, load_zone_files
from pipeline.identify.enrich import DEFAULT_ALLIED_COUNTRIES, IdentifyContext
from pipeline.identify.rules import load_rule_table
from pipeline.transport import handlers
from pipeline.transport.handlers import Output, RecordMeta
from pipeline.transport.topics import (
    ADSB_SBS,
    DEADLETTER,
    IDENTIFICATIONS,
    TRACK_POINTS,
    TRACK_UPDATES,
    ZONE_EVENTS,
)
from pipeline.transport.track_path import GEOFENCE_STATE, Direct, Stores, TrackPath, new_stores
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


def _via_hop(path: TrackPath, lines: Iterable[bytes]) -> list[Output]:
    stores = new_stores(TRACK_UPDATES, 0)
    out: list[Output] = []
    for offset, line in enumerate(lines):
        done = path.process(ADSB_SBS, b"receiver", line, _meta(offset), {}, NOW)
        assert done.steps == ()
        for update in done.handled.outputs:
            if update.topic is DEADLETTER:
                continue
            assert update.topic is TRACK_UPDATES
            meta = RecordMeta("tracks.updates", 0, offset, NOW)  # the hop stamps it now
            out += path.process(TRACK_UPDATES, update.key, update.value, meta, stores,
                                NOW).handled.outputs
    return out


def _direct(path: TrackPath, lines: Iterable[bytes], direct: Direct) -> list[Output]:
    out: list[Output] = []
    for offset, line in enumerate(lines):
        done = path.process(ADSB_SBS, b"receiver", line, _meta(offset), {}, NOW, direct)
        out += [o for o in done.handled.outputs if o.topic is not DEADLETTER]
        for step in done.steps:
            out += step.outputs
    return out


def test_the_direct_step_gives_what_the_hop_gives(zones: ZoneSet) -> None:
    lines = bundled_feed_lines()
    stores = new_stores(TRACK_UPDATES, 0)
    hop = _via_hop(_path(zones), lines)
    direct = _direct(_path(zones), lines, lambda key: (0, stores))
    assert all(o.topic in OUTPUT_TOPICS for o in direct)
    assert direct == hop
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
        assert all(o.key == here for step in done.steps for o in step.outputs)
    assert stepped > 0 and here not in hopped and len(hopped) > 5
    assert [key for key, _ in stores["track-memory"].take_changes()] == [here]


def test_a_failing_direct_step_is_dead_lettered_with_its_update(zones: ZoneSet) -> None:
    line = (b"MSG,3,1,1,AE0455,1,2020/09/14,21:59:00.000,2020/09/14,21:59:00.000,,1000,,,"
            b"32.5,-117.5,,,0,0,0,0")
    broken: Stores = {k: v for k, v in new_stores(TRACK_UPDATES, 0).items()
                      if k != GEOFENCE_STATE}
    done = _path(zones).process(ADSB_SBS, b"receiver", line, _meta(7), {}, NOW,
                                lambda key: (0, broken))
    assert done.handled.outcome == "accepted" and done.handled.outputs == []
    (step,) = done.steps
    assert (step.outcome, step.reason) == ("deadletter", "internal_error")
    (letter,) = step.outputs
    value = orjson.loads(letter.value)
    assert_valid("adizwatch.deadletter", value)
    assert (value["stage"], value["topic"], value["offset"]) == ("track", "adsb.sbs", 7)
    payload = orjson.loads(value["payload"])
    assert_valid("tracks.updates", payload)
    assert payload["track_id"] == "icao24:ae0455"
    assert handlers.update_outputs(done.handled) == []
