"""MIL-STD-2525C SIDCs of tracks: identity in position 2, dimension in 3, function 5-10."""

from __future__ import annotations

import pytest

from pipeline.model.events import StandardIdentity as Id
from pipeline.model.track import TrackKind
from pipeline.picture.symbols import sidc


@pytest.mark.parametrize(("identity", "kind", "military", "type_", "expected"), [
    (Id.SUSPECT, TrackKind.AIRCRAFT, True, "TU95", "SSAPMFB--------"),
    (Id.FRIEND, TrackKind.AIRCRAFT, True, "F16", "SFAPMFF--------"),
    (Id.FRIEND, TrackKind.AIRCRAFT, True, "k35r", "SFAPMFK--------"),
    (Id.ASSUMED_FRIEND, TrackKind.AIRCRAFT, True, None, "SAAPMF---------"),
    (Id.NEUTRAL, TrackKind.AIRCRAFT, False, "B77W", "SNAPCF---------"),
    (Id.NEUTRAL, TrackKind.AIRCRAFT, None, None, "SNAP-----------"),
    (Id.PENDING, TrackKind.AIRCRAFT, None, None, "SPAP-----------"),
    (Id.UNKNOWN, TrackKind.VESSEL, None, None, "SUSP-----------"),
    (Id.HOSTILE, TrackKind.VESSEL, True, None, "SHSPC----------"),
    (Id.NEUTRAL, TrackKind.VESSEL, False, None, "SNSPX----------"),
])
def test_sidc(identity: Id, kind: TrackKind, military: bool | None, type_: str | None,
              expected: str) -> None:
    code = sidc(identity, kind, military, type_)
    assert code == expected
    assert len(code) == 15


def test_every_identity_has_its_own_affiliation_letter() -> None:
    letters = {sidc(identity, TrackKind.AIRCRAFT)[1] for identity in Id}
    assert letters == set("PUAFNSH")
