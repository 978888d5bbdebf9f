"""The end-to-end bench's own parts: its traffic is valid input, its figures are computed right.

The bench itself needs a broker and minutes; these check offline what its numbers rest on:
the messages it sends are valid ``tracks.canonical`` records the decoder accepts, each track
in order; the probe track enters a zone where the bench expects it; rates, percentiles, the
alert-to-report join and the profile summary give the figures worked out by hand here.
"""

from __future__ import annotations

import itertools
import sys
from collections import defaultdict
from pathlib import Path

import orjson
import pytest
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from e2e_profile import summarise
from e2e_stats import Received, alert_latencies, percentiles, sustained_rate
from e2e_traffic import T0_MS, Report, Traffic, probe_track

from pipeline.decode.canonical import decode_canonical
from tests.schema_check import assert_valid


@pytest.fixture(scope="module")
def traffic() -> tuple[Traffic, list[Report]]:
    generator = Traffic(seed=6)
    return generator, generator.reports(3000, 30)


def test_traffic_is_valid_canonical_input_in_track_order(
        traffic: tuple[Traffic, list[Report]]) -> None:
    generator, reports = traffic
    assert len(reports) == 3000
    assert sum(generator.kinds.values()) == 100
    assert set(generator.kinds) == {"around", "edge", "inside"}
    per_track: dict[str, list[int]] = defaultdict(list)
    for report in reports:
        record = orjson.loads(report.value)
        assert_valid("tracks.canonical", record)
        decode_canonical(record)  # raises on anything the pipeline would dead-letter
        assert report.key == report.track_id.encode() == record["track_id"].encode()
        assert report.ts_ms == record["ts_ms"]
        per_track[report.track_id].append(report.ts_ms)
    assert [r.ts_ms for r in reports] == sorted(r.ts_ms for r in reports)
    assert all(a < b for stamps in per_track.values() for a, b in itertools.pairwise(stamps))


def test_traffic_sets_with_disjoint_numbers_have_disjoint_tracks(
        traffic: tuple[Traffic, list[Report]]) -> None:
    _, reports = traffic
    other = Traffic(seed=7).reports(3000, 30, first_track=0x400000)
    assert not {r.track_id for r in reports} & {r.track_id for r in other}


def test_probe_track_enters_the_largest_zone_at_its_fourth_report() -> None:
    zones = Traffic(seed=6).zones
    probe = probe_track(zones, 0x7FFFFF, T0_MS, 10)
    largest = max(zones, key=lambda z: z.area)
    inside = [largest.contains(shapely.Point(r["lon"], r["lat"]))
              for r in (orjson.loads(p.value) for p in probe[:5])]
    assert inside == [False, False, False, True, True]
    for report in probe:
        assert_valid("tracks.canonical", orjson.loads(report.value))


def test_sustained_rate_drops_the_warm_up() -> None:
    # 11 records 1 s apart, then 101 records 10 ms apart (100/s).
    slow = [1000 * i for i in range(11)]
    fast = [10_000 + 10 * i for i in range(1, 101)]
    rate = sustained_rate(slow + fast, slow + fast, warmup=0.1)
    assert rate["records"] == 111
    assert rate["overall_per_s"] == pytest.approx(110 / 11.0, abs=0.1)
    assert rate["sustained_per_s"] == pytest.approx(100.0, abs=0.1)  # records 11..110
    assert rate["arrival_sustained_per_s"] == rate["sustained_per_s"]


def test_percentiles_are_nearest_rank() -> None:
    assert percentiles([float(v) for v in range(100, 0, -1)]) == {
        "p50": 50.0, "p95": 95.0, "p99": 99.0, "max": 100.0, "n": 100}
    assert percentiles([])["n"] == 0


def _alert(track: str, kind: str, ts_ms: int) -> bytes:
    return orjson.dumps({"track_id": track, "type": kind,
                         "report": {"track_id": track, "ts_ms": ts_ms}})


def test_alert_latencies_join_each_alert_to_its_report() -> None:
    sent = {("icao24:aaaaaa", 5): 1_000, ("icao24:bbbbbb", 7): 2_000}
    events = Received([_alert("icao24:aaaaaa", "zone.entry", 5),
                       _alert("icao24:bbbbbb", "zone.exit", 7),
                       _alert("icao24:cccccc", "zone.entry", 9),   # not sent: unmatched
                       _alert("icao24:ffffff", "zone.entry", 1)],  # the probe: left out
                      [1_040, 2_100, 3_000, 3_000], [1_050, 2_150, 3_010, 3_010])
    idents = Received([_alert("icao24:aaaaaa", "zone.entry", 5)], [1_045], [1_050])
    result = alert_latencies({"zones.events": events, "alerts.identification": idents}, sent,
                             "icao24:ffffff")
    assert result["latency_ms"] == {"p50": 45, "p95": 100, "p99": 100, "max": 100, "n": 3}
    assert result["arrival_latency_ms"] == {"p50": 50, "p95": 150, "p99": 150, "max": 150,
                                            "n": 3}
    assert result["alerts_unmatched"] == 1
    assert result["alerts_by_type"] == {"alerts.identification:zone.entry": 1,
                                        "zones.events:zone.entry": 2,
                                        "zones.events:zone.exit": 1}


def test_profile_summary_counts_self_and_total_per_function(tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text(
        "process 1:\"python\";run (pipeline/app.py:10);merge (pipeline/assemble/merger.py:5) 30\n"
        "process 1:\"python\";run (pipeline/app.py:12);write (asyncio/selector_events.py:9) 70\n")
    text, top = summarise(raw, top=2)
    assert top == [{"function": "write (asyncio/selector_events.py)", "self_share": 0.7},
                   {"function": "merge (pipeline/assemble/merger.py)", "self_share": 0.3}]
    assert "100.0%     100  run (pipeline/app.py)" in text
    assert "70.0%      70  asyncio" in text
    assert "30.0%      30  pipeline" in text
