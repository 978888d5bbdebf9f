"""Identification evidence on real recordings (tests/data/feeds, see its SOURCES.md)."""

from __future__ import annotations

from collections import Counter

import orjson

from pipeline.identify.enrich import DEFAULT_ALLIED_COUNTRIES, IdentifyContext, enrich
from pipeline.identify.rules import load_rule_table
from pipeline.transport.codec import decode_point
from tests.feeds import FEEDS, run_feed


def _ctx() -> IdentifyContext:
    return IdentifyContext.load(load_rule_table(), DEFAULT_ALLIED_COUNTRIES)


def test_readsb_db_flags_make_military_verdicts_with_their_provenance() -> None:
    ctx = _ctx()
    verdicts = {}
    for point in run_feed("adsb/readsb_aircraft_4.json", "readsb").points:
        found = enrich(decode_point(orjson.dumps(point)), ctx)
        verdicts[str(point["track_id"])] = (found.military, found.military_reason)
    # NORSE02, the E-3 (ae11e3): in the US military range, which is consulted first.
    assert verdicts["icao24:ae11e3"] == (True, "ae11e3 in US military range adf7c8-afffff")
    sources = Counter((m, (r or "").split(" ")[0]) for m, r in verdicts.values())
    # Outside the ranges, readsb's database flags decide (military or not), else unknown.
    assert sources[(False, "source")] > 0
    assert all(m is None for m, r in verdicts.values() if not r)


def test_opensky_alaska_snapshot_countries_agree_with_opensky_origin_country() -> None:
    """OpenSky's own ``origin_country`` is an independent oracle for our ICAO allocations."""
    ctx = _ctx()
    raw = orjson.loads((FEEDS / "adsb/opensky_states_all_2025-12-28T0214Z.json").read_bytes())
    origin = {str(state[0]): state[2] for state in raw["states"]}
    russian = 0
    for point in run_feed("adsb/opensky_states_all_2025-12-28T0214Z.json", "opensky").points:
        found = enrich(decode_point(orjson.dumps(point)), ctx)
        if origin[str(point["icao24"])] == "Russian Federation":
            russian += 1
            assert found.country == "RU", point["icao24"]
    # 29 Russian-registered aircraft in the snapshot, 26 of them with a position.
    assert russian == 26
