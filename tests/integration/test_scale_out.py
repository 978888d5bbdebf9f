"""Issue 6, scale-out: two workers produce what one does; members leaving or joining lose nothing.

Both tests use 4-partition topics and compare with the one-worker reference run
(``reference_runs.py``). Two workers in one group, both ready before the feed, split the
partitions and must produce exactly the reference: no rebalance happens during the feed, so
there is no reason for a duplicate. When a worker leaves (SIGTERM) and another joins while the
feed is being replayed, each rebalance may repeat the work since the last commit, so identical
duplicates are allowed; nothing may be missing, extra or different.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from tests.integration import reference_runs as runs
from tests.integration.conftest import Deployment, Workers

REPLAY_S = 36.0
LEAVE_AT_S = 12.0  # a third into the feed
JOIN_AT_S = 24.0  # two thirds into the feed


def test_two_workers_produce_the_outputs_of_one(
        deployment: Deployment, workers: Workers, reference_outputs: runs.Outputs) -> None:
    pair = [workers.start(), workers.start()]
    for worker in pair:
        workers.wait_ready(worker)
    runs.replay_feeds(deployment, None)
    runs.wait_caught_up(deployment, workers)
    for worker in pair:
        assert worker.poll() is None, workers.log_text()
    for worker in pair:
        assert workers.stop(worker) == 0, workers.log_text()
    runs.assert_same_outputs(reference_outputs, runs.collect(deployment), duplicates_allowed=False)


def test_worker_leaving_and_another_joining_mid_feed_lose_nothing(
        deployment: Deployment, workers: Workers, reference_outputs: runs.Outputs) -> None:
    leaving, staying = workers.start(), workers.start()
    for worker in (leaving, staying):
        workers.wait_ready(worker)
    with ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        replaying = pool.submit(runs.replay_feeds, deployment, runs.speed_for(REPLAY_S))
        time.sleep(LEAVE_AT_S)
        assert not replaying.done(), "the feed ended before the worker left: not mid-feed"
        assert workers.stop(leaving) == 0, workers.log_text()
        time.sleep(max(0.0, JOIN_AT_S - (time.monotonic() - started)))
        assert not replaying.done(), "the feed ended before the worker joined: not mid-feed"
        joining = workers.start()
        replaying.result()
    runs.wait_caught_up(deployment, workers)
    for worker in (staying, joining):
        assert worker.poll() is None, workers.log_text()
        assert workers.stop(worker) == 0, workers.log_text()
    runs.assert_same_outputs(reference_outputs, runs.collect(deployment),
                             duplicates_allowed=True)
