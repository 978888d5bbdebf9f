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
    assert assess(9_000, None, NOW - 1_000, NOW, previous_lag=7_000) == Health(
        HealthStatus.LAGGING, "9000 input records behind", 9_000)
    assert assess(50, None, NOW - 45_000, NOW) == Health(
        HealthStatus.STALLED,
        "50 input records waiting, no output for 45 s: is a worker running?", 50)
    assert assess(50, "KafkaConnectionError: refused", NOW, NOW) == Health(
        HealthStatus.DOWN, "broker unreachable: KafkaConnectionError: refused", 50)


def test_one_probe_over_the_threshold_is_a_burst_not_a_backlog() -> None:
    # A burst the worker has processed still counts until its next commit: the first probe
    # that sees it over the threshold says OK, the next one decides.
    burst = assess(6_000, None, NOW - 1_000, NOW, previous_lag=0)
    assert burst == Health(HealthStatus.OK, "processing, 6000 input records behind", 6_000)
    assert assess(6_000, None, NOW - 1_000, NOW, previous_lag=None).status is HealthStatus.OK
    assert assess(0, None, NOW, NOW, previous_lag=6_000).status is HealthStatus.OK
    assert assess(5_001, None, NOW, NOW, previous_lag=5_001).status is HealthStatus.LAGGING
    assert assess(5_000, None, NOW, NOW, previous_lag=9_000).status is HealthStatus.OK
    # Stalled and down do not wait for a second probe.
    assert assess(6_000, None, NOW - 45_000, NOW, previous_lag=None).status \
        is HealthStatus.STALLED
    assert assess(6_000, "KafkaTimeoutError", NOW, NOW, previous_lag=None).status \
        is HealthStatus.DOWN


def test_json() -> None:
    assert assess(0, None, NOW, NOW).as_json() == {
        "status": "ok", "detail": "pipeline caught up", "lag": 0}
