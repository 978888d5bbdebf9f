"""The live zone set: the zones from files plus the changes read from ``zones.config``.

``zones.config`` is a compacted topic: key = zone id, value = one GeoJSON Feature (a new or
replaced zone), or a tombstone (null value: the zone is deleted). Files give the starting
set; a record replaces or deletes a zone of the same id, file zones included. A record that
fails the checks of ``features.py`` changes nothing: the previous version of that zone (or
its absence) stays in force.

:class:`ZoneRegistry` is plain state with no broker in it: the worker feeds it records in
partition order (``transport/zone_feed.py``), every worker the same records, so every worker
ends up with the same zone set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from pipeline.geofence.errors import ZoneError, ZoneReason
from pipeline.geofence.features import feature_id
from pipeline.geofence.zones import Zone, ZoneSet, zone_from_feature


class ZoneAction(StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    DELETED = "deleted"
    UNCHANGED = "unchanged"    # the same feature again
    ABSENT = "absent"          # a tombstone for a zone that does not exist
    REJECTED = "rejected"      # invalid: the previous version stays


@dataclass(frozen=True, slots=True)
class ZoneChange:
    zone_id: str
    action: ZoneAction
    zone: Zone | None            # the zone now in force (None when there is none)
    previous: Zone | None


def check_record(zone_id: str, feature: Mapping[str, object] | None) -> Zone | None:
    """The zone a ``zones.config`` record defines (None for a tombstone).

    Raises:
        ZoneError: the feature is invalid, or its ``properties.id`` is not the record key.
    """
    if feature is None:
        return None
    found = feature_id(feature)
    if found != zone_id:
        raise ZoneError(ZoneReason.KEY_MISMATCH, f"record key {zone_id!r} is not the feature's "
                        f"properties.id {found!r}", zone_id)
    return zone_from_feature(feature)


class ZoneRegistry:
    """Zones by id, changed one record at a time; :attr:`zones` is the indexed set."""

    def __init__(self, base: Iterable[Zone] = ()) -> None:
        self._zones: dict[str, Zone] = {z.zone_id: z for z in base}
        self._features: dict[str, Mapping[str, object]] = {}
        self._set: ZoneSet | None = None
        self.version = 0
        """Number of changes applied (0: the files as loaded)."""

    def __len__(self) -> int:
        return len(self._zones)

    @property
    def zones(self) -> ZoneSet:
        if self._set is None:
            self._set = ZoneSet(sorted(self._zones.values(), key=lambda z: z.zone_id))
        return self._set

    def apply(self, zone_id: str, feature: Mapping[str, object] | None) -> ZoneChange:
        """Apply one record; an invalid one is reported as REJECTED and changes nothing.

        The change's detail for a rejection is in the returned error: use
        :meth:`apply_checked` to get it.
        """
        try:
            return self.apply_checked(zone_id, feature)
        except ZoneError:
            previous = self._zones.get(zone_id)
            return ZoneChange(zone_id, ZoneAction.REJECTED, previous, previous)

    def apply_checked(self, zone_id: str, feature: Mapping[str, object] | None) -> ZoneChange:
        """Apply one record.

        Raises:
            ZoneError: invalid record; nothing changed.
        """
        previous = self._zones.get(zone_id)
        if feature is not None and self._features.get(zone_id) == feature:
            return ZoneChange(zone_id, ZoneAction.UNCHANGED, previous, previous)
        zone = check_record(zone_id, feature)
        if zone is None:
            if previous is None:
                return ZoneChange(zone_id, ZoneAction.ABSENT, None, None)
            del self._zones[zone_id]
            self._features.pop(zone_id, None)
            action = ZoneAction.DELETED
        else:
            assert feature is not None
            self._zones[zone_id] = zone
            self._features[zone_id] = feature
            action = ZoneAction.ADDED if previous is None else ZoneAction.UPDATED
        self._set = None
        self.version += 1
        return ZoneChange(zone_id, action, zone, previous)
