"""Invariants of the geofence step on arbitrary tracks (hypothesis).

* Per (track, zone), entries and exits alternate, starting with an entry; dwell and lost
  happen only while inside; regained follows lost.
* Replaying any prefix of a track again (a restarted consumer, a duplicated batch) changes
  nothing: no event, the same state.
* The state survives its stored form (JSON through the faust table) between any two steps.
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.geofence.state import TrackState
from pipeline.geofence.tracker import step
from pipeline.model.events import Transition, ZoneEvent
from pipeline.model.track import TrackPoint
from tests.strategies import PROPERTY_ZONES, tracks


def _run(points: list[TrackPoint], state: TrackState | None = None,
         through_json: bool = False) -> tuple[TrackState | None, list[ZoneEvent]]:
    events: list[ZoneEvent] = []
    for point in points:
        if through_json and state is not None:
            state = TrackState.from_dict(json.loads(json.dumps(state.to_dict())))
        result = step(state, point, PROPERTY_ZONES)
        state = result.state
        events.extend(result.events)
    return state, events


@settings(max_examples=300, deadline=None)
@given(tracks())
def test_entries_and_exits_alternate_per_zone(points: list[TrackPoint]) -> None:
    _, events = _run(points)
    inside: dict[str, bool] = {}
    lost: set[str] = set()
    for event in events:
        zone = event.zone_id
        now_in = inside.get(zone, False)
        if event.transition is Transition.ENTRY:
            assert not now_in, events
            inside[zone] = True
        elif event.transition is Transition.EXIT:
            assert now_in, events
            inside[zone] = False
        elif event.transition in (Transition.DWELL, Transition.LOST):
            assert now_in, events
            if event.transition is Transition.LOST:
                assert zone not in lost
                lost.add(zone)
        else:
            assert zone in lost, events
            lost.discard(zone)


@settings(max_examples=300, deadline=None)
@given(tracks(), st.data())
def test_replaying_a_prefix_changes_nothing(points: list[TrackPoint], data: st.DataObject
                                            ) -> None:
    cut = data.draw(st.integers(0, len(points)))
    state, _ = _run(points[:cut])
    again, events = _run(points[:cut], state)
    assert events == []
    assert again == state
    if state is not None and again is not None:
        assert again.to_dict() == state.to_dict()
    # ... and the rest of the track then goes on exactly as without the replay.
    assert _run(points[cut:], again)[1] == _run(points[cut:], state)[1]


@settings(max_examples=200, deadline=None)
@given(tracks())
def test_the_stored_form_between_steps_changes_nothing(points: list[TrackPoint]) -> None:
    plain_state, plain = _run(points)
    stored_state, stored = _run(points, through_json=True)
    assert stored == plain
    assert stored_state == plain_state
