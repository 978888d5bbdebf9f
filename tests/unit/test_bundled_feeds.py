"""The bundled demo feeds in ``pipeline/data/feeds/``: current, deterministic, well-formed.

Each feed is rebuilt by the script named in ``pipeline/data/feeds/SOURCES.md`` and must come
out byte-identical to the committed file, so a stale feed (or a generator that stopped being
deterministic) fails here. The converted feed needs the recorded source in ``../shared``
beside the repository; its absence is a failure, not a skip.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
FEEDS = REPO / "pipeline" / "data" / "feeds"
TOOLS = REPO / "tools"

SEED_FEED = "seed-scenario-alaska.sbs"
NAVY_FEED = "us-navy-ae0455-san-diego.sbs"
NAVY_SOURCE = SHARED / "feeds" / "adsb-other" / "traffic_military_aircraft_carrier.json.gz"
CONTIGUOUS_ADIZ = SHARED / "refdata" / "adiz" / "us-contiguous-adiz.geojson"


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, f"{args[0]} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _require(path: Path) -> None:
    if not path.is_file():
        pytest.fail(f"{path} is missing: the repository expects ../shared beside it "
                    f"(looked in {SHARED})")


def test_seed_scenario_regenerates_identically(tmp_path: Path) -> None:
    out = tmp_path / SEED_FEED
    result = _run(TOOLS / "make_seed_scenario.py", out)
    assert "SIMULATION" in result.stdout
    assert out.read_bytes() == (FEEDS / SEED_FEED).read_bytes(), (
        f"{SEED_FEED} is stale: rerun tools/make_seed_scenario.py")


def test_navy_feed_regenerates_identically(tmp_path: Path) -> None:
    _require(NAVY_SOURCE)
    _require(CONTIGUOUS_ADIZ)
    out = tmp_path / NAVY_FEED
    result = _run(TOOLS / "convert_traffic_to_sbs.py", NAVY_SOURCE, out,
                  "--zone-file", CONTIGUOUS_ADIZ, "--zone-id", "us-contiguous-adiz-pacific")
    assert out.read_bytes() == (FEEDS / NAVY_FEED).read_bytes(), (
        f"{NAVY_FEED} is stale: rerun tools/convert_traffic_to_sbs.py")
    # The demo relies on the track crossing the Pacific ADIZ boundary four times.
    assert "us-contiguous-adiz-pacific: 4 boundary crossings" in result.stdout


@pytest.mark.parametrize("name", [SEED_FEED, NAVY_FEED])
def test_feed_is_sbs1_in_time_order(name: str) -> None:
    lines = (FEEDS / name).read_text(encoding="ascii").splitlines()
    assert len(lines) > 0
    stamps = []
    for number, line in enumerate(lines, start=1):
        fields = line.split(",")
        assert line.startswith("MSG,") and len(fields) == 22, f"{name}:{number}: {line}"
        stamps.append((fields[6], fields[7]))
        if fields[1] == "3":
            assert -180.0 <= float(fields[15]) < 180.0, f"{name}:{number}: {line}"
    assert stamps == sorted(stamps), f"{name} is not in time order"
