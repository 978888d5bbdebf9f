"""Why a zone definition was refused.

``ZoneError(ValueError)`` carries a stable ``reason`` (used as the dead-letter reason of a
rejected ``zones.config`` record), the ``zone_id`` when known, and a ``detail`` with the
evidence (which ring, which coordinate, what shapely says).
"""

from __future__ import annotations

from enum import StrEnum


class ZoneReason(StrEnum):
    NOT_A_FEATURE = "zone_not_a_feature"          # not a GeoJSON Feature object
    MISSING_ID = "zone_missing_id"                # no string properties.id
    KEY_MISMATCH = "zone_key_mismatch"            # record key is not properties.id
    UNSUPPORTED_GEOMETRY = "zone_unsupported_geometry"
    MALFORMED_COORDINATES = "zone_malformed_coordinates"  # not numbers / wrong nesting
    UNCLOSED_RING = "zone_unclosed_ring"
    TOO_FEW_POSITIONS = "zone_too_few_positions"
    OUT_OF_RANGE = "zone_out_of_range"            # lon/lat outside [-180,180]/[-90,90]
    ANTIMERIDIAN_EDGE = "zone_antimeridian_edge"  # an edge spans > 180 deg of longitude
    SELF_INTERSECTION = "zone_self_intersection"
    INVALID_GEOMETRY = "zone_invalid_geometry"    # other shapely validity failures
    BAD_CIRCLE = "zone_bad_circle"
    BAD_PROPERTY = "zone_bad_property"
    DUPLICATE_ID = "zone_duplicate_id"
    UNREADABLE = "zone_unreadable"                # a file or record that is not JSON


class ZoneError(ValueError):
    """A zone definition that cannot be used; ``zone_id`` is None when unknown."""

    def __init__(self, reason: ZoneReason, detail: str, zone_id: str | None = None) -> None:
        super().__init__(detail if zone_id is None else f"zone {zone_id}: {detail}")
        self.reason = reason
        self.detail = detail
        self.zone_id = zone_id
