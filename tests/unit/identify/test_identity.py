"""Country, military and standard identity of zone events."""

from __future__ import annotations

import pytest

from pipeline.identify.icao_country import IcaoCountryTable
from pipeline.identify.identity import Identifier, IdentityPolicy
from pipeline.identify.military import MilitaryRanges
from pipeline.model.events import StandardIdentity, Transition, ZoneEvent
from pipeline.model.track import Source, TrackKind, TrackPoint


@pytest.fixture(scope="module")
def identifier() -> Identifier:
    return Identifier.load()


def _event(icao24: str, squawk: str | None = None) -> ZoneEvent:
    point = TrackPoint(track_id=f"icao24:{icao24}", kind=TrackKind.AIRCRAFT, source=Source.SBS,
                       ts_ms=0, lat_deg=60.0, lon_deg=-170.0, icao24=icao24, squawk=squawk)
    return ZoneEvent("e1", Transition.ENTRY, "us-alaska-adiz", "Alaska ADIZ", 0, 60.0, -170.0,
                     point, False)


@pytest.mark.parametrize(("icao24", "country", "military", "identity"), [
    ("ae0455", "US", True, StandardIdentity.ASSUMED_FRIEND),   # US Navy (real, San Diego)
    ("c2a001", "CA", True, StandardIdentity.ASSUMED_FRIEND),   # RCAF range
    ("3b7777", "FR", True, StandardIdentity.SUSPECT),          # French AF: not allied by default
    ("155a01", "RU", None, StandardIdentity.UNKNOWN),          # Russian block, no mil range
    ("780a01", "CN", None, StandardIdentity.UNKNOWN),
    ("a1b2c3", "US", None, StandardIdentity.UNKNOWN),          # US civil, uncorrelated
    ("000001", None, None, StandardIdentity.UNKNOWN),          # unallocated
])
def test_identity_by_address(identifier: Identifier, icao24: str, country: str | None,
                             military: bool | None, identity: StandardIdentity) -> None:
    ident = identifier.identify(_event(icao24))
    assert (ident.country, ident.military, ident.identity) == (country, military, identity)
    assert ident.reasons, "every decision carries its reasons"


def test_unallocated_address_has_no_country_and_says_why(identifier: Identifier) -> None:
    ident = identifier.identify(_event("000001"))
    assert ident.country is None
    assert ident.country_reason == "000001 is in no allocated ICAO block"


def test_squawk_7500_is_suspect_even_for_allied_military(identifier: Identifier) -> None:
    ident = identifier.identify(_event("ae0455", squawk="7500"))
    assert ident.identity is StandardIdentity.SUSPECT
    assert "squawk 7500: unlawful interference" in ident.reasons


def test_allied_set_is_configuration() -> None:
    ident = Identifier(IcaoCountryTable.load(), MilitaryRanges.load(),
                       IdentityPolicy(allied_countries=frozenset({"US", "CA", "FR"})))
    assert ident.identify(_event("3b7777")).identity is StandardIdentity.ASSUMED_FRIEND


def test_identification_ids_are_deterministic(identifier: Identifier) -> None:
    assert identifier.identify(_event("ae0455")).event_id == \
        identifier.identify(_event("ae0455")).event_id
