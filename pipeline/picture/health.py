"""The pipeline's health as the picture shows it, judged from what a reader can observe.

Two observations, taken every few seconds by the service: the worker group's lag (records
of the topics the workers consume that the group has not committed yet, via
:func:`pipeline.transport.progress.lagging_partitions`) and the wall time since the last
record arrived on an output topic. :func:`assess` turns them into one of five states:

=========  ==========================================================================
starting   no lag measured yet
ok         caught up (lag 0), or behind but producing output
lagging    over ``LAGGING_RECORDS`` behind on two probes in a row, output flowing
stalled    behind and no output for ``STALLED_AFTER_MS``: is a worker running?
down       the broker did not answer the last probe
=========  ==========================================================================

One probe over ``LAGGING_RECORDS`` is not enough to call the pipeline lagging. The lag counts
records the group has not *committed*, and a worker commits what it processed every couple of
seconds (``runtime.COMMIT_INTERVAL_S``): a burst of a few thousand records that the worker has
already turned into alerts still counts in full until that commit. Probes are further apart
than a commit interval, so a backlog that is still over the threshold on the next probe is one
the workers are not working off. (Like a Prometheus alert's ``for:`` clause.)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

LAGGING_RECORDS = 5_000
"""Behind by more than this many input records: several seconds of a busy feed."""

STALLED_AFTER_MS = 30_000
"""No output for this long while input waits: longer than a worker's rebalance (~6 s on the
embedded broker, seconds to tens of seconds on Kafka)."""


class HealthStatus(StrEnum):
    STARTING = "starting"
    OK = "ok"
    LAGGING = "lagging"
    STALLED = "stalled"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class Health:
    status: HealthStatus
    detail: str
    lag: int | None = None

    def as_json(self) -> dict[str, object]:
        return {"status": self.status.value, "detail": self.detail, "lag": self.lag}


def assess(lag: int | None, probe_error: str | None, last_activity_ms: int,
           now_ms: int, previous_lag: int | None = None) -> Health:
    """Judge the pipeline from the latest lag probe and the latest output.

    Args:
        lag: records the worker group has yet to commit on its input topics; None when
            never measured.
        probe_error: why the latest probe failed, or None when it succeeded.
        last_activity_ms: wall time the last output record arrived, or the picture started
            if later (so a fresh picture is not called stalled at once).
        now_ms: wall time now.
        previous_lag: the lag of the probe before, or None when there was none.
    """
    if probe_error is not None:
        return Health(HealthStatus.DOWN, f"broker unreachable: {probe_error}", lag)
    if lag is None:
        return Health(HealthStatus.STARTING, "waiting for the first measurement")
    if lag == 0:
        return Health(HealthStatus.OK, "pipeline caught up", 0)
    quiet_ms = now_ms - last_activity_ms
    if quiet_ms > STALLED_AFTER_MS:
        return Health(HealthStatus.STALLED,
                      f"{lag} input records waiting, no output for {quiet_ms // 1000} s: "
                      "is a worker running?", lag)
    if lag > LAGGING_RECORDS and previous_lag is not None and previous_lag > LAGGING_RECORDS:
        return Health(HealthStatus.LAGGING, f"{lag} input records behind", lag)
    return Health(HealthStatus.OK, f"processing, {lag} input records behind", lag)
