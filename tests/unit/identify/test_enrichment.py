"""MMSI countries, squawk meanings, aircraft types, watch-lists and flight-plan correlation."""

from __future__ import annotations

import pytest

from pipeline.identify.aircraft_types import AircraftTypes
from pipeline.identify.flightplan import FlightPlan, Tolerances, correlate, distance_nm
from pipeline.identify.mmsi_country import MidTable, mmsi_format
from pipeline.identify.squawk import SquawkTable
from pipeline.identify.watchlist import Watchlist, load_csv


@pytest.mark.parametrize(("mmsi", "country", "reason_part"), [
    ("366123456", "US", "MID 366 (ship)"),
    ("303123456", "US", "MID 303 (ship)"),          # Alaska MID
    ("273123456", "RU", "MID 273 (ship)"),
    ("003669999", "US", "MID 366 (coast station)"),
    ("036612345", "US", "MID 366 (group of ships)"),
    ("111232500", "GB", "MID 232 (SAR aircraft)"),
    ("992351234", "GB", "MID 235 (aid to navigation)"),
    ("982731234", "RU", "MID 273 (craft of a parent ship)"),
    ("970123456", None, "AIS-SART: it carries no MID"),
    ("972123456", None, "MOB device"),
    ("974123456", None, "EPIRB-AIS"),
    ("217123456", None, "MID 217 of ship MMSI 217123456 is not allocated"),
    ("12345678", None, "fits no ITU-R M.585 format"),
    ("1234567890", None, "fits no ITU-R M.585 format"),
    ("912345678", None, "fits no ITU-R M.585 format"),
])
def test_mmsi_country(mmsi: str, country: str | None, reason_part: str) -> None:
    verdict = MidTable.load().country_of(mmsi)
    assert verdict.country == country
    assert reason_part in verdict.reason


def test_mmsi_format_rejects_non_ascii_digits() -> None:
    assert mmsi_format("３66123456") is None


def test_squawk_meanings() -> None:
    table = SquawkTable.load()
    hijack = table.meaning("7500")
    assert hijack is not None and hijack.emergency
    assert hijack.meaning.startswith("Unlawful interference")
    vfr = table.meaning("1200")
    assert vfr is not None and not vfr.emergency
    assert table.meaning("4321") is None and table.meaning(None) is None


def test_aircraft_types_military_flag() -> None:
    types = AircraftTypes.load()
    tu95 = types.get("tu95")
    assert tu95 is not None and tu95.military and len(tu95.names) == 2
    b738 = types.get("B738")
    assert b738 is not None and not b738.military
    assert types.get("ZZZZ") is None


AIRCRAFT_CSV = (
    "$ICAO,$Registration,$Operator,$Type,$ICAO Type,#CMPG,$Tag 1,$Tag 2,$Tag 3,Category,$#Link\n"
    """AE7D41,87-0001,USAF 18th Aggressor Sqn,F-16C,F16,Mil,NORAD,Alaska,,NORAD,https://example.invalid
8.40E+11,JA1234,Somebody,B777,B77W,Civ,,,,Airliner,
c2c4a1,188001,RCAF,CF-18,f18h,Mil,,,,RCAF,
15A7C3,,Russian Air Force,Tu-95MS,TU95,Mil,,,,Suspect
callsign:RCH*,,USAF AMC,,,Mil,,,,USAF,
XYZ123,,bad hex,,,Civ,,,,Airliner,
AE0455,,,,,,,,,,
""")

VESSEL_CSV = """MMSI,IMO,name,flag,category
273123456,9876543,ADMIRAL X,ru,Suspect
12345,,short,RU,Suspect
366999999,123,bad imo,US,Friendly
"""


def test_aircraft_watchlist_reports_bad_rows_with_line_numbers() -> None:
    report = load_csv(AIRCRAFT_CSV, "test.csv")
    assert [e.key for e in report.entries] == [
        "icao24:ae7d41", "icao24:c2c4a1", "icao24:15a7c3", "callsign:RCH*"]
    assert [(e.line, e.reason) for e in report.errors] == [
        (3, "hex id '8.40E+11' looks like a number mangled by a spreadsheet"),
        (7, "hex id 'XYZ123' is not 6 hex digits"),
        (8, "missing Category"),
    ]
    f16 = report.entries[0]
    assert (f16.category, f16.military, f16.icao_type, f16.tags, f16.source) == (
        "NORAD", True, "F16", ("NORAD", "Alaska"), "test.csv:2")
    assert report.entries[1].icao_type == "F18H"


def test_vessel_watchlist() -> None:
    report = load_csv(VESSEL_CSV, "v.csv")
    assert [(e.key, e.flag, e.imo) for e in report.entries] == [
        ("mmsi:273123456", "RU", "9876543")]
    assert [e.line for e in report.errors] == [3, 4]


def test_unknown_header_is_one_error_not_a_crash() -> None:
    assert [e.reason for e in load_csv("a,b\n1,2\n", "x").errors] == [
        "header has neither $ICAO nor MMSI"]


def test_watchlist_match_by_address_mmsi_and_callsign_pattern() -> None:
    watch = Watchlist(load_csv(AIRCRAFT_CSV, "a").entries + load_csv(VESSEL_CSV, "v").entries)
    assert watch.match(icao24="ae7d41") is not None
    assert watch.match(mmsi="273123456") is not None
    hit = watch.match(icao24="ae1234", callsign="RCH123")
    assert hit is not None and hit.key == "callsign:RCH*"
    assert watch.match(icao24="ae1234", callsign="DAL12") is None
    watch.delete("icao24:ae7d41")
    assert watch.match(icao24="ae7d41") is None


T = 1_721_840_000_000
PLAN = FlightPlan(plan_id="KAL272-0724", rules="IFR", callsign="KAL272", icao24=None,
                  departure="PANC", penetration_lat_deg=59.0, penetration_lon_deg=-163.0,
                  penetration_ms=T, valid_from_ms=T - 3_600_000, valid_to_ms=T + 3_600_000)


def test_distance_nm_one_degree_of_latitude_is_60_nm() -> None:
    assert distance_nm(59.0, -163.0, 60.0, -163.0) == pytest.approx(60.04, abs=0.05)


def test_correlation_within_tolerances() -> None:
    hit = correlate([PLAN], "KAL272", "71c2d7", T + 120_000, 59.1, -163.1, Tolerances())
    assert hit.plan_id == "KAL272-0724"
    assert hit.reason.startswith("IFR plan KAL272-0724: entry 120 s and 6.")


@pytest.mark.parametrize(("callsign", "at_ms", "lat", "tolerances", "reason"), [
    ("DAL1", T, 59.0, Tolerances(), "no flight plan names this callsign or address"),
    ("KAL272", T + 400_000, 59.0, Tolerances(), "entry 400 s from the planned penetration time"),
    ("KAL272", T, 59.5, Tolerances(), "entry 30.0 NM from the planned penetration point"),
    ("KAL272", T, 59.25, Tolerances(distance_nm=10.0), "tolerance 10 NM"),
    ("KAL272", T + 4_000_000, 59.0, Tolerances(time_s=10_000), "not valid at entry"),
])
def test_correlation_says_why_none_matched(callsign: str, at_ms: int, lat: float,
                                           tolerances: Tolerances, reason: str) -> None:
    miss = correlate([PLAN], callsign, None, at_ms, lat, -163.0, tolerances)
    assert miss.plan_id is None
    assert reason in miss.reason


def test_zone_properties_set_the_tolerances() -> None:
    assert Tolerances.for_zone({"surface": "land"}) == Tolerances(300, 10.0)
    assert Tolerances.for_zone({"fp_time_tolerance_s": 120, "fp_distance_nm": 5}) == \
        Tolerances(120, 5.0)
    assert Tolerances.for_zone({"fp_distance_nm": "x"}) == Tolerances(300, 20.0)
