"""``adizwatch decode``: points as JSON lines on stdout, one JSON summary line on stderr."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from pipeline.cli import main
from tests.feeds import FEEDS
from tests.schema_check import assert_valid


def _decode(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[list[dict[str, object]],
                                                                     dict[str, object]]:
    assert main(["decode", *args]) == 0
    captured = capsys.readouterr()
    points = [orjson.loads(line) for line in captured.out.splitlines()]
    summary = orjson.loads(captured.err.strip().splitlines()[-1])
    return points, summary


@pytest.mark.parametrize(("fmt", "name", "summary"), [
    ("ais", "ais/kystverket_2019-08-07_tagblock_1000lines.nm4",
     {"records": 1000, "points": 743, "tracks": 829, "static_updates": 130, "deadletters": {}}),
    ("ais", "ais/gfw/spire-test.nmea",
     {"records": 2, "points": 0, "tracks": 0, "static_updates": 0,
      "deadletters": {"bad_field": 1, "orphan_fragment": 1}}),
    ("readsb", "adsb/readsb_aircraft_4.json",
     {"records": 1, "points": 57, "tracks": 59, "static_updates": 2, "deadletters": {}}),
    ("readsb", "adsb/readsb_jsonlines_3.json",
     {"records": 11, "points": 11, "tracks": 7, "static_updates": 0, "deadletters": {}}),
    ("opensky", "adsb/opensky_states_all_2021-10-17T1149Z.json",
     {"records": 1, "points": 5382, "tracks": 5483, "static_updates": 101,
      "deadletters": {"out_of_range": 2}}),
    ("sbs", "adsb/node-sbs1_msgs.txt",
     {"records": 4184, "points": 5, "tracks": 24, "static_updates": 4110, "deadletters": {}}),
])
def test_decode_summary_and_points(capsys: pytest.CaptureFixture[str], fmt: str, name: str,
                                   summary: dict[str, object]) -> None:
    points, got = _decode(capsys, "--format", fmt, str(FEEDS / name))
    assert got == summary
    assert len(points) == summary["points"]
    for point in points[:200]:
        assert_valid("tracks.points", point)


def test_canonical_round_trip_through_the_cli(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    snapshot = FEEDS / "adsb" / "readsb_aircraft_5.json"
    points, _ = _decode(capsys, "--format", "readsb", str(snapshot))
    canonical = tmp_path / "points.jsonl"
    canonical.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in points)
                          + b'{"track_id": "nope"}\n')
    again, summary = _decode(capsys, "--format", "canonical", str(canonical),
                             "--deadletters", str(tmp_path / "dead.jsonl"))
    assert again == points
    assert summary == {"records": 113, "points": 112, "tracks": 112, "static_updates": 0,
                       "deadletters": {"missing_field": 1}}
    (letter,) = [orjson.loads(line) for line in (tmp_path / "dead.jsonl").read_bytes().splitlines()]
    assert_valid("adizwatch.deadletter", letter)
    assert (letter["payload"], letter["offset"]) == ('{"track_id": "nope"}', 112)


def test_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decode", "--format", "ais", "/does/not/exist"]) == 2
    assert "no such file" in capsys.readouterr().err
