"""A uniform grid over one zone's extended geometry: the geofence's fast path.

Space is cut into cells of :data:`CELL_DEG` degrees over longitudes [-360, 360] (the range of
unwrapped segments, see ``geometry.py``) and latitudes [-90, 90]. For each zone every cell is
one of:

* absent: entirely outside the zone, no boundary in it;
* ``True``: entirely inside, no boundary in it;
* a tuple of edge indices: the boundary edges that touch the cell (closed cells, widened by
  :data:`CELL_EPS`, so an edge along a cell side belongs to both cells).

A segment whose cells hold no edge cannot cross the boundary, so it is inside or outside
throughout and costs a few float operations and dict look-ups. Near the boundary the
segment is intersected with the cells' edges on plain floats, and only the points that need
a point-in-polygon test (ends and the middles of the pieces between boundary hits, where
they lie in boundary cells) go to shapely's prepared ``intersects_xy``, so the result
follows the same rule as the skeleton's ``segment.intersection(boundary)``: a point on the
boundary is inside.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

CELL_DEG = 0.5
"""Half a degree: ~2 edges of the densified (<= 25 km) boundaries per boundary cell."""

CELL_EPS = 1e-9
X_MIN, X_MAX = -360.0, 360.0
Y_MIN, Y_MAX = -90.0, 90.0
NY = round((Y_MAX - Y_MIN) / CELL_DEG) + 2
_INV = 1.0 / CELL_DEG

HIT_TOLERANCE = 1e-9
"""Edge hits are accepted this far beyond an edge's end (in edge parameter): a spurious
hit only splits a piece in two, a missed one at a shared vertex would lose a crossing."""

MERGE_T = 1e-9
"""Hits closer than this (in segment parameter) are one hit: no sliver pieces whose middle
would be classified on rounding noise."""

END_T = 1e-12
"""Hits this close to an end are the end itself (the skeleton's tolerance)."""

Entry = bool | tuple[int, ...]
Edge = tuple[float, float, float, float]


def cell_range(lo: float, hi: float, origin: float) -> range:
    """Indices of the cells that the closed interval [lo, hi] (widened by CELL_EPS) meets."""
    return range(int((lo - CELL_EPS - origin) * _INV), int((hi + CELL_EPS - origin) * _INV) + 1)


def cell_id(ix: int, iy: int) -> int:
    return ix * NY + iy


def cell_of(x: float, y: float) -> int:
    return int((x - X_MIN) * _INV) * NY + int((y - Y_MIN) * _INV)


def _edges(boundary: BaseGeometry) -> list[Edge]:
    edges: list[Edge] = []
    for line in getattr(boundary, "geoms", (boundary,)):
        coords = list(line.coords)
        for (ax, ay), (bx, by) in itertools.pairwise(coords):
            if max(ax, bx) < X_MIN - 1.0 or min(ax, bx) > X_MAX + 1.0:
                continue  # beyond any unwrapped segment
            edges.append((ax, ay, bx, by))
    return edges


class ZoneGrid:
    """Cells and edges of one zone's extended geometry (prepared for point tests)."""

    def __init__(self, extended: BaseGeometry) -> None:
        self.prepared = extended
        shapely.prepare(extended)
        self.edges = _edges(extended.boundary)
        self.cells: dict[int, Entry] = {}
        edge_cells: dict[int, set[int]] = {}
        for index, (ax, ay, bx, by) in enumerate(self.edges):
            # Long edges in pieces of at most one cell, so a diagonal edge is not filed
            # under every cell of its bounding box.
            pieces = max(1, math.ceil(max(abs(bx - ax), abs(by - ay)) * _INV))
            for k in range(pieces):
                px0, py0 = ax + (bx - ax) * k / pieces, ay + (by - ay) * k / pieces
                px1, py1 = ax + (bx - ax) * (k + 1) / pieces, ay + (by - ay) * (k + 1) / pieces
                for ix in cell_range(min(px0, px1), max(px0, px1), X_MIN):
                    for iy in cell_range(min(py0, py1), max(py0, py1), Y_MIN):
                        edge_cells.setdefault(cell_id(ix, iy), set()).add(index)
        for cid, indices in edge_cells.items():
            self.cells[cid] = tuple(sorted(indices))
        self._classify_free_cells(extended)

    def _classify_free_cells(self, extended: BaseGeometry) -> None:
        min_x, min_y, max_x, max_y = extended.bounds
        ixs = cell_range(max(min_x, X_MIN), min(max_x, X_MAX), X_MIN)
        iys = cell_range(max(min_y, Y_MIN), min(max_y, Y_MAX), Y_MIN)
        if not ixs or not iys:
            return
        gx, gy = np.meshgrid(np.arange(ixs.start, ixs.stop), np.arange(iys.start, iys.stop),
                             indexing="ij")
        ids = (gx * NY + gy).ravel()
        free = np.array([int(c) not in self.cells for c in ids], dtype=bool)
        ids = ids[free]
        cx = X_MIN + (gx.ravel()[free] + 0.5) * CELL_DEG
        cy = Y_MIN + (gy.ravel()[free] + 0.5) * CELL_DEG
        inside = shapely.intersects_xy(extended, cx, cy)
        for cid in ids[inside].tolist():
            self.cells[int(cid)] = True

    def contains(self, x: float, y: float) -> bool:
        """Point test (boundary inside) with the grid as a shortcut."""
        entry = self.cells.get(cell_of(x, y))
        if entry is None:
            return False
        if entry is True:
            return True
        return bool(shapely.intersects_xy(self.prepared, x, y))

    def hits(self, x0: float, y0: float, x1: float, y1: float,
             edge_ids: Iterable[int]) -> list[float]:
        """Segment parameters in [0, 1] where the segment meets the given edges (unsorted)."""
        dx, dy = x1 - x0, y1 - y0
        edges = self.edges
        lo, hi = -HIT_TOLERANCE, 1.0 + HIT_TOLERANCE
        ts: list[float] = []
        for i in edge_ids:
            ax, ay, bx, by = edges[i]
            ex, ey = bx - ax, by - ay
            qx, qy = ax - x0, ay - y0
            den = dx * ey - dy * ex
            if den == 0.0:
                if qx * dy - qy * dx != 0.0:
                    continue  # parallel, apart
                dd = dx * dx + dy * dy
                if dd == 0.0:
                    continue
                ta = (qx * dx + qy * dy) / dd
                tb = ((bx - x0) * dx + (by - y0) * dy) / dd
                if ta > tb:
                    ta, tb = tb, ta
                if tb >= 0.0 and ta <= 1.0:  # collinear overlap: both ends are hits
                    ts.append(max(ta, 0.0))
                    ts.append(min(tb, 1.0))
                continue
            t = (qx * ey - qy * ex) / den
            if t < lo or t > hi:
                continue
            u = (qx * dy - qy * dx) / den
            if lo <= u <= hi:
                ts.append(t)
        return ts

    def intervals(self, x0: float, y0: float, x1: float, y1: float,
                  edge_ids: Iterable[int]) -> list[tuple[float, float]]:
        """Closed intervals of segment parameter where the segment is inside the zone.

        Degenerate intervals appear only at the ends (a report on the boundary); a point
        where the segment merely touches the boundary from outside is not inside over an
        interval and is left out, as in the skeleton.
        """
        raw = self.hits(x0, y0, x1, y1, edge_ids)
        contains = self.contains
        dx, dy = x1 - x0, y1 - y0
        if not raw:
            # No contact with the boundary: one side throughout. Any of its points tells
            # which; an end in a cell without boundary tells it for free.
            cells = self.cells
            for x, y in ((x0, y0), (x1, y1)):
                entry = cells.get(cell_of(x, y))
                if entry is None:
                    return []
                if entry is True:
                    return [(0.0, 1.0)]
            return [(0.0, 1.0)] if contains(x0 + dx * 0.5, y0 + dy * 0.5) else []
        cuts = [0.0]
        for t in sorted(raw):
            if END_T < t < 1.0 - END_T and t - cuts[-1] > MERGE_T:
                cuts.append(t)
        if 1.0 - cuts[-1] <= MERGE_T and len(cuts) > 1:
            cuts.pop()
        cuts.append(1.0)
        inside0 = contains(x0, y0)
        inside1 = contains(x1, y1)
        out: list[tuple[float, float]] = []
        start: float | None = 0.0 if inside0 else None
        for k in range(len(cuts) - 1):
            a, b = cuts[k], cuts[k + 1]
            mid = (a + b) * 0.5
            if contains(x0 + dx * mid, y0 + dy * mid):
                if start is None:
                    start = a
            elif start is not None:
                out.append((start, a))
                start = None
        if start is not None:
            out.append((start, 1.0))
        elif inside1:
            out.append((1.0, 1.0))
        return out
