"""Input handlers: bytes in, schema-valid updates and dead letters out; one outcome each."""

from __future__ import annotations

import base64

import orjson
import pytest

from pipeline.transport import codec, handlers, inputs
from pipeline.transport.handlers import Handled, RecordMeta
from pipeline.transport.topics import DEADLETTER, TRACK_UPDATES
from tests.feeds import FEEDS
from tests.schema_check import assert_valid

NOW = 1_764_000_000_000


def _meta(topic: str, offset: int = 41) -> RecordMeta:
    return RecordMeta(topic=topic, partition=2, offset=offset, timestamp_ms=NOW - 5)


def _split(handled: Handled) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    updates, letters = [], []
    for out in [*handled.outputs, *handlers.update_outputs(handled)]:
        value = orjson.loads(out.value)
        if out.topic is TRACK_UPDATES:
            assert out.key == str(value["track_id"]).encode()
            assert_valid("tracks.updates", value)
            updates.append(value)
        else:
            assert out.topic is DEADLETTER and out.key is None
            assert_valid("adizwatch.deadletter", value)
            letters.append(value)
    return updates, letters


def test_readsb_snapshot_gives_one_update_per_aircraft() -> None:
    raw = (FEEDS / "adsb" / "readsb_aircraft_5.json").read_bytes()
    assert_valid("adsb.readsb", orjson.loads(raw))
    handled = inputs.handle_readsb(raw, _meta("adsb.readsb"), NOW)
    updates, letters = _split(handled)
    assert (handled.outcome, len(updates), letters, handled.messages) == (
        "accepted", 120, [], 120)
    assert handled.static_updates == 8


def test_readsb_json_line_with_its_trailing_comma() -> None:
    line = (FEEDS / "adsb" / "readsb_jsonlines_1.json").read_bytes().splitlines()[0]
    assert line.endswith(b",")
    updates, _ = _split(inputs.handle_readsb(line, _meta("adsb.readsb"), NOW))
    assert [u["callsign"] for u in updates] == ["TIV770"]


def test_a_bad_aircraft_is_a_part_dead_letter_with_its_element() -> None:
    doc = orjson.loads((FEEDS / "adsb" / "readsb_aircraft_1.json").read_bytes())
    doc["aircraft"][5]["lat"] = 123.0
    handled = inputs.handle_readsb(orjson.dumps(doc), _meta("adsb.readsb"), NOW)
    updates, (letter,) = _split(handled)
    assert (handled.outcome, handled.reason, handled.part_reasons, len(updates)) == (
        "accepted", None, ["out_of_range"], 63)
    assert str(letter["detail"]).startswith("aircraft[5]: ")
    assert orjson.loads(str(letter["payload"])) == doc["aircraft"][5]
    assert (letter["topic"], letter["partition"], letter["offset"]) == ("adsb.readsb", 2, 41)


def test_a_record_of_only_bad_parts_is_one_record_dead_letter() -> None:
    raw = orjson.dumps({"now": 1, "aircraft": [{"hex": "zz"}, {"hex": 5}]})
    handled = inputs.handle_readsb(raw, _meta("adsb.readsb"), NOW)
    _, (letter,) = _split(handled)
    assert (handled.outcome, handled.reason, list(handled.part_reasons)) == (
        "deadletter", "bad_field", [])
    assert letter["payload"] == raw.decode()
    assert str(letter["detail"]).endswith("(and 1 more parts)")


@pytest.mark.parametrize(("raw", "reason"), [
    (b'{"now": 1, "aircraft": [', "truncated"),
    (b"", "truncated"),
    (b"MSG,3,1,1", "unknown_format"),
    (b'{"now": 1, "aircraft": []}\xff', "not_utf8"),
    (b" " * (inputs.READSB_MAX_BYTES + 1), "too_large"),
])
def test_records_that_are_not_json(raw: bytes, reason: str) -> None:
    handled = inputs.handle_readsb(raw, _meta("adsb.readsb"), NOW)
    _, (letter,) = _split(handled)
    assert (handled.outcome, handled.reason) == ("deadletter", reason)
    if reason == "not_utf8":
        assert base64.b64decode(str(letter["payload"])) == raw


def test_opensky_response() -> None:
    raw = (FEEDS / "adsb" / "opensky_states_all_2021-10-17T1149Z.json").read_bytes()
    assert_valid("adsb.opensky", {**orjson.loads(raw), "states": orjson.loads(raw)["states"][:50]})
    handled = inputs.handle_opensky(raw, _meta("adsb.opensky"), NOW)
    updates, letters = _split(handled)
    assert (len(updates), list(handled.part_reasons)) == (5483, ["out_of_range", "out_of_range"])
    assert all(orjson.loads(str(d["payload"]))[0] for d in letters)


def test_canonical_point_is_re_keyed_by_its_track() -> None:
    point = {"track_id": "mmsi:351759000", "kind": "vessel", "source": "canonical",
             "time": "2010-06-11T11:46:12.470Z", "ts_ms": 1_276_256_772_470, "lat": 40.5,
             "lon": -73.9}
    (update,), _ = _split(inputs.handle_canonical(orjson.dumps(point),
                                                  _meta("tracks.canonical"), NOW))
    assert (update["track_id"], update["lat"]) == ("mmsi:351759000", 40.5)


def test_ais_fragments_across_records_keep_state_then_drop_it() -> None:
    lines = (FEEDS / "ais" / "gpsd_sample.aivdm").read_bytes().splitlines()
    first = inputs.handle_ais(lines[123], _meta("ais.nmea", 1), None, NOW)
    assert (first.outcome, first.outputs, first.state is not None) == ("no_track_data", [], True)
    second = inputs.handle_ais(lines[124], _meta("ais.nmea", 2), first.state, NOW)
    (update,), letters = _split(second)
    assert (update["vessel_name"], letters, second.state, second.drop_state) == (
        "EVER DIADEM", [], None, True)


def test_ais_orphan_names_the_record_of_its_fragment() -> None:
    lines = (FEEDS / "ais" / "gpsd_sample.aivdm").read_bytes().splitlines()
    first = inputs.handle_ais(lines[123], RecordMeta("ais.nmea", 3, 17, 1_000), None, NOW)
    later = RecordMeta("ais.nmea", 3, 18, 1_000 + 121_000)  # past the timeout
    handled = inputs.handle_ais(lines[9], later, first.state, NOW)
    (update,), (letter,) = _split(handled)
    assert (letter["reason"], letter["partition"], letter["offset"]) == (
        "orphan_fragment", 3, 17)
    assert letter["payload"] == lines[123].decode()
    assert (handled.outcome, handled.part_reasons, handled.drop_state) == (
        "accepted", ["orphan_fragment"], True)
    assert update["track_id"] == "mmsi:371798000"


def test_ais_drain_at_the_end_of_input() -> None:
    line = (FEEDS / "ais" / "gpsd_sample.aivdm").read_bytes().splitlines()[123]
    stored = inputs.handle_ais(line, _meta("ais.nmea"), None, NOW).state
    assert stored is not None
    _, (letter,) = _split(inputs.drain_ais(stored, _meta("ais.nmea"), NOW))
    assert "end of input" in str(letter["detail"])


def test_codec_round_trips_the_new_fields() -> None:
    raw = (FEEDS / "adsb" / "readsb_aircraft_4.json").read_bytes()
    for out in inputs.handle_readsb(raw, _meta("adsb.readsb"), NOW).outputs:
        update = codec.decode_update(out.value)
        assert codec.encode_update(update) == out.value


@pytest.mark.parametrize("stored", [b"not json", b"[]", b'{"groups": [[1]]}',
                                    b'{"groups": [["k", [[1, 2, "s"]]]]}'])
def test_unreadable_ais_state_is_given_up_not_fatal(stored: bytes) -> None:
    lines = (FEEDS / "ais" / "gpsd_sample.aivdm").read_bytes().splitlines()
    handled = inputs.handle_ais(lines[9], _meta("ais.nmea"), stored, NOW)
    (update,), _ = _split(handled)
    assert (update["track_id"], handled.drop_state, handled.state) == (
        "mmsi:371798000", True, None)
    fragment = inputs.handle_ais(lines[123], _meta("ais.nmea"), stored, NOW)
    assert fragment.state is not None and not fragment.drop_state
