"""The picture's state: bounded, continuous across the antimeridian, whole for late joiners."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline.model.events import StandardIdentity
from pipeline.model.track import Source, TrackKind, TrackPoint
from pipeline.picture.frame import LonFrame
from pipeline.picture.state import PictureLimits, PictureState
from pipeline.picture.wire import AlertView

T0 = 1_721_836_800_000  # 2024-07-24T16:00:00Z, event time
NOW = 1_900_000_000_000  # wall time
FRAME = LonFrame(29.0)


def _pt(track: str, s: float, lat: float, lon: float, **kw: object) -> TrackPoint:
    return TrackPoint(track_id=f"icao24:{track}", kind=TrackKind.AIRCRAFT, source=Source.SBS,
                      ts_ms=T0 + int(s * 1000), lat_deg=lat, lon_deg=lon, icao24=track,
                      **kw)  # type: ignore[arg-type]


def _alert(track: str, s: float, identity: StandardIdentity, event: str = "e1",
           lat: float = 60.0, lon: float = -170.0, **kw: object) -> AlertView:
    return AlertView(event_id=event, type="zone.entry", track_id=f"icao24:{track}",
                     kind=TrackKind.AIRCRAFT, ts_ms=T0 + int(s * 1000), lat_deg=lat,
                     lon_deg=lon, identity=identity,
                     previous_identity=StandardIdentity.PENDING, reasons=("because",),
                     **kw)  # type: ignore[arg-type]


def test_a_track_at_its_latest_position() -> None:
    state = PictureState(FRAME)
    assert state.apply_point(_pt("15a7c3", 0, 64.0, 177.0, alt_ft=31000, speed_kt=410.0,
                                 track_deg=95.0, callsign="RFF123", squawk="1234"), NOW)
    (view,) = state.snapshot(NOW)["tracks"]  # type: ignore[misc]
    assert view == {
        "id": "icao24:15a7c3", "kind": "aircraft", "callsign": "RFF123", "squawk": "1234",
        "emergency": False, "alt_ft": 31000, "speed_kt": 410.0, "track_deg": 95.0,
        "ts_ms": T0, "lat": 64.0, "lon": 177.0, "x": 177.0, "identity": "pending",
        "sidc": "SPAP-----------", "military": None, "aircraft_type": None, "country": None,
        "zones": [], "stale": False, "trail": [[64.0, 177.0]],
    }


def test_late_and_duplicate_reports_are_skipped() -> None:
    state = PictureState(FRAME)
    assert state.apply_point(_pt("aaaaaa", 10, 60.0, -170.0), NOW)
    assert not state.apply_point(_pt("aaaaaa", 5, 61.0, -171.0), NOW)   # late
    assert not state.apply_point(_pt("aaaaaa", 10, 61.0, -171.0), NOW)  # duplicate
    (view,) = state.snapshot(NOW)["tracks"]  # type: ignore[misc]
    assert (view["lat"], view["lon"]) == (60.0, -170.0)
    stats = state.stats(NOW)
    assert (stats["points"], stats["points_late"]) == (3, 1)


def test_trail_crosses_the_antimeridian_continuously() -> None:
    state = PictureState(FRAME)
    for i, lon in enumerate((178.0, 179.5, -179.5, -178.0, -176.0)):
        state.apply_point(_pt("15a7c3", 60 * i, 60.0, lon), NOW)
    (view,) = state.snapshot(NOW)["tracks"]  # type: ignore[misc]
    assert [x for _, x in view["trail"]] == [178.0, 179.5, 180.5, 182.0, 184.0]
    assert (view["lon"], view["x"]) == (-176.0, 184.0)


def test_trail_is_continuous_across_the_frame_seam_too() -> None:
    state = PictureState(FRAME)  # seam at 29 E: a track crossing it eastwards
    for i, lon in enumerate((28.0, 28.9, 29.1, 30.0)):
        state.apply_point(_pt("bbbbbb", 60 * i, 45.0, lon), NOW)
    (view,) = state.snapshot(NOW)["tracks"]  # type: ignore[misc]
    assert [x for _, x in view["trail"]] == [388.0, 388.9, 389.1, 390.0]


def test_a_track_that_goes_round_the_world_is_brought_back_into_the_frame() -> None:
    state = PictureState(FRAME, PictureLimits(trail_points=3, trail_spacing_ms=0))
    for i in range(0, 48):  # 48 steps of 15 degrees eastwards: two turns
        state.apply_point(_pt("cccccc", 60 * i, 10.0, -180.0 + (15 * i) % 360), NOW)
    (view,) = state.snapshot(NOW)["tracks"]  # type: ignore[misc]
    xs = [x for _, x in view["trail"]]
    assert xs == [xs[0], xs[0] + 15]  # still continuous (head = newest anchor)
    assert FRAME.west_deg - 180 <= view["x"] < FRAME.east_deg + 180
    assert FRAME.wrap(view["x"]) == FRAME.wrap(view["lon"])


def test_trail_is_short_and_spaced() -> None:
    limits = PictureLimits(trail_points=4, trail_window_ms=600_000, trail_spacing_ms=60_000)
    state = PictureState(FRAME, limits)
    for s in range(0, 900, 10):  # a report every 10 s for 15 minutes
        state.apply_point(_pt("dddddd", s, 50.0, -150.0 + s / 1000), NOW)
    (view,) = state.snapshot(NOW)["tracks"]  # type: ignore[misc]
    # Three anchors a minute apart (the newest ones) and the head at 890 s.
    assert [round(x, 3) for _, x in view["trail"]] == [210.72, 210.78, 210.84, 210.89]


def test_tracks_are_bounded_least_recently_updated_first() -> None:
    state = PictureState(FRAME, PictureLimits(max_tracks=3))
    for i, track in enumerate(("000001", "000002", "000003")):
        state.apply_point(_pt(track, i, 50.0, -150.0), NOW)
    state.apply_point(_pt("000001", 10, 50.0, -150.0), NOW)  # 000002 is now the oldest
    state.apply_point(_pt("000004", 11, 50.0, -150.0), NOW)
    ids = [t["id"] for t in state.snapshot(NOW)["tracks"]]  # type: ignore[attr-defined]
    assert ids == ["icao24:000003", "icao24:000001", "icao24:000004"]
    delta = state.take_delta(NOW)
    assert delta["removed"] == ["icao24:000002"]
    assert state.stats(NOW)["evicted_tracks"] == 1


def test_alerts_are_bounded_newest_first_and_deduplicated() -> None:
    state = PictureState(FRAME, PictureLimits(max_alerts=3))
    state.apply_point(_pt("15a7c3", 0, 60.0, -170.0), NOW)
    for i, s in enumerate((30, 10, 50, 20, 40)):
        state.apply_alert(_alert("15a7c3", s, StandardIdentity.SUSPECT, event=f"e{i}"), NOW)
    assert not state.apply_alert(_alert("15a7c3", 50, StandardIdentity.SUSPECT, event="e2"),
                                 NOW)
    alerts = state.snapshot(NOW)["alerts"]
    assert [a["id"] for a in alerts] == ["e2", "e4", "e0"]  # type: ignore[attr-defined]
    assert state.stats(NOW)["alerts"] == 5


def test_an_alert_sets_the_tracks_identity_and_symbol() -> None:
    state = PictureState(FRAME)
    state.apply_point(_pt("15a7c3", 0, 60.0, 179.0), NOW)
    report = _pt("15a7c3", 60, 60.0, -179.0, callsign="RFF123")
    alert = _alert("15a7c3", 60, StandardIdentity.SUSPECT, lat=60.0, lon=-179.0,
                   military=True, aircraft_type="TU95", country="RU",
                   zones=("us-alaska-adiz",), zone_id="us-alaska-adiz",
                   zone_name="Alaska ADIZ", report=report)
    assert state.apply_alert(alert, NOW)
    snapshot = state.snapshot(NOW)
    (track,) = snapshot["tracks"]  # type: ignore[misc]
    assert (track["identity"], track["sidc"], track["country"], track["zones"],
            track["callsign"], track["x"]) == (
        "suspect", "SSAPMFB--------", "RU", ["us-alaska-adiz"], "RFF123", 181.0)
    (view,) = snapshot["alerts"]  # type: ignore[misc]
    assert view == {
        "id": "e1", "type": "zone.entry", "ts_ms": T0 + 60_000, "track_id": "icao24:15a7c3",
        "kind": "aircraft", "callsign": None, "zone_id": "us-alaska-adiz",
        "zone_name": "Alaska ADIZ", "identity": "suspect", "previous_identity": "pending",
        "emergency": False, "squawk": None, "squawk_meaning": None, "reasons": ["because"],
        "country": "RU", "aircraft_type": "TU95", "lat": 60.0, "x": 181.0,
    }
    # The report inside the alert is not a new point.
    assert state.stats(NOW)["points"] == 1
    # An older alert does not undo a newer identity.
    state.apply_alert(_alert("15a7c3", 30, StandardIdentity.UNKNOWN, event="e0"), NOW)
    assert state.snapshot(NOW)["tracks"][0]["identity"] == "suspect"  # type: ignore[index]


def test_emergency_squawk_marks_the_track() -> None:
    state = PictureState(FRAME)
    state.apply_point(_pt("a1b2c3", 0, 38.5, -98.0, squawk="7700"), NOW)
    assert state.snapshot(NOW)["tracks"][0]["emergency"] is True  # type: ignore[index]
    assert state.stats(NOW)["emergencies"] == 1
    state.apply_point(_pt("a1b2c3", 10, 38.5, -98.0, squawk="1200"), NOW)
    assert state.stats(NOW)["emergencies"] == 0


def _client_apply(page: dict[str, dict[str, object]], alerts: dict[str, object],
                  message: dict[str, object]) -> None:
    """What the page does with a snapshot or a delta."""
    for track_id in message.get("removed", []):  # type: ignore[attr-defined]
        page.pop(track_id, None)
    for track in message["tracks"]:  # type: ignore[attr-defined]
        page[track["id"]] = track
    for alert in message["alerts"]:  # type: ignore[attr-defined]
        alerts[alert["id"]] = alert


def test_a_late_joiner_sees_what_an_early_one_built_from_deltas() -> None:
    limits = PictureLimits(max_tracks=5, max_alerts=4)
    state = PictureState(FRAME, limits)
    early_tracks: dict[str, dict[str, object]] = {}
    early_alerts: dict[str, object] = {}
    _client_apply(early_tracks, early_alerts, state.snapshot(NOW))
    for step in range(40):
        track = f"{step % 7:06x}"
        state.apply_point(_pt(track, step, 55.0, 175.0 + step / 2), NOW + step)
        if step % 3 == 0:
            state.apply_alert(_alert(track, step, StandardIdentity.UNKNOWN, event=f"e{step}"),
                              NOW + step)
        if step % 4 == 0:
            _client_apply(early_tracks, early_alerts, state.take_delta(NOW + step))
    _client_apply(early_tracks, early_alerts, state.take_delta(NOW + 40))
    late = state.snapshot(NOW + 40)
    late_tracks = {t["id"]: t for t in late["tracks"]}  # type: ignore[attr-defined]
    assert late_tracks == early_tracks
    assert len(late_tracks) == 5
    # The early page keeps every alert it was sent; the late one gets the newest four.
    newest = sorted(early_alerts.values(), key=lambda a: a["ts_ms"], reverse=True)[:4]  # type: ignore[index]
    assert late["alerts"] == newest


def test_stale_then_dropped_by_wall_time() -> None:
    limits = PictureLimits(stale_after_ms=60_000, drop_after_ms=300_000)
    state = PictureState(FRAME, limits)
    state.apply_point(_pt("eeeeee", 0, 50.0, -150.0), NOW)
    state.apply_point(_pt("ffffff", 0, 50.0, -150.0), NOW + 200_000)
    state.take_delta(NOW)
    delta = state.take_delta(NOW + 61_000)
    assert [(t["id"], t["stale"]) for t in delta["tracks"]] == [  # type: ignore[attr-defined]
        ("icao24:eeeeee", True)]
    delta = state.take_delta(NOW + 301_000)
    assert delta["removed"] == ["icao24:eeeeee"]
    assert len(state) == 1
    never = PictureState(FRAME, replace(limits, drop_after_ms=None))
    never.apply_point(_pt("eeeeee", 0, 50.0, -150.0), NOW)
    never.take_delta(NOW + 10**9)
    assert len(never) == 1


def test_points_per_second_over_the_window() -> None:
    state = PictureState(FRAME, PictureLimits(rate_window_ms=5_000))
    for i in range(100):  # 20 points a second for 5 s
        state.apply_point(_pt("abcdef", i, 50.0, -150.0), NOW + i * 50)
    assert state.stats(NOW + 5_000)["points_per_s"] == pytest.approx(20.0)
    assert state.stats(NOW + 60_000)["points_per_s"] == 0.0


def test_trail_keeps_only_its_window() -> None:
    limits = PictureLimits(trail_points=100, trail_window_ms=120_000, trail_spacing_ms=60_000)
    state = PictureState(FRAME, limits)
    for s in range(0, 900, 10):
        state.apply_point(_pt("dddddd", s, 50.0, -150.0 + s / 1000), NOW)
    (view,) = state.snapshot(NOW)["tracks"]  # type: ignore[misc]
    assert [round(x, 3) for _, x in view["trail"]] == [210.78, 210.84, 210.89]
