"""Integration fixtures: a real Kafka-protocol broker (Tansu) and pipeline workers.

The broker is started once per session on a free loopback port. If it cannot start, the
fixture fails with the broker's log: these tests never skip. Each test uses its own topic
prefix and consumer group, so tests do not see each other's records.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pipeline.demo import bundled_flightplans, bundled_watchlists
from pipeline.transport.broker import EmbeddedBroker
from pipeline.transport.progress import pipeline_lag
from pipeline.transport.tansu_compat import apply_tansu_workarounds
from tests.integration.kafka_io import wait_until

if TYPE_CHECKING:
    from tests.integration.reference_runs import Outputs

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    apply_tansu_workarounds()  # this process's own clients talk to Tansu too
    log_path = tmp_path_factory.mktemp("broker") / "tansu.log"
    embedded = EmbeddedBroker(log_path=log_path)
    embedded.start()  # raises BrokerStartError with the log tail: the test fails
    try:
        yield embedded
    finally:
        embedded.stop()


@dataclass
class Deployment:
    """One isolated pipeline deployment on the shared broker: its prefix and group."""

    bootstrap_servers: str
    prefix: str
    group_id: str
    partitions: int
    log_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return dict(os.environ,
                    ADIZWATCH_BOOTSTRAP_SERVERS=self.bootstrap_servers,
                    ADIZWATCH_TOPIC_PREFIX=self.prefix,
                    ADIZWATCH_GROUP_ID=self.group_id,
                    ADIZWATCH_PARTITIONS=str(self.partitions),
                    ADIZWATCH_WATCHLISTS=",".join(map(str, bundled_watchlists())),
                    ADIZWATCH_FLIGHTPLANS=",".join(map(str, bundled_flightplans())),
                    # No fixed port: workers of concurrent test runs would collide on it.
                    ADIZWATCH_METRICS_PORT="0",
                    PYTHONPATH=str(REPO)) | self.extra_env

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``adizwatch ARGS`` against this deployment; fails the test on a non-zero exit."""
        done = subprocess.run([sys.executable, "-m", "pipeline", *args], env=self.env(),
                              cwd=REPO, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done

    def topic(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def caught_up(self) -> bool:
        """Have the workers processed every record of every topic they consume?"""
        return not asyncio.run(pipeline_lag({"bootstrap_servers": [self.bootstrap_servers]},
                                            self.prefix, self.group_id))


class Workers:
    """Starts and stops worker processes of one deployment; kills leftovers at teardown."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self.started: list[subprocess.Popen[bytes]] = []
        self._logs: dict[int, Path] = {}

    def start(self, without: tuple[str, ...] = ()) -> subprocess.Popen[bytes]:
        """Start a worker; ``without`` names environment variables to leave unset."""
        n = len(self.started)
        log_path = self.deployment.log_dir / f"worker-{n}.log"
        log = log_path.open("wb")
        env = {k: v for k, v in self.deployment.env().items() if k not in without}
        process = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "run", "--embedded-broker"],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
        log.close()
        self.started.append(process)
        self._logs[process.pid] = log_path
        return process

    def stop(self, process: subprocess.Popen[bytes], timeout_s: float = 60.0) -> int:
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout_s)

    def kill(self, process: subprocess.Popen[bytes]) -> int:
        """SIGKILL: no clean-up, no LeaveGroup. The member stays in its consumer group until
        its session expires (6 s with the embedded settings), so a replacement joins later."""
        process.send_signal(signal.SIGKILL)
        return process.wait(10)

    def is_ready(self, process: subprocess.Popen[bytes]) -> bool:
        """Has the worker's track runtime got its partitions and their state?"""
        return b"partitions assigned" in self._logs[process.pid].read_bytes()

    def wait_ready(self, process: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
        """Wait for :meth:`is_ready`; fails with the logs if the worker exits first."""
        wait_until(lambda: process.poll() is not None or self.is_ready(process), timeout_s,
                   "the worker to be ready", self.log_text)
        assert process.poll() is None, (f"worker exited with {process.returncode} before it "
                                        f"was ready\n{self.log_text()}")

    def log_text(self) -> str:
        """The tail of each worker's log, in start order."""
        return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}"
                         for path in self._logs.values())

    def close(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait()


def new_deployment(bootstrap_servers: str, log_dir: Path) -> Deployment:
    tag = uuid.uuid4().hex[:8]
    return Deployment(bootstrap_servers, f"t{tag}.", f"adizwatch-{tag}", 4, log_dir)


@pytest.fixture
def deployment(broker: EmbeddedBroker, tmp_path: Path) -> Deployment:
    return new_deployment(broker.bootstrap_servers, tmp_path)


@pytest.fixture(scope="session")
def reference_outputs(broker: EmbeddedBroker,
                      tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    """The no-loss tests' input through one worker of its own deployment, uninterrupted."""
    # Imported here: reference_runs imports test_pipeline, which imports this module.
    from tests.integration.reference_runs import run_reference

    reference = new_deployment(broker.bootstrap_servers, tmp_path_factory.mktemp("reference"))
    pool = Workers(reference)
    try:
        return run_reference(reference, pool)
    finally:
        pool.close()


@pytest.fixture
def workers(deployment: Deployment) -> Iterator[Workers]:
    pool = Workers(deployment)
    try:
        yield pool
    finally:
        pool.close()
