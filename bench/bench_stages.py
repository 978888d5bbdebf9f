"""Geofence rate on the bundled feeds, against a baseline run in the same process.

(Decode rates per input format, SBS included, are ``bench/bench_decode.py``'s job.)

- ``geofence_step``: the geofence step (segments, crossings, all bundled ADIZ zones) over the
  decoded points, per track in order, against a naive baseline: a shapely ``contains`` of each
  point against each zone (no index, no crossings).

Writes ``bench/results/<name>.json`` (name, items, seconds, items_per_s,
baseline_items_per_s, ratio, python, commit). Usage: ``python bench/bench_stages.py``.
"""

from __future__ import annotations

import platform
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import shapely

from pipeline.assemble.merger import TrackMemory, merge
from pipeline.decode.sbs import decode_sbs
from pipeline.demo import bundled_feeds
from pipeline.geofence.tracker import TrackState, step
from pipeline.geofence.zones import default_zone_dir, load_zone_files
from pipeline.model.track import TrackPoint

RESULTS = Path(__file__).resolve().parent / "results"
REPEAT = 3


def _best_seconds(fn: Callable[[], int]) -> tuple[int, float]:
    best = float("inf")
    items = 0
    for _ in range(REPEAT):
        start = time.perf_counter()
        items = fn()
        best = min(best, time.perf_counter() - start)
    return items, best


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _write(name: str, items: int, seconds: float, baseline_items: int,
           baseline_seconds: float, notes: str) -> dict[str, object]:
    result: dict[str, object] = {
        "name": name, "items": items, "seconds": round(seconds, 4),
        "items_per_s": round(items / seconds),
        "baseline_items_per_s": round(baseline_items / baseline_seconds),
        "ratio": round((items / seconds) / (baseline_items / baseline_seconds), 3),
        "python": platform.python_version(), "commit": _commit(), "notes": notes,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    return result


def main() -> None:
    lines = [line for feed in bundled_feeds() for line in feed.read_bytes().splitlines() if line]

    memory: dict[str, TrackMemory] = {}
    points: list[TrackPoint] = []
    for line in lines:
        update = decode_sbs(line, 0)
        if update is None:
            continue
        memory[update.track_id], point = merge(memory.get(update.track_id), update)
        if point is not None:
            points.append(point)
    zones = load_zone_files([default_zone_dir()])

    def ours_geofence() -> int:
        states: dict[str, TrackState] = {}
        for point in points:
            states[point.track_id] = step(states.get(point.track_id), point, zones).state
        return len(points)

    raw_geometries = [z.geometry for z in zones.zones]

    def baseline_geofence() -> int:
        for point in points:
            p = shapely.Point(point.lon_deg, point.lat_deg)
            for geometry in raw_geometries:
                geometry.contains(p)
        return len(points)

    items, seconds = _best_seconds(ours_geofence)
    b_items, b_seconds = _best_seconds(baseline_geofence)
    print(orjson.dumps(_write(
        "geofence_step", items, seconds, b_items, b_seconds,
        f"{len(zones)} bundled ADIZ zones; baseline: unprepared shapely contains of each point "
        "against each zone, no crossings")).decode())


if __name__ == "__main__":
    main()
