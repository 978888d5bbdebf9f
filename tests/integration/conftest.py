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

import pytest

from pipeline.demo import bundled_flightplans, bundled_watchlists
from pipeline.transport.broker import EmbeddedBroker
from pipeline.transport.progress import pipeline_lag
from pipeline.transport.tansu_compat import apply_tansu_workarounds

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
                                            self.prefix,
                                            self.group_id, self.partitions))


class Workers:
    """Starts and stops worker processes of one deployment; kills leftovers at teardown."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, without: tuple[str, ...] = ()) -> subprocess.Popen[bytes]:
        """Start a worker; ``without`` names environment variables to leave unset."""
        n = len(self.started)
        log = (self.deployment.log_dir / f"worker-{n}.log").open("wb")
        env = {k: v for k, v in self.deployment.env().items() if k not in without}
        process = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "run", "--embedded-broker"],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
        log.close()
        self.started.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes], timeout_s: float = 60.0) -> int:
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout_s)

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-4000:]
                         for p in sorted(self.deployment.log_dir.glob("worker-*.log")))

    def close(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.fixture
def deployment(broker: EmbeddedBroker, tmp_path: Path) -> Deployment:
    tag = uuid.uuid4().hex[:8]
    return Deployment(broker.bootstrap_servers, f"t{tag}.", f"adizwatch-{tag}", 4, tmp_path)


@pytest.fixture
def workers(deployment: Deployment) -> Iterator[Workers]:
    pool = Workers(deployment)
    try:
        yield pool
    finally:
        pool.close()
