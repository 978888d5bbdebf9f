"""Record handlers end to end without a broker: bytes in, schema-valid records out."""

from __future__ import annotations

import base64

import orjson
import pytest

from pipeline.eventtime.watermarks import Mark
from pipeline.geofence.timers import LostAfter
from pipeline.geofence.zones import ZoneSet, default_zone_dir, load_zone_files
from pipeline.identify.enrich import DEFAULT_ALLIED_COUNTRIES, IdentifyContext
from pipeline.identify.rules import load_rule_table
from pipeline.transport import handlers
from pipeline.transport.handlers import Handled, RecordMeta
from pipeline.transport.topics import (
    DEADLETTER,
    FLIGHTPLANS,
    IDENTIFICATIONS,
    TRACK_POINTS,
    TRACK_UPDATES,
    WATCHLISTS,
    ZONE_EVENTS,
)
from pipeline.transport.track_path import TrackPath, encode_mark, new_stores
from tests.schema_check import assert_valid

NOW = 1_764_000_000_000
META = RecordMeta(topic="adsb.sbs", partition=2, offset=41, timestamp_ms=NOW - 5)


@pytest.fixture(scope="module")
def zones() -> ZoneSet:
    return load_zone_files([default_zone_dir()])


def _only(handled: Handled) -> tuple[str, bytes | None, dict[str, object]]:
    outputs = [*handled.outputs, *handlers.update_outputs(handled)]
    assert len(outputs) == 1
    out = outputs[0]
    return out.topic.name, out.key, orjson.loads(out.value)


def test_sbs_line_becomes_a_keyed_update() -> None:
    line = (b"MSG,3,1,1,AE0455,1,2020/09/14,21:59:00.000,2020/09/14,21:59:00.000,,1000,,,"
            b"32.5,-117.5,,,0,0,0,0")
    topic, key, value = _only(handlers.handle_sbs(line, META, NOW))
    assert (topic, key) == (TRACK_UPDATES.name, b"icao24:ae0455")
    assert_valid("tracks.updates", value)
    assert value["time"] == "2020-09-14T21:59:00.000Z"


def test_bad_line_becomes_a_dead_letter_with_its_origin() -> None:
    raw = b"MSG,3,1,1,AE0455,1,,,,,,1000,,,95.0,-117.5,,,0,0,0,0"
    handled = handlers.handle_sbs(raw, META, NOW)
    topic, key, value = _only(handled)
    assert (topic, key, handled.outcome, handled.reason) == (
        DEADLETTER.name, None, "deadletter", "out_of_range")
    assert_valid("adizwatch.deadletter", value)
    assert value["reason"] == "out_of_range"
    assert (value["topic"], value["partition"], value["offset"]) == ("adsb.sbs", 2, 41)
    assert value["payload"] == raw.decode()
    assert value["payload_encoding"] == "utf-8"


def test_non_utf8_payload_is_kept_as_base64() -> None:
    raw = b"MSG,3,\xff\xfe"
    _, _, value = _only(handlers.handle_sbs(raw, META, NOW))
    assert value["reason"] == "not_utf8"
    assert value["payload_encoding"] == "base64"
    assert base64.b64decode(str(value["payload"])) == raw
    assert_valid("adizwatch.deadletter", value)


def test_guarded_turns_an_exception_into_an_internal_error() -> None:
    def broken() -> Handled:
        raise KeyError("boom")

    handled = handlers.guarded("identify", META, b"x", NOW, broken)
    _, _, value = _only(handled)
    assert (value["reason"], value["stage"]) == ("internal_error", "identify")
    assert "KeyError" in str(value["detail"])


def _ctx() -> IdentifyContext:
    return IdentifyContext.load(load_rule_table(), DEFAULT_ALLIED_COUNTRIES)


def _track_path(zones: ZoneSet) -> TrackPath:
    return TrackPath(lambda: zones, _ctx(), 300_000, LostAfter())


def test_pipeline_of_handlers_from_line_to_identification(zones: ZoneSet) -> None:
    lines = [
        b"MSG,1,1,1,AE0455,1,2020/09/14,21:58:00.000,,,PSWRD35,,,,,,,,,,,",
        b"MSG,3,1,1,AE0455,1,2020/09/14,21:58:00.000,,,,1200,,,32.40,-117.40,,,0,0,0,0",
        b"MSG,3,1,1,AE0455,1,2020/09/14,21:59:00.000,,,,1200,,,32.40,-118.00,,,0,0,0,0",
    ]
    path = _track_path(zones)
    stores = new_stores(TRACK_UPDATES, 2)
    events, idents, points = [], [], 0
    for line in lines:
        (update,) = handlers.update_outputs(handlers.handle_sbs(line, META, NOW))
        handled = path.process(TRACK_UPDATES, update.key, update.value, META, stores,
                               NOW).handled
        assert (handled.outcome, handled.outputs) == ("held", [])
    # The one input partition caught up: its mark lets everything held through.
    last_ms = 1_600_120_740_000  # 2020-09-14T21:59:00Z, the last report
    mark = encode_mark("adsb.sbs/0", Mark(last_ms, True))
    assert path.process(TRACK_UPDATES, None, mark, META, stores, NOW).handled.outcome == "mark"
    released = path.release(2, stores, ["adsb.sbs/0"], NOW)
    assert [h.outcome for h in released] == ["merged", "first", "segment"]
    for handled in released:
        for out in handled.outputs:
            assert out.key == b"icao24:ae0455"
            if out.topic is TRACK_POINTS:
                points += 1
                assert_valid("tracks.points", orjson.loads(out.value))
            elif out.topic is ZONE_EVENTS:
                events.append(orjson.loads(out.value))
            else:
                assert out.topic is IDENTIFICATIONS
                idents.append(orjson.loads(out.value))
    assert points == 2
    for event in events:
        assert_valid("zones.events", event)
    assert len(events) == 1 and len(idents) == 1
    ident = idents[0]
    assert_valid("alerts.identification", ident)
    assert (ident["type"], ident["zone_id"], ident["callsign"], ident["country"],
            ident["military"], ident["identity"], ident["previous_identity"]) == (
        "zone.entry", "us-contiguous-adiz-pacific", "PSWRD35", "US", True, "assumed friend",
        "pending")
    assert ident["interpolated"] is True
    assert ident["zone_event_id"] == events[0]["event_id"]
    # Every store changed, and what the changelog gets reads back as the same state (the
    # held reports, all released before the changelog had them: nothing to write).
    assert stores["held-reports"].take_changes() == []
    for store in stores.values():
        if store.name == "held-reports":
            continue
        (key, value), = store.take_changes()
        assert key in (b"icao24:ae0455", b"watermarks") and value is not None
        again = new_stores(TRACK_UPDATES, 2)[store.name]
        again.load(key, store.dump(value))
        assert again.get(key) == store.get(key)


def test_config_records_apply_live_and_bad_ones_are_dead_lettered() -> None:
    ctx = _ctx()
    row = (b'{"$ICAO": "AE7D41", "#CMPG": "Mil", "$ICAO Type": "F16", "Category": "NORAD"}')
    handled = handlers.handle_config(WATCHLISTS, b"icao24:ae7d41", row, META, ctx, NOW)
    assert handled.outcome == "applied" and len(ctx.watchlist) == 1
    handled = handlers.handle_config(WATCHLISTS, b"icao24:ae7d41", None, META, ctx, NOW)
    assert handled.outcome == "deleted" and len(ctx.watchlist) == 0
    bad = handlers.handle_config(WATCHLISTS, b"icao24:x", b'{"$ICAO": "8.40E+11", '
                                 b'"Category": "X"}', META, ctx, NOW)
    assert bad.reason == "bad_config"
    _, _, letter = _only(bad)
    assert "spreadsheet" in str(letter["detail"])
    plan = (b'{"plan_id": "P1", "rules": "DVFR", "callsign": "N123AB", "penetration": '
            b'{"lat": 60, "lon": -170, "time": "2024-07-24T18:00:00Z"}, '
            b'"valid_from": "2024-07-24T17:00:00Z", "valid_to": "2024-07-24T19:00:00Z"}')
    assert_valid("flightplans", orjson.loads(plan))
    assert handlers.handle_config(FLIGHTPLANS, b"P1", plan, META, ctx, NOW).outcome == "applied"
    assert len(ctx.plans) == 1
    wrong_key = handlers.handle_config(FLIGHTPLANS, b"P2", plan, META, ctx, NOW)
    assert wrong_key.reason == "bad_config"


def test_record_whose_key_is_not_its_track_is_dead_lettered(zones: ZoneSet) -> None:
    update = (b'{"track_id":"icao24:ae0455","kind":"aircraft","source":"sbs","time":'
              b'"2020-09-14T21:59:00.000Z","ts_ms":1600120740000,"lat":32.4,"lon":-118.0}')
    stores = new_stores(TRACK_UPDATES, 2)
    handled = _track_path(zones).process(TRACK_UPDATES, b"icao24:000000", update, META, stores,
                                         NOW).handled
    assert handled.reason == "bad_key"
    assert all(not store.dirty for store in stores.values())


@pytest.mark.parametrize("raw", [
    b"not json", b"[]", b'{"track_id": 5}', b"\xff",
    b'{"track_id":"icao24:ae0455","kind":"aircraft","source":"sbs","ts_ms":1,"lat":95,"lon":0}',
    b'{"track_id":"icao24:ae0455","kind":"ship","source":"sbs","ts_ms":1,"lat":5,"lon":0}',
    b'{"track_id":"icao24:ae0455","kind":"aircraft","source":"sbs","ts_ms":true,"lat":5,"lon":0}',
])
def test_invalid_internal_records_are_dead_lettered(zones: ZoneSet, raw: bytes) -> None:
    handled = _track_path(zones).process(TRACK_UPDATES, b"icao24:ae0455", raw, META,
                                         new_stores(TRACK_UPDATES, 2), NOW).handled
    assert handled.outcome == "deadletter"
    assert handled.reason in ("bad_field", "out_of_range", "not_utf8")
