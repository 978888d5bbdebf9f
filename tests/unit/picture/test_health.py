"""The pipeline's health from the worker group's lag and the age of the last output."""

from __future__ import annotations

from pipeline.picture.health import Health, HealthStatus, assess

NOW = 1_000_000


def test_states() -> None:
    assert assess(None, None, NOW, NOW) == Health(HealthStatus.STARTING,
                                                  "waiting for the first measurement")
    assert assess(0, None, NOW - 600_000, NOW) == Health(HealthStatus.OK,
                                                         "pipeline caught up", 0)
    assert assess(120, None, NOW - 1_000, NOW) == Health(
        HealthStatus.OK, "processing, 120 input records behind", 120)
    assert assess(9_000, None, NOW - 1_000, NOW) == Health(
        HealthStatus.LAGGING, "9000 input records behind", 9_000)
    assert assess(50, None, NOW - 45_000, NOW) == Health(
        HealthStatus.STALLED,
        "50 input records waiting, no output for 45 s: is a worker running?", 50)
    assert assess(50, "KafkaConnectionError: refused", NOW, NOW) == Health(
        HealthStatus.DOWN, "broker unreachable: KafkaConnectionError: refused", 50)


def test_json() -> None:
    assert assess(0, None, NOW, NOW).as_json() == {
        "status": "ok", "detail": "pipeline caught up", "lag": 0}
