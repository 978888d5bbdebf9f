"""Longitude unwrapping: how a track moves between two reports.

A track moves between two reports in a straight line in longitude/latitude, the shorter way
round: the end longitude is unwrapped (shifted by 360 degrees) when the raw difference
exceeds 180 degrees. Crossings are found on the zones' extended geometry (see ``zones.py``
and ``grid.py``), so they need no special case at the antimeridian, and positions are
wrapped back into [-180, 180) when reported.

A point on the boundary counts as inside. A segment that only touches the boundary at one
interior point (a vertex grazed from outside) does not enter: a zone is entered when the
track is inside over an interval or at one of its reports.
"""

from __future__ import annotations


def unwrap_lon(lon_from: float, lon_to: float) -> float:
    """``lon_to`` shifted by 360 degrees where that makes the step shorter than 180."""
    delta = lon_to - lon_from
    if delta > 180.0:
        return lon_to - 360.0
    if delta < -180.0:
        return lon_to + 360.0
    return lon_to


def wrap_lon(lon: float) -> float:
    """A longitude in [-180, 180)."""
    wrapped = (lon + 180.0) % 360.0 - 180.0
    return 0.0 if wrapped == -0.0 else wrapped
