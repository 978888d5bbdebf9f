"""Held reports: per track in event-time order, identical ones once, handed out when due."""

from __future__ import annotations

from pipeline.eventtime.pending import Held, HeldReports, hold
from pipeline.model.track import Source, TrackKind, TrackUpdate
from pipeline.transport import codec

T = 1_700_000_000_000


def _update(track: str, ts: int, lat: float | None = 1.0, callsign: str | None = None,
            ) -> tuple[bytes, TrackUpdate]:
    update = TrackUpdate(track, TrackKind.AIRCRAFT, Source.SBS, ts,
                         lat_deg=lat, lon_deg=None if lat is None else 2.0, callsign=callsign)
    return codec.encode_update(update), update


def test_reports_are_kept_in_time_order_and_held_once() -> None:
    held: HeldReports | None = None
    for ts in (T + 3, T + 1, T + 2, T + 1):
        held = hold(held, *_update("icao24:aaaaaa", ts), codec.encode_update)
    assert held is not None
    assert [ts for ts, _, _ in held] == [T + 1, T + 2, T + 3]


def test_at_one_instant_what_has_no_position_goes_first() -> None:
    position = _update("icao24:aaaaaa", T)
    callsign = _update("icao24:aaaaaa", T, lat=None, callsign="RCH123")
    for first, second in ((position, callsign), (callsign, position)):
        held = hold(hold(None, *first, codec.encode_update), *second, codec.encode_update)
        assert [u.callsign for _, _, u in held] == ["RCH123", None]


def test_due_reports_come_out_track_by_track_in_time_order() -> None:
    table: dict[bytes, HeldReports] = {}
    index = Held()
    for track, ts in (("icao24:bbbbbb", T + 5), ("icao24:aaaaaa", T + 7),
                      ("icao24:aaaaaa", T + 2), ("icao24:bbbbbb", T + 9)):
        key = track.encode()
        table[key] = hold(table.get(key), *_update(track, ts), codec.encode_update)
        index.note(key, ts)
    due = index.due(table, T + 7)
    assert [(u.ts_ms, key) for key, u in due] == [
        (T + 2, b"icao24:aaaaaa"), (T + 7, b"icao24:aaaaaa"), (T + 5, b"icao24:bbbbbb")]
    assert list(table) == [b"icao24:bbbbbb"] and len(index) == 1
    # Rebuilt after a restart, the index finds the same.
    assert [u.ts_ms for _, u in Held.rebuild(table).due(table, T + 100)] == [T + 9]
    assert table == {}


def test_the_encoding_is_made_only_for_a_tie() -> None:
    calls: list[TrackUpdate] = []

    def encode(update: TrackUpdate) -> bytes:
        calls.append(update)
        return codec.encode_update(update)

    _, a = _update("icao24:aaaaaa", T)
    _, b = _update("icao24:aaaaaa", T + 1)
    held = hold(hold(None, None, a, encode), None, b, encode)
    assert calls == [] and [r for _, r, _ in held] == [None, None]
    _, c = _update("icao24:aaaaaa", T + 1, lat=3.0)
    held = hold(held, None, c, encode)
    assert len(calls) == 3 and [u.ts_ms for _, _, u in held] == [T, T + 1, T + 1]


def test_held_reports_round_trip_through_their_store() -> None:
    from pipeline.model.track import AddressType
    from pipeline.transport.topics import TRACK_UPDATES
    from pipeline.transport.track_path import HELD_REPORTS, held_encoding, new_stores

    store = new_stores(TRACK_UPDATES, 0)[HELD_REPORTS]
    updates = [TrackUpdate("icao24:aaaaaa", TrackKind.AIRCRAFT, Source.SBS, T + i,
                           lat_deg=1.5, lon_deg=-2.25, alt_ft=31000, speed_kt=450,
                           address_type=AddressType.ICAO, callsign="RCH123")
               for i in (2, 1)]
    held = None
    for update in updates:
        held = hold(held, None, update, held_encoding)
    assert held is not None
    back = store.load_value(store.dump(held))
    assert [u for _, _, u in back] == sorted(updates, key=lambda u: u.ts_ms)
    assert type(back[0][2].speed_kt) is int and back[0][2].address_type is AddressType.ICAO
