"""The identify stage on hand-built zone events and reports: one test per identity and trigger."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline.geofence.zones import ZoneSet, default_zone_dir, load_zone_files
from pipeline.identify.enrich import DEFAULT_ALLIED_COUNTRIES, IdentifyContext
from pipeline.identify.flightplan import FlightPlan, FlightPlanBook
from pipeline.identify.rules import load_rule_table
from pipeline.identify.stage import IdentityState, on_point, on_zone_event
from pipeline.identify.watchlist import Watchlist, load_csv
from pipeline.model.events import Identification, Transition, Trigger, ZoneEvent
from pipeline.model.events import StandardIdentity as SI
from pipeline.model.track import Source, TrackKind, TrackPoint

T = 1_721_840_000_000
WATCH = (
    "$ICAO,$Registration,$Operator,$Type,$ICAO Type,#CMPG,$Tag 1,$Tag 2,$Tag 3,Category,$#Link\n"
    "AE7D41,,USAF,F-16C,F16,Mil,,,,NORAD,\n"
    "15A7C3,,Russian Aerospace Forces,Tu-95MS,TU95,Mil,,,,Russian Air Force,\n"
    "A12345,,Someone,,,Civ,,,,Hostile,\n"
)


@pytest.fixture(scope="module")
def zones() -> ZoneSet:
    return load_zone_files([default_zone_dir()])


@pytest.fixture
def ctx() -> IdentifyContext:
    context = IdentifyContext.load(load_rule_table(), DEFAULT_ALLIED_COUNTRIES)
    context.watchlist = Watchlist(load_csv(WATCH, "w.csv").entries)
    context.plans = FlightPlanBook([FlightPlan(
        "KAL272-1", "IFR", "KAL272", None, "PANC", 59.8, -164.0, T, T - 3_600_000,
        T + 3_600_000)])
    return context


def _point(icao24: str, seconds: float = 0, callsign: str | None = None,
           squawk: str | None = None, lat: float = 59.76, lon: float = -164.1) -> TrackPoint:
    return TrackPoint(track_id=f"icao24:{icao24}", kind=TrackKind.AIRCRAFT, source=Source.SBS,
                      ts_ms=T + round(seconds * 1000), lat_deg=lat, lon_deg=lon,
                      icao24=icao24, callsign=callsign, squawk=squawk)


def _event(point: TrackPoint, transition: Transition = Transition.ENTRY) -> ZoneEvent:
    return ZoneEvent(f"{point.track_id}-{transition}-{point.ts_ms}", transition,
                     "us-alaska-adiz", "Alaska ADIZ", point.ts_ms, point.lat_deg,
                     point.lon_deg, point, False)


def _enter(ctx: IdentifyContext, zones: ZoneSet, point: TrackPoint,
           state: IdentityState | None = None) -> tuple[IdentityState, Identification]:
    state, (ident,) = on_zone_event(state, _event(point), ctx, zones)
    return state, ident


def test_foreign_bomber_is_unknown_escalated_to_suspect(ctx: IdentifyContext,
                                                         zones: ZoneSet) -> None:
    state, ident = _enter(ctx, zones, _point("15a7c3"))
    assert (ident.trigger, ident.previous_identity, ident.identity) == (
        Trigger.ZONE_ENTRY, SI.PENDING, SI.SUSPECT)
    assert (ident.country, ident.military, ident.aircraft_type) == ("RU", True, "TU95")
    assert "uncorrelated: no flight plan correlated -> unknown" in ident.reasons
    assert "anomaly: foreign military type TU95" in ident.reasons
    assert ident.reasons[-1] == "anomaly: anomalous characteristics or behaviour -> suspect"
    assert ident.correlation == (None, "no flight plan names this callsign or address")
    assert state.identity is SI.SUSPECT and state.inside == ("us-alaska-adiz",)


def test_norad_interceptor_on_friendly_list_is_friend(ctx: IdentifyContext,
                                                       zones: ZoneSet) -> None:
    _, ident = _enter(ctx, zones, _point("ae7d41", callsign="DRAGN11"))
    assert (ident.identity, ident.rule) == (SI.FRIEND, "friendly-military")
    assert ident.watchlist == "icao24:ae7d41 (NORAD)"


def test_allied_military_address_without_list_is_assumed_friend(ctx: IdentifyContext,
                                                                zones: ZoneSet) -> None:
    _, ident = _enter(ctx, zones, _point("ae0455", callsign="PSWRD35"))
    assert (ident.identity, ident.military) == (SI.ASSUMED_FRIEND, True)
    assert ident.military_reason == "ae0455 in US military range adf7c8-afffff"


def test_correlated_foreign_airliner_is_neutral(ctx: IdentifyContext, zones: ZoneSet) -> None:
    _, ident = _enter(ctx, zones, _point("71c2d7", 120, callsign="KAL272"))
    assert (ident.identity, ident.country) == (SI.NEUTRAL, "KR")
    assert ident.correlation is not None and ident.correlation[0] == "KAL272-1"


def test_uncorrelated_civil_is_unknown_and_says_why(ctx: IdentifyContext,
                                                    zones: ZoneSet) -> None:
    _, ident = _enter(ctx, zones, _point("71c2d7", 900, callsign="KAL272"))
    assert ident.identity is SI.UNKNOWN
    assert ident.correlation is not None and "900 s from the planned penetration time" in \
        ident.correlation[1]


def test_hostile_only_from_the_list(ctx: IdentifyContext, zones: ZoneSet) -> None:
    assert _enter(ctx, zones, _point("a12345"))[1].identity is SI.HOSTILE


def test_emergency_squawk_anywhere_raises_an_event(ctx: IdentifyContext,
                                                   zones: ZoneSet) -> None:
    state, out = on_point(None, _point("a1b2c3", 0, squawk="1200", lat=40, lon=-100), ctx,
                          zones)
    assert out == []
    state, (first,) = on_point(state, _point("a1b2c3", 10, squawk="7700", lat=40, lon=-100),
                               ctx, zones)
    assert (first.trigger, first.emergency, first.zone_event, first.zones) == (
        Trigger.EMERGENCY, True, None, ())
    assert first.squawk_meaning is not None and first.squawk_meaning.startswith("Emergency")
    state, again = on_point(state, _point("a1b2c3", 20, squawk="7700", lat=40, lon=-100),
                            ctx, zones)
    assert again == []  # unchanged code: no new event
    state, (changed,) = on_point(state, _point("a1b2c3", 30, squawk="7600", lat=40, lon=-100),
                                 ctx, zones)
    assert changed.trigger is Trigger.EMERGENCY and changed.point.squawk == "7600"
    _, (cleared,) = on_point(state, _point("a1b2c3", 40, squawk="1200", lat=40, lon=-100),
                             ctx, zones)
    assert (cleared.trigger, cleared.emergency) == (Trigger.EMERGENCY, False)


def test_7500_inside_makes_an_uncorrelated_track_suspect(ctx: IdentifyContext,
                                                         zones: ZoneSet) -> None:
    state, ident = _enter(ctx, zones, _point("a1b2c3", 0, squawk="2000"))
    assert ident.identity is SI.UNKNOWN
    _, (hijack,) = on_point(state, _point("a1b2c3", 10, squawk="7500"), ctx, zones)
    assert (hijack.trigger, hijack.identity, hijack.previous_identity) == (
        Trigger.EMERGENCY, SI.SUSPECT, SI.UNKNOWN)


def test_code_change_inside_a_zone_is_an_anomaly(ctx: IdentifyContext, zones: ZoneSet) -> None:
    state, _ = _enter(ctx, zones, _point("a1b2c3", 0, squawk="2000"))
    state, _ = on_point(state, _point("a1b2c3", 0.5, squawk="2000"), ctx, zones)
    _, (change,) = on_point(state, _point("a1b2c3", 10, squawk="3147"), ctx, zones)
    assert (change.trigger, change.previous_identity, change.identity) == (
        Trigger.IDENTITY_CHANGE, SI.UNKNOWN, SI.SUSPECT)
    assert "anomaly: transponder code changed inside a zone" in change.reasons


def test_regained_after_dark_inside_is_an_anomaly(ctx: IdentifyContext, zones: ZoneSet) -> None:
    state, _ = _enter(ctx, zones, _point("a1b2c3"))
    regained = replace(_event(_point("a1b2c3", 900)), transition="track.regained")  # type: ignore[arg-type]
    _, (change,) = on_zone_event(state, regained, ctx, zones)
    assert change.identity is SI.SUSPECT
    assert "anomaly: track regained after going dark inside a zone" in change.reasons


def test_live_watchlist_change_inside_changes_identity(ctx: IdentifyContext,
                                                       zones: ZoneSet) -> None:
    state, ident = _enter(ctx, zones, _point("a1b2c4"))
    assert ident.identity is SI.UNKNOWN
    ctx.watchlist.put(load_csv(WATCH.replace("A12345", "A1B2C4"), "live").entries[-1])
    _, (change,) = on_point(state, _point("a1b2c4", 5), ctx, zones)
    assert (change.trigger, change.identity) == (Trigger.IDENTITY_CHANGE, SI.HOSTILE)


def test_live_watchlist_delete_inside_changes_identity_back(ctx: IdentifyContext,
                                                             zones: ZoneSet) -> None:
    # Each report repeats the evidence of the one before: the evaluation kept for it must
    # not outlive a change of the list, either way.
    state, _ = _enter(ctx, zones, _point("a1b2c4"))
    ctx.watchlist.put(load_csv(WATCH.replace("A12345", "A1B2C4"), "live").entries[-1])
    state, (hostile,) = on_point(state, _point("a1b2c4", 5), ctx, zones)
    assert on_point(state, _point("a1b2c4", 6), ctx, zones)[1] == []
    ctx.watchlist.delete("icao24:a1b2c4")
    _, (back,) = on_point(state, _point("a1b2c4", 7), ctx, zones)
    assert (hostile.identity, back.identity, back.previous_identity) == (
        SI.HOSTILE, SI.UNKNOWN, SI.HOSTILE)


def test_exit_publishes_and_closes(ctx: IdentifyContext, zones: ZoneSet) -> None:
    state, entry = _enter(ctx, zones, _point("71c2d7", 60, callsign="KAL272"))
    exit_event = _event(_point("71c2d7", 4000, callsign="KAL272"), Transition.EXIT)
    state, (leave,) = on_zone_event(state, exit_event, ctx, zones)
    assert (leave.trigger, leave.identity, leave.zones) == (Trigger.ZONE_EXIT, SI.NEUTRAL, ())
    assert leave.correlation == entry.correlation
    assert (state.inside, state.correlations) == ((), ())


def test_points_not_newer_are_ignored_and_state_round_trips(ctx: IdentifyContext,
                                                            zones: ZoneSet) -> None:
    state, _ = on_point(None, _point("a1b2c3", 10, squawk="7700"), ctx, zones)
    assert on_point(state, _point("a1b2c3", 10, squawk="7500"), ctx, zones)[1] == []
    assert IdentityState.from_dict(state.to_dict()) == state


def test_event_ids_are_deterministic(ctx: IdentifyContext, zones: ZoneSet) -> None:
    assert _enter(ctx, zones, _point("15a7c3"))[1].event_id == \
        _enter(ctx, zones, _point("15a7c3"))[1].event_id
