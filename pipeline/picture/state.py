"""The current picture, in memory and bounded: tracks, their trails, the latest alerts.

Plain Python, no I/O and no clock: callers pass ``now_ms`` (wall-clock receipt time, used
only for the points-per-second rate, for marking tracks stale and for dropping them).
Event times (``ts_ms``) order the reports of a track: a report older than the track's
latest is counted and skipped, as in the geofence.

Bounds (:class:`PictureLimits`): at most ``max_tracks`` tracks (the least recently updated
goes first), a trail of at most ``trail_points`` points spaced ``trail_spacing_ms`` apart
within ``trail_window_ms`` of the latest report, and the ``max_alerts`` newest alerts.

Longitudes are given twice: ``lon`` as reported and ``x`` in the picture's frame
(:mod:`pipeline.picture.frame`), unwrapped along the trail so a track crossing the
antimeridian is drawn as one line.

Output is two kinds of plain dicts (JSON-ready): :meth:`PictureState.snapshot`, everything a
page opened now needs, and :meth:`PictureState.take_delta`, what changed since the last
delta (changed and removed tracks, new alerts, counters).
"""

from __future__ import annotations

import bisect
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass, field

from pipeline.model.track import TrackPoint
from pipeline.picture.frame import LonFrame
from pipeline.picture.rate import RateCounter
from pipeline.picture.views import TrackEntry, alert_view, track_view
from pipeline.picture.wire import AlertView


@dataclass(frozen=True, slots=True)
class PictureLimits:
    max_tracks: int = 2000
    trail_points: int = 60
    trail_window_ms: int = 30 * 60_000
    """Event time: a short trail, about half an hour of flight."""
    trail_spacing_ms: int = 20_000
    """Event time between trail points: enough for turns, few points for dense feeds."""
    max_alerts: int = 200
    stale_after_ms: int | None = 120_000
    """Wall time without a report after which a track is drawn faded; None: never."""
    drop_after_ms: int | None = 15 * 60_000
    """Wall time without a report after which a track leaves the picture; None: never."""
    rate_window_ms: int = 5_000


@dataclass(slots=True)
class _Counts:
    points: int = 0
    points_late: int = 0
    alerts: int = 0
    zone_events: int = 0
    deadletters: int = 0
    unreadable: int = 0
    evicted_tracks: int = 0
    deadletter_reasons: Counter[str] = field(default_factory=Counter)


class PictureState:
    """The picture of one deployment, fed record by record."""

    def __init__(self, frame: LonFrame, limits: PictureLimits | None = None) -> None:
        self.frame = frame
        self.limits = limits or PictureLimits()
        self._tracks: OrderedDict[str, TrackEntry] = OrderedDict()  # least recently updated first
        self._alerts: list[tuple[tuple[int, str], dict[str, object]]] = []  # newest first
        self._alert_ids: set[str] = set()
        self._counts = _Counts()
        self._rate = RateCounter(self.limits.rate_window_ms)
        self._latest_ts_ms: int | None = None
        self._dirty: set[str] = set()
        self._removed: set[str] = set()
        self._new_alerts: list[dict[str, object]] = []

    # ---- input -------------------------------------------------------------------------

    def apply_point(self, point: TrackPoint, now_ms: int, *, counted: bool = True) -> bool:
        """A ``tracks.points`` report; False when it is older than the track's latest.

        ``counted=False`` for a report repeated inside an alert (not a new point).
        """
        if counted:
            self._counts.points += 1
            self._rate.count(now_ms)
        track = self._tracks.get(point.track_id)
        if track is None:
            track = self._new_track(point, now_ms)
        elif point.ts_ms <= track.ts_ms:
            if counted and point.ts_ms < track.ts_ms:
                self._counts.points_late += 1
            return False
        else:
            track.x_deg = self.frame.near(point.lon_deg, track.x_deg)
            self._tracks.move_to_end(point.track_id)
        track.ts_ms, track.lat_deg, track.lon_deg = point.ts_ms, point.lat_deg, point.lon_deg
        track.received_ms = now_ms
        track.kind = point.kind
        track.callsign = point.callsign or track.callsign
        track.squawk = point.squawk
        track.alt_ft, track.speed_kt, track.track_deg = point.alt_ft, point.speed_kt, \
            point.track_deg
        self._extend_trail(track)
        if self._latest_ts_ms is None or point.ts_ms > self._latest_ts_ms:
            self._latest_ts_ms = point.ts_ms
        self._dirty.add(track.track_id)
        return True

    def apply_alert(self, alert: AlertView, now_ms: int) -> bool:
        """An ``alerts.identification`` event; False for one already seen (same event id)."""
        if alert.event_id in self._alert_ids:
            return False
        self._counts.alerts += 1
        if alert.report is not None:
            self.apply_point(alert.report, now_ms, counted=False)
        track = self._tracks.get(alert.track_id)
        if track is not None and alert.ts_ms >= track.identity_ts_ms:
            track.identity, track.identity_ts_ms = alert.identity, alert.ts_ms
            track.military = alert.military
            track.aircraft_type = alert.aircraft_type or track.aircraft_type
            track.country = alert.country
            track.zones = alert.zones
            self._dirty.add(track.track_id)
        ref = track.x_deg if track is not None else None
        view = alert_view(alert, self.frame.wrap(alert.lon_deg) if ref is None
                          else self.frame.near(alert.lon_deg, ref))
        key = (-alert.ts_ms, alert.event_id)
        index = bisect.bisect_left([k for k, _ in self._alerts], key)
        if index >= self.limits.max_alerts:
            return True  # older than every alert kept
        self._alerts.insert(index, (key, view))
        self._alert_ids.add(alert.event_id)
        while len(self._alerts) > self.limits.max_alerts:
            _, dropped = self._alerts.pop()
            self._alert_ids.discard(str(dropped["id"]))
        self._new_alerts.append(view)
        return True

    def apply_zone_event(self) -> None:
        """A ``zones.events`` record (the alerts carry what the picture draws of it)."""
        self._counts.zone_events += 1

    def apply_deadletter(self, reason: str) -> None:
        self._counts.deadletters += 1
        self._counts.deadletter_reasons[reason] += 1

    def note_unreadable(self) -> None:
        """A record of an output topic that could not be read."""
        self._counts.unreadable += 1

    # ---- output ------------------------------------------------------------------------

    def snapshot(self, now_ms: int) -> dict[str, object]:
        """The whole current picture, for a page that has just connected."""
        return {
            "tracks": [track_view(t, self._is_stale(t, now_ms))
                       for t in self._tracks.values()],
            "alerts": [view for _, view in self._alerts],
            "stats": self.stats(now_ms),
        }

    def take_delta(self, now_ms: int) -> dict[str, object]:
        """What changed since the previous delta; drops and marks stale tracks first."""
        self._expire(now_ms)
        for track in self._tracks.values():
            if self._is_stale(track, now_ms) != track.stale:
                self._dirty.add(track.track_id)
        tracks = []
        for track_id in sorted(self._dirty):
            track = self._tracks[track_id]
            track.stale = self._is_stale(track, now_ms)
            tracks.append(track_view(track, track.stale))
        delta: dict[str, object] = {
            "tracks": tracks,
            "removed": sorted(self._removed),
            "alerts": sorted(self._new_alerts, key=lambda a: (a["ts_ms"], a["id"]),
                             reverse=True),
            "stats": self.stats(now_ms),
        }
        self._dirty.clear()
        self._removed.clear()
        self._new_alerts = []
        return delta

    def stats(self, now_ms: int) -> dict[str, object]:
        counts = self._counts
        identities = Counter(t.identity.value for t in self._tracks.values())
        return {
            "tracks": len(self._tracks),
            "points": counts.points,
            "points_per_s": round(self._rate.per_second(now_ms), 1),
            "points_late": counts.points_late,
            "alerts": counts.alerts,
            "zone_events": counts.zone_events,
            "deadletters": counts.deadletters,
            "deadletter_reasons": dict(sorted(counts.deadletter_reasons.items())),
            "unreadable": counts.unreadable,
            "evicted_tracks": counts.evicted_tracks,
            "identities": dict(sorted(identities.items())),
            "emergencies": sum(t.emergency for t in self._tracks.values()),
            "latest_ts_ms": self._latest_ts_ms,
        }

    def __len__(self) -> int:
        return len(self._tracks)

    # ---- internals ---------------------------------------------------------------------

    def _new_track(self, point: TrackPoint, now_ms: int) -> TrackEntry:
        if len(self._tracks) >= self.limits.max_tracks:
            oldest, _ = self._tracks.popitem(last=False)
            self._forget(oldest)
            self._counts.evicted_tracks += 1
        track = TrackEntry(point.track_id, point.kind, point.ts_ms, point.lat_deg, point.lon_deg,
                       self.frame.wrap(point.lon_deg), now_ms,
                       anchors=deque(maxlen=max(1, self.limits.trail_points - 1)))
        self._tracks[point.track_id] = track
        self._removed.discard(point.track_id)
        return track

    def _forget(self, track_id: str) -> None:
        self._dirty.discard(track_id)
        self._removed.add(track_id)

    def _extend_trail(self, track: TrackEntry) -> None:
        anchors = track.anchors
        if not anchors or track.ts_ms - anchors[-1][0] >= self.limits.trail_spacing_ms:
            anchors.append((track.ts_ms, track.lat_deg, track.x_deg))
        while anchors and anchors[0][0] < track.ts_ms - self.limits.trail_window_ms:
            anchors.popleft()
        # A track that has drifted half a turn out of the frame (it went round the world)
        # is moved back by whole turns, trail and all; it stays continuous.
        frame = self.frame
        if not frame.west_deg - 180.0 <= track.x_deg < frame.east_deg + 180.0:
            shift = frame.offset_into(track.x_deg)
            track.x_deg += shift
            track.anchors = deque(((ts, lat, x + shift) for ts, lat, x in anchors),
                                  maxlen=anchors.maxlen)

    def _expire(self, now_ms: int) -> None:
        drop_after = self.limits.drop_after_ms
        if drop_after is None:
            return
        while self._tracks:
            track_id, track = next(iter(self._tracks.items()))
            if now_ms - track.received_ms <= drop_after:
                break
            del self._tracks[track_id]
            self._forget(track_id)

    def _is_stale(self, track: TrackEntry, now_ms: int) -> bool:
        after = self.limits.stale_after_ms
        return after is not None and now_ms - track.received_ms > after
