"""What a zone asks of the geofence, read from its GeoJSON ``properties``.

Properties (all optional except ``id``; unknown properties are kept but ignored):

* ``id`` (string, required): zone id, unique; the record key on ``zones.config``.
* ``name`` (string): display name; default the id.
* ``kind`` (string): ``adiz``, ``watch``, ``exclusion``... free text, lower-cased; default
  ``zone``.
* ``applies_to``: ``aircraft``, ``vessel`` or ``both`` (default).
* ``floor_ft`` / ``ceiling_ft`` (numbers): altitude band, inclusive; an aircraft outside the
  band is outside the zone, a vessel ignores it; either side may be open. Default no band.
* ``dwell_s`` (number > 0): emit ``zone.dwell`` once per visit after this long inside.
  Default off.
* ``min_inside_s`` / ``min_inside_nm`` (numbers > 0): hysteresis. An entry counts only once
  the track has stayed inside this long or travelled this far inside (whichever is
  configured and reached first); until then neither the entry nor its exit is reported.
  Default off.
* ``radius_nm`` with ``center`` [lon, lat] or a Point geometry: circle form (``circle.py``).

Altitudes are the track's reported altitude (barometric for SBS); an aircraft whose altitude
is unknown is treated as inside the band (it cannot be ruled out).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from pipeline.geofence.earth import NM_M
from pipeline.geofence.errors import ZoneError, ZoneReason
from pipeline.model.track import TrackKind

MAX_DWELL_S = 30 * 86_400.0
"""A dwell timer longer than a month is a typo, not a watch."""

MAX_ALTITUDE_FT = 200_000.0
"""Above the airspace anything in these feeds can reach; larger values are unit mistakes."""


class AppliesTo(StrEnum):
    AIRCRAFT = "aircraft"
    VESSEL = "vessel"
    BOTH = "both"

    def covers(self, kind: TrackKind) -> bool:
        return self is AppliesTo.BOTH or self.value == kind.value


@dataclass(frozen=True, slots=True)
class ZoneRules:
    """The behaviour a zone's properties configure; the defaults are the skeleton's."""

    kind: str = "zone"
    applies_to: AppliesTo = AppliesTo.BOTH
    floor_ft: float | None = None
    ceiling_ft: float | None = None
    dwell_ms: int | None = None
    min_inside_ms: int | None = None
    min_inside_m: float | None = None

    @property
    def banded(self) -> bool:
        return self.floor_ft is not None or self.ceiling_ft is not None

    @property
    def hysteresis(self) -> bool:
        return self.min_inside_ms is not None or self.min_inside_m is not None


def _number(props: Mapping[str, object], name: str, zone_id: str, low: float,
            high: float, positive: bool = False) -> float | None:
    value = props.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ZoneError(ZoneReason.BAD_PROPERTY, f"{name} must be a finite number, got {value!r}",
                        zone_id)
    if positive and value <= 0:
        raise ZoneError(ZoneReason.BAD_PROPERTY, f"{name} must be > 0, got {value!r}", zone_id)
    if not low <= value <= high:
        raise ZoneError(ZoneReason.BAD_PROPERTY, f"{name} must be in [{low:g}, {high:g}], "
                        f"got {value!r}", zone_id)
    return float(value)


def parse_rules(props: Mapping[str, object], zone_id: str) -> ZoneRules:
    """The rules of a zone from its properties.

    Raises:
        ZoneError: a property has a wrong type or value (reason ``bad_property``).
    """
    kind = props.get("kind", "zone")
    if not isinstance(kind, str) or not kind.strip():
        raise ZoneError(ZoneReason.BAD_PROPERTY, f"kind must be a non-empty string, got {kind!r}",
                        zone_id)
    applies = props.get("applies_to", "both")
    try:
        applies_to = AppliesTo(str(applies).lower()) if isinstance(applies, str) else None
    except ValueError:
        applies_to = None
    if applies_to is None:
        raise ZoneError(ZoneReason.BAD_PROPERTY, "applies_to must be aircraft, vessel or both, "
                        f"got {applies!r}", zone_id)
    floor_ft = _number(props, "floor_ft", zone_id, -MAX_ALTITUDE_FT, MAX_ALTITUDE_FT)
    ceiling_ft = _number(props, "ceiling_ft", zone_id, -MAX_ALTITUDE_FT, MAX_ALTITUDE_FT)
    if floor_ft is not None and ceiling_ft is not None and floor_ft >= ceiling_ft:
        raise ZoneError(ZoneReason.BAD_PROPERTY, f"floor_ft {floor_ft:g} is not below ceiling_ft "
                        f"{ceiling_ft:g}", zone_id)
    dwell_s = _number(props, "dwell_s", zone_id, 0.0, MAX_DWELL_S, positive=True)
    min_s = _number(props, "min_inside_s", zone_id, 0.0, MAX_DWELL_S, positive=True)
    min_nm = _number(props, "min_inside_nm", zone_id, 0.0, 10_000.0, positive=True)
    return ZoneRules(
        kind=kind.strip().lower(),
        applies_to=applies_to,
        floor_ft=floor_ft,
        ceiling_ft=ceiling_ft,
        dwell_ms=None if dwell_s is None else round(dwell_s * 1000),
        min_inside_ms=None if min_s is None else round(min_s * 1000),
        min_inside_m=None if min_nm is None else min_nm * NM_M,
    )
