"""What the geofence remembers of one track, and its JSON-serialisable stored form.

The first four fields are the skeleton's (last accepted report, zones inside). The others
have defaults that mean "nothing going on", so a state written by the skeleton loads as is
and a track that meets no dwell, hysteresis or lost rule looks exactly as it did:

* ``last_alt_ft``: altitude of the last report (vertical crossings need both ends);
* ``visits``: for zones with a dwell time, when the current visit began and whether its
  ``zone.dwell`` was sent;
* ``pending``: zones with hysteresis the track is inside but whose entry does not count yet;
* ``lost_at_ms``: when ``track.lost`` was declared, until the track reports again;
* ``report``: the last accepted report, the ``report`` of a ``track.lost`` event. It is
  context, not identity: two states that differ only in it compare equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.model.events import Boundary
from pipeline.model.track import Source, TrackKind, TrackPoint

_POINT_OPTIONAL = ("icao24", "alt_ft", "speed_kt", "track_deg", "vrate_fpm", "callsign",
                   "squawk", "alert", "emergency", "spi", "on_ground")


@dataclass(frozen=True, slots=True)
class Visit:
    """A visit to a zone with a dwell time: since when, and whether the dwell was reported."""

    zone_id: str
    entered_ms: int
    dwelt: bool = False


@dataclass(frozen=True, slots=True)
class Pending:
    """An entry held back by hysteresis: where and how it happened, how far since inside."""

    zone_id: str
    since_ms: int
    lat_deg: float
    lon_deg: float
    alt_ft: float | None
    via: Boundary | None
    interpolated: bool
    inside_m: float = 0.0


@dataclass(slots=True)
class TrackState:
    """What the geofence remembers of a track: its last accepted report and where it is.

    Treated as immutable (the step builds a new one per report) but not declared frozen:
    a frozen dataclass's ``__init__`` costs ~0.8 us more, a sixth of the per-point budget
    (bench/bench_geofence.py), and one is built for every report.
    """

    last_ts_ms: int
    last_lat_deg: float
    last_lon_deg: float
    inside: tuple[str, ...]
    last_alt_ft: int | None = None
    visits: tuple[Visit, ...] = ()
    pending: tuple[Pending, ...] = ()
    lost_at_ms: int | None = None
    report: TrackPoint | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "last_ts_ms": self.last_ts_ms, "last_lat_deg": self.last_lat_deg,
            "last_lon_deg": self.last_lon_deg, "inside": list(self.inside)}
        if self.last_alt_ft is not None:
            data["last_alt_ft"] = self.last_alt_ft
        if self.visits:
            data["visits"] = [[v.zone_id, v.entered_ms, v.dwelt] for v in self.visits]
        if self.pending:
            data["pending"] = [
                [p.zone_id, p.since_ms, p.lat_deg, p.lon_deg, p.alt_ft,
                 None if p.via is None else p.via.value, p.interpolated, p.inside_m]
                for p in self.pending]
        if self.lost_at_ms is not None:
            data["lost_at_ms"] = self.lost_at_ms
        if self.report is not None:
            data["report"] = point_to_dict(self.report)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> TrackState:
        """Rebuild from :meth:`to_dict` output (the table's stored form).

        Raises:
            ValueError: not a stored track state.
        """
        try:
            return _from_dict(data)
        except (TypeError, ValueError, KeyError, IndexError) as exc:
            raise ValueError(f"not a stored track state: {data!r} ({exc})") from None


def _num(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"not a number: {value!r}")
    return float(value)


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"not an integer: {value!r}")
    return value


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError(f"not a list: {value!r}")
    return value


def _from_dict(data: dict[str, object]) -> TrackState:
    inside = _list(data["inside"])
    if not all(isinstance(z, str) for z in inside):
        raise TypeError("inside holds a non-string")
    alt = data.get("last_alt_ft")
    visits = tuple(Visit(str(v[0]), _int(v[1]), bool(v[2]))
                   for v in (_list(item) for item in _list(data.get("visits", []))))
    pending = tuple(
        Pending(str(p[0]), _int(p[1]), _num(p[2]), _num(p[3]),
                None if p[4] is None else _num(p[4]),
                None if p[5] is None else Boundary(str(p[5])), bool(p[6]), _num(p[7]))
        for p in (_list(item) for item in _list(data.get("pending", []))))
    lost = data.get("lost_at_ms")
    report = data.get("report")
    return TrackState(
        last_ts_ms=_int(data["last_ts_ms"]),
        last_lat_deg=_num(data["last_lat_deg"]),
        last_lon_deg=_num(data["last_lon_deg"]),
        inside=tuple(str(z) for z in inside),
        last_alt_ft=None if alt is None else _int(alt),
        visits=visits,
        pending=pending,
        lost_at_ms=None if lost is None else _int(lost),
        report=point_from_dict(report) if isinstance(report, dict) else None,
    )


def point_to_dict(point: TrackPoint) -> dict[str, object]:
    data: dict[str, object] = {
        "track_id": point.track_id, "kind": point.kind.value, "source": point.source.value,
        "ts_ms": point.ts_ms, "lat_deg": point.lat_deg, "lon_deg": point.lon_deg}
    for name in _POINT_OPTIONAL:
        value = getattr(point, name)
        if value is not None:
            data[name] = value
    return data


def point_from_dict(data: dict[str, object]) -> TrackPoint:
    optional = {name: data[name] for name in _POINT_OPTIONAL if data.get(name) is not None}
    return TrackPoint(track_id=str(data["track_id"]), kind=TrackKind(str(data["kind"])),
                      source=Source(str(data["source"])), ts_ms=_int(data["ts_ms"]),
                      lat_deg=_num(data["lat_deg"]), lon_deg=_num(data["lon_deg"]),
                      **optional)  # type: ignore[arg-type]
