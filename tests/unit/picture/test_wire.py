"""Reading the output topics' records into the picture (feed.dispatch, wire)."""

from __future__ import annotations

import orjson
import pytest

from pipeline.decode.errors import DecodeError
from pipeline.model.events import StandardIdentity
from pipeline.picture.feed import dispatch
from pipeline.picture.frame import LonFrame
from pipeline.picture.state import PictureState
from pipeline.picture.wire import alert_from_json, deadletter_reason
from pipeline.transport.topics import DEADLETTER, IDENTIFICATIONS, TRACK_POINTS, ZONE_EVENTS

NOW = 1_900_000_000_000

POINT = {"track_id": "icao24:15a7c3", "kind": "aircraft", "source": "sbs",
         "time": "2024-07-24T19:21:22.000Z", "ts_ms": 1721848882000, "lat": 57.1,
         "lon": -179.2, "icao24": "15a7c3", "altitude_ft": 31000, "speed_kt": 410.0,
         "track_deg": 95.0, "vrate_fpm": None, "callsign": None, "squawk": None,
         "alert": None, "emergency": None, "spi": None, "on_ground": None}

ALERT = {
    "event_id": "0b7e2d1c-5a7e-5f0a-9a43-3d6c8f1f7a10", "type": "zone.entry",
    "track_id": "icao24:15a7c3", "kind": "aircraft", "icao24": "15a7c3",
    "zone_id": "us-alaska-adiz", "zone_name": "Alaska ADIZ",
    "zone_event_id": "1b7e2d1c-5a7e-5f0a-9a43-3d6c8f1f7a10",
    "time": "2024-07-24T19:21:22.000Z", "ts_ms": 1721848882000, "lat": 57.1, "lon": -179.2,
    "interpolated": True, "callsign": None, "squawk": None, "squawk_meaning": None,
    "emergency": False, "altitude_ft": 31000, "speed_kt": 410.0, "track_deg": 95.0,
    "zones": ["us-alaska-adiz"], "country": "RU", "country_reason": None, "military": True,
    "military_reason": "watch-list", "aircraft_type": "TU95", "watchlist": "icao24:15a7c3",
    "flight_plan": None, "identity": "suspect", "previous_identity": "pending",
    "rule": "anomaly", "reasons": ["ICAO block 100000-1fffff allocated to RU", "anomaly"],
    "report": POINT,
}


def test_alert_from_json() -> None:
    alert = alert_from_json(ALERT)
    assert (alert.identity, alert.previous_identity, alert.zone_name, alert.military,
            alert.aircraft_type, alert.zones, alert.reasons[0]) == (
        StandardIdentity.SUSPECT, StandardIdentity.PENDING, "Alaska ADIZ", True, "TU95",
        ("us-alaska-adiz",), "ICAO block 100000-1fffff allocated to RU")
    assert alert.report is not None and alert.report.lon_deg == -179.2


@pytest.mark.parametrize("broken", [
    {**ALERT, "identity": "friendly"},
    {**ALERT, "ts_ms": "yesterday"},
    {**ALERT, "lat": None},
    {**ALERT, "reasons": "one"},
    {k: v for k, v in ALERT.items() if k != "event_id"},
])
def test_a_broken_alert_is_a_decode_error(broken: dict[str, object]) -> None:
    with pytest.raises(DecodeError):
        alert_from_json(broken)


def test_dispatch_every_followed_topic_and_count_the_unreadable() -> None:
    state = PictureState(LonFrame(29.0))
    dispatch(TRACK_POINTS, orjson.dumps(POINT), state, NOW)
    dispatch(IDENTIFICATIONS, orjson.dumps(ALERT), state, NOW)
    dispatch(ZONE_EVENTS, b"{}", state, NOW)
    dispatch(DEADLETTER, orjson.dumps({"reason": "bad_field"}), state, NOW)
    dispatch(TRACK_POINTS, b"not json", state, NOW)
    dispatch(IDENTIFICATIONS, orjson.dumps({"event_id": "x"}), state, NOW)
    dispatch(DEADLETTER, None, state, NOW)
    stats = state.stats(NOW)
    assert {k: stats[k] for k in ("tracks", "points", "alerts", "zone_events", "deadletters",
                                  "deadletter_reasons", "unreadable", "identities")} == {
        "tracks": 1, "points": 1, "alerts": 1, "zone_events": 1, "deadletters": 1,
        "deadletter_reasons": {"bad_field": 1}, "unreadable": 3,
        "identities": {"suspect": 1}}


def test_deadletter_reason() -> None:
    assert deadletter_reason({"reason": "truncated"}) == "truncated"
    assert deadletter_reason({}) == "unreadable"
