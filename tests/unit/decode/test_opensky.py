"""OpenSky /states/all on real recorded responses (see tests/data/feeds/SOURCES.md)."""

from __future__ import annotations

import orjson
import pytest

from pipeline.decode.errors import DecodeError
from pipeline.decode.opensky import decode_opensky, decode_state
from pipeline.model.track import AddressType, Source, TrackKind, TrackUpdate
from tests.feeds import FEEDS


def _states(name: str) -> list[list[object]]:
    return orjson.loads((FEEDS / "adsb" / name).read_bytes())["states"]


ALASKA = "opensky_states_all_2025-12-28T0214Z.json"
GLOBAL = "opensky_states_all_2021-10-17T1149Z.json"


def test_jal5_over_the_bering_strait_in_our_units() -> None:
    (jal5,) = [s for s in _states(ALASKA) if s[0] == "841c48"]
    assert decode_state(jal5) == TrackUpdate(
        track_id="icao24:841c48", kind=TrackKind.AIRCRAFT, source=Source.OPENSKY,
        ts_ms=int(jal5[3]) * 1000, icao24="841c48", lat_deg=jal5[6], lon_deg=jal5[5],
        alt_ft=round(jal5[7] / 0.3048), speed_kt=round(jal5[9] * 3600 / 1852, 1),
        track_deg=jal5[10], vrate_fpm=round(jal5[11] * 60 / 0.3048), callsign="JAL5",
        squawk=jal5[14], spi=False, on_ground=False, address_type=AddressType.ICAO,
        data_source="adsb")
    assert decode_state(jal5).lat_deg == pytest.approx(65.16, abs=0.01)


def test_a_state_without_position_is_timed_by_last_contact() -> None:
    state = next(s for s in _states(ALASKA) if s[5] is None)
    update = decode_state(state)
    assert (update.has_position, update.ts_ms) == (False, int(state[4]) * 1000)


def test_negative_track_is_normalised() -> None:
    state = next(s for s in _states(GLOBAL) if s[10] is not None and s[10] < 0)
    assert decode_state(state).track_deg == pytest.approx(state[10] % 360)


def test_absurd_vertical_rates_reject_their_states_only() -> None:
    doc = orjson.loads((FEEDS / "adsb" / GLOBAL).read_bytes())
    result = decode_opensky(doc)
    assert (result.accepted, len(doc["states"])) == (5483, 5485)
    assert [(r.reason, r.part[:7]) for r in result.rejected] == [
        ("out_of_range", "states["), ("out_of_range", "states[")]
    assert all("vertical_rate" in r.detail for r in result.rejected)


def test_extended_states_with_a_category_are_accepted() -> None:
    state = [*_states(ALASKA)[0], 2]
    assert decode_state(state).icao24 == str(state[0])


def test_no_states_in_view() -> None:
    result = decode_opensky({"time": 1766888059, "states": None})
    assert (result.updates, result.rejected, result.accepted) == ([], [], 0)


@pytest.mark.parametrize(("index", "value", "reason"), [
    (0, None, "missing_field"),
    (0, "xyz", "bad_field"),
    (5, None, "bad_field"),  # longitude without latitude
    (6, 91.0, "out_of_range"),
    (7, 1e6, "out_of_range"),
    (8, "no", "bad_field"),
    (9, -1.0, "out_of_range"),
    (14, "7780", "bad_field"),
    (16, 7, "out_of_range"),
    (1, "TOO LONG CALLSIGN", "bad_field"),
    (3, "yesterday", "bad_field"),
])
def test_invalid_fields_reject_the_state(index: int, value: object, reason: str) -> None:
    state = list(_states(ALASKA)[0])
    state[index] = value
    with pytest.raises(DecodeError) as caught:
        decode_state(state)
    assert caught.value.reason == reason


@pytest.mark.parametrize(("doc", "reason"), [
    ({"time": 1}, "unknown_format"),
    ([1, 2], "unknown_format"),
    ({"time": None, "states": []}, "missing_field"),
    ({"time": 1, "states": {}}, "bad_field"),
    ({"time": 1, "states": [[0]] * 50_001}, "too_large"),
])
def test_malformed_responses_are_rejected_whole(doc: object, reason: str) -> None:
    with pytest.raises(DecodeError) as caught:
        decode_opensky(doc)
    assert caught.value.reason == reason


@pytest.mark.parametrize("state", [[1], "a", None, [None] * 16, [None] * 19])
def test_states_of_the_wrong_shape(state: object) -> None:
    with pytest.raises(DecodeError) as caught:
        decode_state(state)
    assert caught.value.reason in ("bad_field", "missing_field")
