"""The identify stage: per track, the standard identity and when to publish it.

Pure steps over a per-track :class:`IdentityState`, fed by two streams keyed by track:

* zone events: an entry adds the zone (and, for an ADIZ, correlates the entry with the
  flight plans); an exit removes it; both publish an identification. A track regained after
  going dark inside a zone is an anomaly.
* track points: a transponder code that appears, changes or clears to/from an emergency
  code (7500, 7600, 7700) publishes an ``emergency`` event wherever the track is; a code
  change inside a zone is an anomaly; while inside a zone, any change of identity (new
  evidence, a live watch-list update) publishes an ``identity.change`` with the previous one.

The identity is *pending* until first evaluated. Rules are data (``rules.py``); this module
only gathers the facts and decides when to publish. Event ids are derived from the trigger,
the track and the event or report that caused it, so a replay yields the same ids.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from pipeline.identify.enrich import Enrichment, IdentifyContext, enrich
from pipeline.identify.flightplan import Tolerances
from pipeline.identify.rules import Decision, Facts
from pipeline.identify.squawk import EMERGENCY_CODES
from pipeline.model.events import Identification, StandardIdentity, Trigger, ZoneEvent
from pipeline.model.track import TrackPoint

_NAMESPACE = uuid.UUID("0d5cf0c2-7d4e-4a0a-9a57-3f1f6a1a1d21")
REGAINED = "track.regained"


@dataclass(frozen=True, slots=True)
class IdentityState:
    identity: StandardIdentity = StandardIdentity.PENDING
    inside: tuple[str, ...] = ()
    correlations: tuple[tuple[str, str | None, str], ...] = ()  # (zone, plan id, reason)
    squawk: str | None = None
    last_point_ms: int | None = None
    squawk_changed_inside: bool = False
    regained_inside: bool = False

    def to_dict(self) -> dict[str, object]:
        return {"identity": self.identity.value, "inside": list(self.inside),
                "correlations": [list(c) for c in self.correlations], "squawk": self.squawk,
                "last_point_ms": self.last_point_ms,
                "squawk_changed_inside": self.squawk_changed_inside,
                "regained_inside": self.regained_inside}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> IdentityState:
        inside, corr = data.get("inside", []), data.get("correlations", [])
        squawk, last = data.get("squawk"), data.get("last_point_ms")
        if (not isinstance(inside, list) or not isinstance(corr, list)
                or not (squawk is None or isinstance(squawk, str))
                or not (last is None or isinstance(last, int))):
            raise ValueError(f"not a stored identity state: {data!r}")
        return cls(StandardIdentity(str(data.get("identity", "pending"))),
                   tuple(str(z) for z in inside),
                   tuple((str(c[0]), None if c[1] is None else str(c[1]), str(c[2]))
                         for c in corr if isinstance(c, list) and len(c) == 3),
                   squawk, last, bool(data.get("squawk_changed_inside")),
                   bool(data.get("regained_inside")))


class ZoneLookup(Protocol):
    """What the stage needs to know of the zones (implemented by the geofence's ZoneSet)."""

    def properties_of(self, zone_id: str) -> Mapping[str, object] | None: ...


def _is_adiz(zones: ZoneLookup, zone_id: str) -> bool:
    props = zones.properties_of(zone_id)
    # Zones without a kind are ADIZ: the bundled set is; other watch zones say so.
    return props is not None and props.get("kind", "adiz") == "adiz"


def _facts(state: IdentityState, found: Enrichment, point: TrackPoint, ctx: IdentifyContext,
           zones: ZoneLookup) -> Facts:
    allied = None if found.country is None else found.country in ctx.allied
    military_allied = (None if not found.military or found.military_state is None
                       else found.military_state in ctx.allied)
    anomalies = []
    if found.military and military_allied is False:
        anomalies.append(f"anomaly: foreign military address ({found.military_state})")
    if found.type_military and allied is not True:
        anomalies.append(f"anomaly: foreign military type {found.aircraft_type}")
    if found.disposition == "suspect" and found.watch is not None:
        anomalies.append(f"anomaly: watch-list category {found.watch.category!r} is suspect")
    if point.squawk == "7500":
        anomalies.append("anomaly: squawk 7500 (unlawful interference)")
    if state.squawk_changed_inside:
        anomalies.append("anomaly: transponder code changed inside a zone")
    if state.regained_inside:
        anomalies.append("anomaly: track regained after going dark inside a zone")
    adiz = [z for z in state.inside if _is_adiz(zones, z)]
    correlated = None
    if adiz:
        correlated = any(c[1] is not None for c in state.correlations if c[0] in adiz)
    return Facts(kind=point.kind.value, in_adiz=bool(adiz), country=found.country,
                 allied=allied, military=found.military, military_allied=military_allied,
                 type_military=found.type_military, watchlist=found.disposition,
                 correlated=correlated, emergency=point.squawk in EMERGENCY_CODES,
                 squawk=point.squawk, anomaly=bool(anomalies), anomalies=tuple(anomalies))


def _publish(trigger: Trigger, cause: str, state: IdentityState, previous: StandardIdentity,
             decision: Decision, found: Enrichment, point: TrackPoint,
             zone_event: ZoneEvent | None) -> Identification:
    at_ms, lat, lon = ((zone_event.at_ms, zone_event.lat_deg, zone_event.lon_deg)
                       if zone_event is not None else
                       (point.ts_ms, point.lat_deg, point.lon_deg))
    zone_id = zone_event.zone_id if zone_event is not None else None
    correlation = next(((c[1], c[2]) for c in state.correlations if c[0] == zone_id), None)
    return Identification(
        event_id=str(uuid.uuid5(_NAMESPACE, f"{trigger}|{point.track_id}|{cause}")),
        trigger=trigger, at_ms=at_ms, lat_deg=lat, lon_deg=lon, point=point,
        zone_event=zone_event, zones=state.inside, country=found.country,
        country_reason=None if found.country is not None else found.country_reason,
        military=found.military, military_reason=found.military_reason,
        aircraft_type=found.aircraft_type,
        watchlist=None if found.watch is None else f"{found.watch.key} ({found.watch.category})",
        correlation=correlation, emergency=point.squawk in EMERGENCY_CODES,
        squawk_meaning=None if found.squawk is None else found.squawk.meaning,
        identity=decision.identity, previous_identity=previous, rule=decision.rule,
        reasons=decision.reasons)


def _evaluate(state: IdentityState, point: TrackPoint, ctx: IdentifyContext,
              zones: ZoneLookup) -> tuple[Decision, Enrichment]:
    # Everything the evaluation reads of the point and the state (``evaluations.py``).
    key = (point.track_id, point.kind, point.icao24, point.callsign, point.military_flag,
           point.aircraft_type, point.squawk, state.inside, state.correlations,
           state.squawk_changed_inside, state.regained_inside)
    kept = ctx.evaluations.get(key, ctx.rules, ctx.watchlist, zones)
    if kept is None:
        found = enrich(point, ctx)
        decision = ctx.rules.decide(_facts(state, found, point, ctx, zones), found.evidence())
        kept = (decision, found)
        ctx.evaluations.put(key, kept)
    return kept


def on_zone_event(state: IdentityState | None, event: ZoneEvent, ctx: IdentifyContext,
                  zones: ZoneLookup) -> tuple[IdentityState, list[Identification]]:
    """Fold a zone event into the track's identity; entries and exits always publish."""
    state = state or IdentityState()
    kind = str(event.transition)
    point = event.point
    if kind == "zone.entry":
        correlations = tuple(c for c in state.correlations if c[0] != event.zone_id)
        if _is_adiz(zones, event.zone_id):
            found = ctx.plans.correlate(point.callsign, point.icao24, event.at_ms,
                                        event.lat_deg, event.lon_deg,
                                        Tolerances.for_zone(
                                            zones.properties_of(event.zone_id) or {}))
            correlations += ((event.zone_id, found.plan_id, found.reason),)
        state = replace(state, inside=tuple(sorted({*state.inside, event.zone_id})),
                        correlations=correlations)
        decision, enrichment = _evaluate(state, point, ctx, zones)
        ident = _publish(Trigger.ZONE_ENTRY, event.event_id, state, state.identity, decision,
                         enrichment, point, event)
        return replace(state, identity=decision.identity), [ident]
    if kind == "zone.exit":
        # Evaluated as the track was in the zone (with its correlation), then forgotten.
        decision, enrichment = _evaluate(state, point, ctx, zones)
        ident = _publish(Trigger.ZONE_EXIT, event.event_id, state, state.identity, decision,
                         enrichment, point, event)
        inside = tuple(z for z in state.inside if z != event.zone_id)
        state = replace(state, inside=inside, identity=decision.identity,
                        correlations=tuple(c for c in state.correlations
                                           if c[0] != event.zone_id))
        if not inside:
            state = replace(state, squawk_changed_inside=False, regained_inside=False)
        return state, [replace(ident, zones=inside)]
    if kind == REGAINED and state.inside:
        return _maybe_change(replace(state, regained_inside=True), point, ctx, zones,
                             event.event_id)
    return state, []


def _maybe_change(state: IdentityState, point: TrackPoint, ctx: IdentifyContext,
                  zones: ZoneLookup, cause: str) -> tuple[IdentityState, list[Identification]]:
    decision, found = _evaluate(state, point, ctx, zones)
    if decision.identity == state.identity:
        return state, []
    ident = _publish(Trigger.IDENTITY_CHANGE, cause, state, state.identity, decision, found,
                     point, None)
    return replace(state, identity=decision.identity), [ident]


def on_point(state: IdentityState | None, point: TrackPoint, ctx: IdentifyContext,
             zones: ZoneLookup) -> tuple[IdentityState, list[Identification]]:
    """Fold a track point: emergency codes anywhere, identity changes inside zones."""
    state = state or IdentityState()
    if state.last_point_ms is not None and point.ts_ms <= state.last_point_ms:
        return state, []  # duplicate, late, or replayed after a restart
    out: list[Identification] = []
    old, new = state.squawk, point.squawk
    changed = new is not None and new != old
    # Built directly: this runs for every point, and dataclasses.replace costs ~4x more.
    state = IdentityState(state.identity, state.inside, state.correlations,
                          new if new is not None else old, point.ts_ms,
                          state.squawk_changed_inside or (
                              changed and old is not None and bool(state.inside)),
                          state.regained_inside)
    if changed and (new in EMERGENCY_CODES or old in EMERGENCY_CODES):
        decision, found = _evaluate(state, point, ctx, zones)
        out.append(_publish(Trigger.EMERGENCY, f"{point.ts_ms}|{old}>{new}", state,
                            state.identity, decision, found, point, None))
        state = replace(state, identity=decision.identity)
    elif state.inside:
        state, changes = _maybe_change(state, point, ctx, zones, str(point.ts_ms))
        out.extend(changes)
    return state, out


class IdentityTable(Protocol):
    """The identity states of one partition, by track key (a dict works in tests)."""

    def get(self, key: bytes, /) -> IdentityState | None: ...

    def __setitem__(self, key: bytes, value: IdentityState, /) -> None: ...


def identify(events: list[ZoneEvent], point: TrackPoint, moved: bool, table: IdentityTable,
             ctx: IdentifyContext, zones: ZoneLookup) -> list[tuple[bytes, Identification]]:
    """The identify stage for what the geofence made of one point.

    For every track with zone events (the point's own track, and tracks of the partition
    the geofence declared lost), its events are folded into its identity in order; then the
    point itself, unless it did not move its track (duplicate or late). Running right after
    the geofence step of the same point gives each track one well-defined order of zone
    events and reports, whatever the partitioning. Changed states are written to ``table``.

    Returns:
        The identifications to publish, with the key of their track, in order.
    """
    own = point.track_id.encode()
    if not events:  # the common case: only the point itself
        if not moved:
            return []
        state = table.get(own)
        after, found = on_point(state, point, ctx, zones)
        if after != state:
            table[own] = after
        return [(own, ident) for ident in found]
    by_track: dict[bytes, list[ZoneEvent]] = {}
    for event in events:
        by_track.setdefault(event.point.track_id.encode(), []).append(event)
    published: list[tuple[bytes, Identification]] = []
    for key in [*by_track, *([own] if own not in by_track else [])]:
        state = before = table.get(key)
        for event in by_track.get(key, ()):
            state, found = on_zone_event(state, event, ctx, zones)
            published.extend((key, ident) for ident in found)
        if key == own and moved:
            state, found = on_point(state, point, ctx, zones)
            published.extend((key, ident) for ident in found)
        if state is not None and state != before:
            table[key] = state
    return published
