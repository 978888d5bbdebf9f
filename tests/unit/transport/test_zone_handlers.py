"""zones.config records: the change log, dead letters, and each worker's registry."""

from __future__ import annotations

import orjson
import pytest

from pipeline.geofence.zone_config import ZoneAction, ZoneRegistry
from pipeline.geofence.zones import default_zone_dir, load_zone_files
from pipeline.transport.handlers import Handled, RecordMeta
from pipeline.transport.topics import DEADLETTER, ZONES_CHANGES
from pipeline.transport.zone_handlers import apply_record, handle_zone_config
from tests.schema_check import assert_valid

NOW = 1_764_000_000_000
META = RecordMeta(topic="zones.config", partition=1, offset=7, timestamp_ms=NOW - 10)


def _watch(zone_id: str = "watch-1", **props: object) -> bytes:
    return orjson.dumps({
        "type": "Feature",
        "properties": {"id": zone_id, "name": "Watch 1", "kind": "watch", **props},
        "geometry": {"type": "Polygon",
                     "coordinates": [[[-120, 30], [-118, 30], [-118, 32], [-120, 32], [-120, 30]]]},
    })


BOWTIE = orjson.dumps({
    "type": "Feature", "properties": {"id": "watch-1"},
    "geometry": {"type": "Polygon",
                 "coordinates": [[[-120, 30], [-118, 32], [-118, 30], [-120, 32], [-120, 30]]]},
})


def _outputs(handled: Handled) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    for output in handled.outputs:
        value = orjson.loads(output.value)
        topic = output.topic.name
        assert_valid(topic, value)
        out.setdefault(topic, []).append(value)
    return out


def test_change_log_follows_a_zone_through_its_life() -> None:
    stored = None
    actions = []
    for value in (_watch(), _watch(), _watch(floor_ft=0, ceiling_ft=18000), None, None):
        handled = handle_zone_config(value, b"watch-1", META, stored, NOW)
        stored = handled.state if handled.state is not None else stored
        (change,) = _outputs(handled)[ZONES_CHANGES.name]
        actions.append(change["action"])
    assert actions == ["added", "unchanged", "updated", "deleted", "absent"]


def test_added_change_describes_the_zone() -> None:
    handled = handle_zone_config(_watch(dwell_s=600), b"watch-1", META, None, NOW)
    (change,) = _outputs(handled)[ZONES_CHANGES.name]
    zone = change["zone"]
    assert isinstance(zone, dict)
    assert (change["zone_id"], change["previous_version"], change["offset"]) == ("watch-1", None, 7)
    assert (zone["kind"], zone["dwell_s"], zone["applies_to"]) == ("watch", 600.0, "both")
    assert 40_000 < float(zone["area_km2"]) < 45_000  # 2 x 2 degrees at 31N


def test_invalid_record_is_dead_lettered_and_the_previous_version_stays() -> None:
    first = handle_zone_config(_watch(), b"watch-1", META, None, NOW)
    handled = handle_zone_config(BOWTIE, b"watch-1", META, first.state, NOW)
    assert handled.state is None  # the version in force is unchanged
    out = _outputs(handled)
    (letter,) = out[DEADLETTER.name]
    (change,) = out[ZONES_CHANGES.name]
    assert (letter["reason"], letter["stage"], letter["offset"]) == (
        "zone_self_intersection", "zones.config", 7)
    previous = orjson.loads(first.state or b"{}")["version"]
    assert f"the previous version ({previous}) stays in force" in str(letter["detail"])
    assert letter["payload"] == BOWTIE.decode()
    assert (change["action"], change["previous_version"], change["reason"]) == (
        "rejected", previous, "zone_self_intersection")


@pytest.mark.parametrize(("key", "value", "reason"), [
    (None, _watch(), "zone_missing_id"),
    (b"other-id", _watch(), "zone_key_mismatch"),
    (b"watch-1", b"{not json", "zone_unreadable"),
    (b"watch-1", b"[]", "zone_not_a_feature"),
    (b"watch-1", _watch(floor_ft=9000, ceiling_ft=100), "zone_bad_property"),
])
def test_bad_records_have_their_reason(key: bytes | None, value: bytes, reason: str) -> None:
    handled = handle_zone_config(value, key, META, None, NOW)
    assert (handled.outcome, handled.reason) == ("deadletter", reason)
    assert _outputs(handled)[DEADLETTER.name][0]["reason"] == reason


def test_registry_applies_records_like_every_worker() -> None:
    base = load_zone_files([default_zone_dir()])
    registry = ZoneRegistry(base.zones)
    assert len(registry.zones) == 6
    change = apply_record(registry, b"watch-1", _watch(), META)
    assert change is not None and change.action is ZoneAction.ADDED
    assert [z.zone_id for z in registry.zones.containing(31.0, -119.0)] == ["watch-1"]
    # Invalid: skipped, the zone stays as it was.
    assert apply_record(registry, b"watch-1", BOWTIE, META) is None
    assert [z.zone_id for z in registry.zones.containing(31.0, -119.0)] == ["watch-1"]
    # A file zone can be replaced or deleted by id too.
    change = apply_record(registry, b"us-hawaii-adiz", None, META)
    assert change is not None and change.action is ZoneAction.DELETED
    assert "us-hawaii-adiz" not in registry.zones.by_id
    assert registry.version == 2
    assert apply_record(registry, b"watch-1", _watch(), META) is not None
    assert registry.version == 2  # the same feature again changes nothing
