"""Issue 6, no loss: a worker SIGKILLed at random points, ten times in a row, loses nothing.

The bundled recordings are replayed into ``adsb.sbs`` at their own pace (about 50 s) while a
worker is killed with SIGKILL at random moments and restarted at once; the last one runs to
the end. SIGKILL gives the worker no chance to flush, commit or leave its group, so whatever
it produced after its last commit is produced again by its successor. The union of the
outputs must then equal the uninterrupted reference run (``reference_runs.py``): the same
set of identities, none missing, none extra, and every duplicate identical to its original.

The kill moments come from a seeded RNG: the seed is printed and every failure names it;
``ADIZWATCH_TEST_KILL_SEED=N`` replays the same schedule (the broker's timing still varies).
Half the kills land in the start-up (group join, state recovery), the others in the first
seconds after the track runtime logged "partitions assigned" (ready): while the worker works
off the backlog that built up since the last kill, or keeps up with the live feed.
"""

from __future__ import annotations

import os
import random
import time
from concurrent.futures import ThreadPoolExecutor

from tests.integration.conftest import Deployment, Workers
from tests.integration.reference_runs import (
    Outputs,
    assert_same_outputs,
    collect,
    replay_feeds,
    speed_for,
    wait_caught_up,
)

KILLS = 10
REPLAY_S = 50.0
IN_START = 5
"""Kills during the start-up (group join, state recovery); the others come after it, in an
order drawn from the RNG. A fixed mix covers both every time and bounds the test's duration:
a worker killed once ready holds up its successor's start by 12-16 s here (it stays in the
group until its 6 s session expires, then the group rebalances once more), one killed in its
start-up by about 6 s."""
IN_START_S = (0.5, 5.0)
"""From a worker's start."""
AFTER_READY_S = (0.0, 2.5)
"""From ready ("partitions assigned"): first the backlog that built up while no worker ran
(about a second of processing), then the live feed."""
SEED_VARIABLE = "ADIZWATCH_TEST_KILL_SEED"


def _seed() -> int:
    given = os.environ.get(SEED_VARIABLE, "")
    if not given:
        return random.SystemRandom().randrange(2**32)
    assert given.isdigit(), f"{SEED_VARIABLE}={given!r}: expected a non-negative integer"
    return int(given)


def test_sigkilled_worker_restarted_ten_times_loses_nothing(
        deployment: Deployment, workers: Workers, reference_outputs: Outputs) -> None:
    seed = _seed()
    rng = random.Random(seed)
    print(f"kill schedule: {SEED_VARIABLE}={seed}")
    schedule = [f"{SEED_VARIABLE}={seed}"]
    started = time.monotonic()
    with ThreadPoolExecutor(1) as pool:
        worker = workers.start()
        replaying = pool.submit(replay_feeds, deployment, speed_for(REPLAY_S))
        phases = [True] * IN_START + [False] * (KILLS - IN_START)
        rng.shuffle(phases)
        for n, in_start in enumerate(phases, start=1):
            delay_s = rng.uniform(*(IN_START_S if in_start else AFTER_READY_S))
            if not in_start:
                workers.wait_ready(worker)
            time.sleep(delay_s)
            assert worker.poll() is None, (f"worker {n} exited by itself with "
                                           f"{worker.returncode}\n{workers.log_text()}")
            moment = (f"{delay_s:3.1f} s after its start" if in_start
                      else f"{delay_s:3.1f} s after ready")
            phase = "processing" if workers.is_ready(worker) else "starting"
            feed = "replay running" if not replaying.done() else "replay over"
            assert workers.kill(worker) == -9
            schedule.append(f"kill {n:2}: {moment} ({phase}, {feed}, "
                            f"t={time.monotonic() - started:5.1f} s)")
            print(schedule[-1])
            worker = workers.start()
        sent = replaying.result()
    workers.wait_ready(worker)  # the last one must finish the job (and take a clean stop)
    wait_caught_up(deployment, workers)
    assert worker.poll() is None, workers.log_text()
    assert workers.stop(worker) == 0, workers.log_text()
    print(f"replayed {sent} records; all committed at t={time.monotonic() - started:.1f} s")
    assert_same_outputs(reference_outputs, collect(deployment), duplicates_allowed=True,
                        context="\n".join(schedule))
