"""Altitude bands: where along a segment an aircraft is between a zone's floor and ceiling.

Between two reports the altitude changes linearly in time, like the position, so the part of
a segment inside the band ``floor_ft <= alt <= ceiling_ft`` (inclusive, as the lateral
boundary is) is one closed interval of the segment parameter. A track is inside a banded
zone where it is inside laterally *and* inside the band; climbing or descending through the
floor or the ceiling is therefore a crossing like a lateral one, interpolated the same way.

Unknown altitude: if one end of the segment has no altitude the other end's is used; with
none at all the band cannot rule the aircraft out and it counts as inside the band.
"""

from __future__ import annotations

import math

from pipeline.geofence.rules import ZoneRules
from pipeline.model.events import Boundary

Piece = tuple[float, float, Boundary | None, Boundary | None]
"""An inside interval (start, end) of the segment parameter and how it was entered and left
(None at the ends of the segment, where nothing was crossed)."""


def in_band(alt_ft: float | None, rules: ZoneRules) -> bool:
    if alt_ft is None:
        return True
    if rules.floor_ft is not None and alt_ft < rules.floor_ft:
        return False
    return rules.ceiling_ft is None or alt_ft <= rules.ceiling_ft


def band_interval(alt0: float | None, alt1: float | None,
                  rules: ZoneRules) -> tuple[float, float] | None:
    """The closed interval of [0, 1] where the linear altitude is inside the band."""
    if alt0 is None:
        alt0 = alt1
    if alt1 is None:
        alt1 = alt0
    if alt0 is None or alt1 is None or alt0 == alt1:
        return (0.0, 1.0) if in_band(alt0, rules) else None
    lo = -math.inf if rules.floor_ft is None else rules.floor_ft
    hi = math.inf if rules.ceiling_ft is None else rules.ceiling_ft
    rate = alt1 - alt0
    t_lo, t_hi = (lo - alt0) / rate, (hi - alt0) / rate
    if t_lo > t_hi:
        t_lo, t_hi = t_hi, t_lo
    a, b = max(t_lo, 0.0), min(t_hi, 1.0)
    return (a, b) if a <= b else None


def clip_to_band(intervals: list[tuple[float, float]], alt0: float | None, alt1: float | None,
                 rules: ZoneRules) -> list[Piece]:
    """Lateral inside intervals cut down to the altitude band, with how each was crossed.

    A piece reduced to one instant in the middle of the segment (the track touched the zone
    in three dimensions without being inside over an interval) is dropped, as a lateral
    touch is.
    """
    if not rules.banded:
        return [(a, b, Boundary.LATERAL, Boundary.LATERAL) for a, b in intervals]
    band = band_interval(alt0, alt1, rules)
    if band is None:
        return []
    va, vb = band
    climbing = alt0 is not None and alt1 is not None and alt1 > alt0
    pieces: list[Piece] = []
    for s, e in intervals:
        a, b = max(s, va), min(e, vb)
        if a > b or (a == b and 0.0 < a < 1.0):
            continue
        via_in = (Boundary.LATERAL if a == s
                  else Boundary.FLOOR if climbing else Boundary.CEILING)
        via_out = (Boundary.LATERAL if b == e
                   else Boundary.CEILING if climbing else Boundary.FLOOR)
        pieces.append((a, b, via_in, via_out))
    return pieces
