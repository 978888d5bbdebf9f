"""readsb JSON on real recorded aircraft (sdre-rust-adsb-parser test data, MIT)."""

from __future__ import annotations

import orjson
import pytest

from pipeline.decode.errors import DecodeError
from pipeline.decode.readsb import decode_aircraft, decode_readsb
from pipeline.model.track import AddressType, Source, TrackKind, TrackUpdate
from tests.feeds import FEEDS

NOW_MS = 1_700_578_050_780  # readsb_aircraft_4.json "now"


def _aircraft(hex_code: str, file: str = "readsb_aircraft_4.json") -> dict[str, object]:
    doc = orjson.loads((FEEDS / "adsb" / file).read_bytes())
    (found,) = [a for a in doc["aircraft"] if a["hex"] == hex_code]
    return dict(found)


def test_military_e3_tracked_by_mlat() -> None:
    # NORSE02, an E-3 of the US Air Force (dbFlags 1), positioned by multilateration.
    assert decode_aircraft(_aircraft("ae11e3"), NOW_MS) == TrackUpdate(
        track_id="icao24:ae11e3", kind=TrackKind.AIRCRAFT, source=Source.READSB,
        ts_ms=NOW_MS - 985, icao24="ae11e3", lat_deg=35.070734, lon_deg=-106.306686,
        alt_ft=30050, speed_kt=478.4, track_deg=265.56, vrate_fpm=64, callsign="NORSE02",
        squawk="2323", alert=False, emergency=None, spi=False, on_ground=None,
        address_type=AddressType.ICAO, data_source="mlat", registration="77-0356",
        aircraft_type="E3TF", military_flag=True)


def test_position_time_is_aged_by_seen_pos() -> None:
    aircraft = _aircraft("acb4e4")  # seen_pos 1.232
    assert decode_aircraft(aircraft, NOW_MS).ts_ms == NOW_MS - 1232


def test_in_the_database_without_the_military_bit_is_not_military() -> None:
    assert decode_aircraft(_aircraft("acb4e4"), NOW_MS).military_flag is False
    aircraft = _aircraft("acb4e4")
    del aircraft["r"], aircraft["t"]
    assert decode_aircraft(aircraft, NOW_MS).military_flag is None
    aircraft["dbFlags"] = 8  # another flag (ladd/pia...) but not military
    assert decode_aircraft(aircraft, NOW_MS).military_flag is False


def test_non_icao_address_is_kept_and_marked() -> None:
    update = decode_aircraft(_aircraft("~2688a2", "readsb_aircraft_5.json"), NOW_MS)
    assert (update.track_id, update.icao24, update.address_type, update.data_source) == (
        "nonicao:2688a2", None, AddressType.NON_ICAO, "tisb_trackfile")
    assert update.has_position


def test_on_ground_altitude() -> None:
    update = decode_aircraft(_aircraft("addf01", "readsb_aircraft_1.json"), NOW_MS)
    assert (update.alt_ft, update.on_ground) == (None, True)


def test_squawks_that_are_not_mode_a_codes_are_absent() -> None:
    lines = (FEEDS / "adsb" / "readsb_jsonlines_3.json").read_bytes().splitlines()
    squawks = [orjson.loads(line.rstrip(b",")).get("squawk") for line in lines]
    assert {"d276", "11919", "b184"} <= set(squawks)
    updates = [decode_readsb(orjson.loads(line.rstrip(b",")), 0).updates[0] for line in lines]
    assert {u.squawk for u in updates} == {None}
    assert {u.data_source for u in updates} == {"adsb_icao", "adsc"}


def test_single_object_takes_its_own_now_else_the_record_time() -> None:
    line = (FEEDS / "adsb" / "readsb_jsonlines_3.json").read_bytes().splitlines()[0]
    obj = orjson.loads(line.rstrip(b","))
    assert decode_readsb(obj, 5).updates[0].ts_ms == 1_704_737_598_122
    del obj["now"]
    assert decode_readsb(obj, 5).updates[0].ts_ms == 5


def test_one_bad_aircraft_is_rejected_alone() -> None:
    doc = orjson.loads((FEEDS / "adsb" / "readsb_aircraft_1.json").read_bytes())
    doc["aircraft"][3]["lat"] = 95.5
    doc["aircraft"][7]["hex"] = "zz"
    result = decode_readsb(doc, 0)
    assert (result.accepted, len(result.updates)) == (62, 62)
    assert [(r.reason, r.part) for r in result.rejected] == [
        ("out_of_range", "aircraft[3]"), ("bad_field", "aircraft[7]")]
    assert result.rejected[1].element == doc["aircraft"][7]


@pytest.mark.parametrize(("change", "reason"), [
    ({"hex": None}, "missing_field"),
    ({"hex": 12}, "bad_field"),
    ({"lat": None}, "missing_field"),  # lon without lat
    ({"gs": "fast"}, "bad_field"),
    ({"gs": True}, "bad_field"),
    ({"alt_baro": 1e9}, "out_of_range"),
    ({"alt_baro": "high"}, "bad_field"),
    ({"track": 361}, "out_of_range"),
    ({"flight": "NOT A CALLSIGN"}, "bad_field"),
    ({"squawk": "12x4"}, "bad_field"),
    ({"emergency": "maybe"}, "bad_field"),
    ({"dbFlags": -1}, "out_of_range"),
    ({"type": "ADS-B!"}, "bad_field"),
    ({"r": "N 1 2"}, "bad_field"),
    ({"seen_pos": -3}, "out_of_range"),
])
def test_invalid_fields_reject_the_aircraft(change: dict[str, object], reason: str) -> None:
    aircraft = _aircraft("acb4e4") | change
    with pytest.raises(DecodeError) as caught:
        decode_aircraft({k: v for k, v in aircraft.items()}, NOW_MS)
    assert caught.value.reason == reason


@pytest.mark.parametrize(("doc", "reason"), [
    ([], "unknown_format"),
    ({"now": 1, "messages": 2}, "unknown_format"),
    ({"aircraft": []}, "missing_field"),
    ({"now": "soon", "aircraft": []}, "bad_field"),
    ({"now": 1e12, "aircraft": []}, "out_of_range"),
    ({"now": 1, "aircraft": {}}, "bad_field"),
    ({"now": 1, "aircraft": [{}] * 20_001}, "too_large"),
])
def test_malformed_documents_are_rejected_whole(doc: object, reason: str) -> None:
    with pytest.raises(DecodeError) as caught:
        decode_readsb(doc, 0)
    assert caught.value.reason == reason


def test_empty_sky_is_a_valid_document() -> None:
    result = decode_readsb({"now": 1, "aircraft": []}, 0)
    assert (result.updates, result.rejected, result.accepted) == ([], [], 0)
