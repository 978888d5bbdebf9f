"""Liveness by the age of the last beat, readiness by what the runtime said, and the three
routes of the one HTTP server, on a real server on a free port."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from pipeline.health import Health, Verdict
from pipeline.metrics import Metrics


class FakeClock:
    """Monotonic seconds that move only when told to."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_alive_while_the_last_beat_is_younger_than_the_window() -> None:
    clock = FakeClock()
    health = Health(liveness_window_s=30, clock=clock)
    health.beat()
    clock.now += 29.9
    assert health.liveness() == Verdict(True, "ok")
    clock.now += 0.1
    assert health.liveness() == Verdict(False, "last beat 30.0 s ago (liveness window 30 s)")
    health.beat()
    assert health.liveness() == Verdict(True, "ok")


def test_alive_without_a_beat_only_during_the_start_up_grace() -> None:
    clock = FakeClock()
    health = Health(liveness_window_s=30, startup_grace_s=300, clock=clock)
    clock.now += 120
    assert health.liveness() == Verdict(True, "ok: starting, no beat yet (120.0 s since start)")
    clock.now += 180
    assert health.liveness() == Verdict(
        False, "no beat in 300.0 s since start (start-up grace 300 s)")


def test_readiness_says_why() -> None:
    health = Health()
    assert health.readiness() == Verdict(False, "not ready: starting")
    health.set_ready(True, "running")
    assert health.readiness() == Verdict(True, "ready: running")
    health.set_ready(False, "stopping")
    assert health.readiness() == Verdict(False, "not ready: stopping")


def test_a_window_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Health(liveness_window_s=0)


def _get(url: str) -> tuple[int, str, str]:
    """Status, content type and body; HTTP errors are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode()


@pytest.fixture
def served() -> Iterator[tuple[str, Health, FakeClock, Metrics]]:
    clock = FakeClock()
    health = Health(liveness_window_s=30, clock=clock)
    metrics = Metrics()
    port = metrics.serve(0, health, addr="127.0.0.1")
    yield f"http://127.0.0.1:{port}", health, clock, metrics
    metrics.close()


def test_routes_of_one_server(served: tuple[str, Health, FakeClock, Metrics]) -> None:
    base, health, clock, metrics = served
    text = "text/plain; charset=utf-8"
    health.beat()
    metrics.count_event("zone.exit")

    assert _get(f"{base}/healthz") == (200, text, "ok\n")
    assert _get(f"{base}/readyz") == (503, text, "not ready: starting\n")
    health.set_ready(True, "running")
    assert _get(f"{base}/readyz?verbose=1") == (200, text, "ready: running\n")
    clock.now += 45
    assert _get(f"{base}/healthz") == (
        503, text, "last beat 45.0 s ago (liveness window 30 s)\n")

    status, content_type, body = _get(f"{base}/metrics")
    assert (status, content_type) == (200, "text/plain; version=0.0.4; charset=utf-8")
    assert 'adizwatch_events_total{type="zone.exit"} 1.0' in body.splitlines()

    assert _get(f"{base}/") == (404, text, "not found: try /metrics, /healthz or /readyz\n")


def test_openmetrics_when_the_scraper_asks_for_it(
        served: tuple[str, Health, FakeClock, Metrics]) -> None:
    base = served[0]
    request = urllib.request.Request(f"{base}/metrics", headers={
        "Accept": "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"})
    with urllib.request.urlopen(request, timeout=10) as response:
        content_type = response.headers["Content-Type"]
        body = response.read().decode()
    assert content_type.startswith("application/openmetrics-text; version=1.0.0")
    assert body.endswith("# EOF\n")


def test_no_health_tracking_is_404_and_metrics_still_served() -> None:
    metrics = Metrics()
    port = metrics.serve(0, addr="127.0.0.1")
    try:
        base = f"http://127.0.0.1:{port}"
        assert _get(f"{base}/healthz")[0::2] == (404, "no health tracking in this process\n")
        assert _get(f"{base}/readyz")[0] == 404
        assert _get(f"{base}/metrics")[0] == 200
    finally:
        metrics.close()
