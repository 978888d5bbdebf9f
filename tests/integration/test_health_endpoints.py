"""A real worker on the embedded broker answers /healthz, /readyz and /metrics on one port:
alive from the start, ready once it runs, and the metrics of docs/operating.md exported."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

from tests.integration.conftest import Deployment, Workers
from tests.integration.kafka_io import wait_until


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, str] | None:
    """Status and body; None while nothing listens yet."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except urllib.error.URLError:
        return None


def test_probes_and_metrics_of_a_running_worker(deployment: Deployment,
                                                workers: Workers) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    deployment.extra_env["ADIZWATCH_METRICS_PORT"] = str(port)
    worker = workers.start()
    answers: list[tuple[int, str]] = []

    def ready() -> bool:
        answer = _get(f"{base}/readyz")
        if answer is not None and answer not in answers:
            answers.append(answer)
        return answer is not None and answer[0] == 200

    wait_until(ready, 120, "the worker's /readyz to answer 200", workers.log_text)
    # Not ready until the track runtime has its partitions and their state, then ready.
    *before, last = answers
    assert all(status == 503 and body.startswith("not ready: ") for status, body in before)
    assert last[0] == 200 and last[1].startswith("ready: running ("), answers
    assert _get(f"{base}/healthz") == (200, "ok\n")
    status, text = _get(f"{base}/metrics") or (0, "")
    assert status == 200
    lines = text.splitlines()
    assert 'adizwatch_events_total{type="zone.entry"} 0.0' in lines
    assert any(line.startswith('adizwatch_batch_size_count ') for line in lines)
    assert worker.poll() is None, workers.log_text()
    assert workers.stop(worker) == 0, workers.log_text()
