"""Synthetic SBS-1 position lines for tests: straight legs between timed waypoints."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime


def sbs_position(icao: str, ts_ms: int, lat: float, lon: float, alt_ft: int | None) -> bytes:
    """One MSG,3 (airborne position) line with generated and logged time ``ts_ms``."""
    when = datetime.fromtimestamp(ts_ms / 1000, tz=UTC)
    day = when.strftime("%Y/%m/%d")
    clock = when.strftime("%H:%M:%S.") + f"{when.microsecond // 1000:03d}"
    alt = "" if alt_ft is None else str(alt_ft)
    return (f"MSG,3,1,1,{icao.upper()},1,{day},{clock},{day},{clock},,{alt},,,"
            f"{lat:.5f},{lon:.5f},,,0,0,0,0").encode()


def fly(icao: str, waypoints: list[tuple[float, float, float, int | None]], every_s: float,
        t0_ms: int) -> list[tuple[int, bytes]]:
    """Reports every ``every_s`` along legs between waypoints (seconds, lat, lon, alt).

    Returns (time, line) pairs so several tracks can be merged in time order.
    """
    out: list[tuple[int, bytes]] = []
    for (ta, lat_a, lon_a, alt_a), (tb, lat_b, lon_b, alt_b) in itertools.pairwise(waypoints):
        t = ta
        while t < tb or (t == tb and (tb, lat_b, lon_b, alt_b) == waypoints[-1]):
            f = 0.0 if tb == ta else (t - ta) / (tb - ta)
            alt = None if alt_a is None or alt_b is None else round(alt_a + (alt_b - alt_a) * f)
            out.append((t0_ms + round(t * 1000), sbs_position(
                icao, t0_ms + round(t * 1000), lat_a + (lat_b - lat_a) * f,
                lon_a + (lon_b - lon_a) * f, alt)))
            t += every_s
    return out


def merged(*tracks: list[tuple[int, bytes]]) -> list[bytes]:
    """The lines of several tracks in time order (a receiver's output)."""
    return [line for _, line in sorted((p for track in tracks for p in track),
                                       key=lambda p: p[0])]
