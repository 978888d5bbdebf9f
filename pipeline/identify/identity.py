"""Standard identity of a track at a zone event (first version of the rule set).

Rules, evaluated in order, the first that applies decides; every decision carries its
reasons (country and military evidence first, then the rule):

1. Squawk 7500 (unlawful interference) -> suspect.
2. Military address in a range of an allied state -> assumed friend. (Friend needs positive
   identification, e.g. a friendly watch-list entry: not available in this version.)
3. Military address in a range of a non-allied state -> suspect.
4. Otherwise -> unknown: no flight plan is correlated with the track, so it is an
   uncorrelated ADIZ track.

Hostile is never inferred: it is a human decision (refdata ``adiz_rules.md`` section 4).
Which states count as allied is configuration (``ADIZWATCH_ALLIED_COUNTRIES``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from pipeline.identify.icao_country import IcaoCountryTable
from pipeline.identify.military import MilitaryRanges
from pipeline.model.events import Identification, StandardIdentity, ZoneEvent

DEFAULT_ALLIED_COUNTRIES = frozenset({"US", "CA"})
"""NORAD's two nations: the default own/allied set for the Alaska scenario."""

_IDENT_NAMESPACE = uuid.UUID("0d5cf0c2-7d4e-4a0a-9a57-3f1f6a1a1d21")


@dataclass(frozen=True, slots=True)
class IdentityPolicy:
    allied_countries: frozenset[str] = DEFAULT_ALLIED_COUNTRIES


class Identifier:
    """Enriches zone events with country and military verdicts and assigns an identity."""

    def __init__(self, countries: IcaoCountryTable, military: MilitaryRanges,
                 policy: IdentityPolicy) -> None:
        self._countries = countries
        self._military = military
        self._policy = policy

    @classmethod
    def load(cls, policy: IdentityPolicy | None = None) -> Identifier:
        """With the bundled reference tables."""
        return cls(IcaoCountryTable.load(), MilitaryRanges.load(), policy or IdentityPolicy())

    def identify(self, event: ZoneEvent) -> Identification:
        icao24 = event.point.icao24
        country = self._countries.country_of(icao24)
        military = self._military.verdict(icao24)
        reasons: list[str] = [country.reason]
        if military.reason is not None:
            reasons.append(military.reason)
        identity = self._decide(event, military.military, military.country, reasons)
        return Identification(
            event_id=str(uuid.uuid5(_IDENT_NAMESPACE, event.event_id)),
            zone_event=event,
            country=country.country,
            country_reason=None if country.country is not None else country.reason,
            military=military.military,
            military_reason=military.reason,
            identity=identity,
            reasons=tuple(reasons),
        )

    def _decide(self, event: ZoneEvent, military: bool | None, operator: str | None,
                reasons: list[str]) -> StandardIdentity:
        if event.point.squawk == "7500":
            reasons.append("squawk 7500: unlawful interference")
            return StandardIdentity.SUSPECT
        if military and operator in self._policy.allied_countries:
            reasons.append(f"own/allied military address ({operator}); "
                           "no watch-list confirmation")
            return StandardIdentity.ASSUMED_FRIEND
        if military:
            reasons.append(f"foreign military address ({operator})")
            return StandardIdentity.SUSPECT
        reasons.append("no flight plan correlated: uncorrelated track")
        return StandardIdentity.UNKNOWN
