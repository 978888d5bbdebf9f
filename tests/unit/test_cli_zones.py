"""``adizwatch zones list`` and ``zones check`` offline."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import orjson
import pytest

from pipeline.cli import main

CIRCLE = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-117.2, 32.7]},
          "properties": {"id": "sd-watch", "name": "San Diego watch", "kind": "watch",
                         "radius_nm": 50, "floor_ft": 0, "ceiling_ft": 18000, "dwell_s": 600}}
BOWTIE = {"type": "Feature", "properties": {"id": "bad"}, "geometry": {
    "type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}}


def _file(tmp_path: Path, *features: object) -> Path:
    path = tmp_path / "zones.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}))
    return path


def test_zones_list_prints_every_bundled_adiz_with_its_area(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["zones", "list", "--json"]) == 0
    rows = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["id"]: r["area_km2"] for r in rows} == {
        "cn-east-china-sea-adiz": 440_571, "us-alaska-adiz": 2_969_629,
        "us-contiguous-adiz-atlantic-gulf": 1_543_512, "us-contiguous-adiz-pacific": 1_197_131,
        "us-guam-adiz": 619_692, "us-hawaii-adiz": 824_893}
    assert {r["source"] for r in rows} >= {"14 CFR 99.45", "14 CFR 99.49"}
    assert {r["kind"] for r in rows} == {"adiz"}
    assert main(["zones", "list"]) == 0
    assert "us-alaska-adiz" in capsys.readouterr().out


def test_zones_list_of_a_file_shows_rules(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["zones", "list", "--json", "--zones", str(_file(tmp_path, CIRCLE))]) == 0
    (row,) = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (row["id"], row["kind"], row["band_ft"], row["dwell_s"]) == (
        "sd-watch", "watch", "0..18000", 600.0)
    assert row["area_km2"] == pytest.approx(3.14159 * (50 * 1.852) ** 2, rel=2e-3)


def test_zones_check_reports_each_refused_feature(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["zones", "check", str(_file(tmp_path, CIRCLE, BOWTIE))]) == 1
    out = capsys.readouterr().out
    assert "feature 0: ok sd-watch" in out
    assert "feature 1: REFUSED zone_self_intersection" in out
    assert main(["zones", "list", "--zones", str(_file(tmp_path, BOWTIE))]) == 1


def test_an_unreachable_broker_is_one_line_and_exit_1(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("ADIZWATCH_BOOTSTRAP_SERVERS", f"127.0.0.1:{port}")
    assert main(["zones", "list", "--live"]) == 1
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last.startswith("adizwatch: Kafka: ") and f"bootstrap 127.0.0.1:{port}" in last
    assert "Traceback" not in err
