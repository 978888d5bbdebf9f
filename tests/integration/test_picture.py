"""The watch-floor picture end to end, in a real headless browser.

The real broker (fixture), a real worker, the picture server as its own process
(``adizwatch picture``), the seed scenario replayed into ``adsb.sbs`` in two halves, and
Debian's chromium driven by Playwright. Checked: the zones (the Alaska ADIZ as one outline
across 180 degrees), the tracks with the symbols of their standard identities, the Bering
Sea continuous across the antimeridian, the alerts newest first with an emergency squawk
highlighted, live updates on an open page, a page opened late starting with the current
picture, and a click on an alert centring the map on its track. Screenshots go to the
test's output directory; with ``ADIZWATCH_PICTURE_SCREENSHOT=docs/picture.png`` (``make
screenshot``) the first one is also written there for the README.

Without ``/usr/bin/chromium`` the test fails: it never skips.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from pipeline.demo import bundled_feeds
from tests.integration.conftest import REPO, Deployment, Workers
from tests.integration.kafka_io import list_topics, produce, wait_until

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    # As root in a container, and with no network but loopback: no sandbox, no GPU, and
    # none of chromium's own background connections.
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1600, "height": 900}
WAIT_MS = 90_000

SPLIT = "19:50:00"
"""Event time (UTC, 24 July 2024) where the replay pauses: the bombers and their escorts are
inside the Alaska ADIZ east of 180, KAL272 just west of it."""

TU95, F16, KAL272, EMERGENCY = ("icao24:15a7c3", "icao24:ae7d41", "icao24:71c2d7",
                                "icao24:a1b2c3")
BERING = (TU95, "icao24:15a7c9", "icao24:7a6e21", "icao24:7a6e2b", F16, KAL272)


def _sbs(hex_id: str, at: datetime, lat: float, lon: float, squawk: str,
         callsign: str) -> bytes:
    date, time = at.strftime("%Y/%m/%d"), at.strftime("%H:%M:%S.000")
    return (f"MSG,3,1,1,{hex_id},1,{date},{time},{date},{time},{callsign},12000,,,{lat:.5f},"
            f"{lon:.5f},,{squawk},0,-1,0,0").encode()


def _emergency_track() -> list[bytes]:
    """A made-up civil aircraft over Kansas squawking 7700 (as in test_identification)."""
    start = datetime(2024, 7, 24, 19, 40, tzinfo=UTC)
    return [_sbs("A1B2C3", start + timedelta(seconds=s), 38.5, -98.0 + s / 1000, squawk,
                 "TEST77") for s, squawk in ((0, "1200"), (10, "7700"), (20, "7700"))]


def _produce(deployment: Deployment, lines: Sequence[bytes]) -> None:
    """Playwright's sync API keeps an event loop running in this thread: produce from another."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(produce, deployment.bootstrap_servers, deployment.topic("adsb.sbs"),
                    lines, b"scenario").result(timeout=120)


def _scenario_halves() -> tuple[list[bytes], list[bytes]]:
    (path,) = [p for p in bundled_feeds() if p.name == "seed-scenario-alaska.sbs"]
    lines = [line for line in path.read_bytes().splitlines() if line]
    first = [line for line in lines if line.split(b",")[7].decode() < SPLIT]
    return first, lines[len(first):]


class PictureProcess:
    """``adizwatch picture`` on a free port; the URL is the first line it prints."""

    def __init__(self, deployment: Deployment) -> None:
        self.log_path = deployment.log_dir / "picture.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "picture", "--embedded-broker", "--port", "0"],
            env=deployment.env(), cwd=REPO, stdout=subprocess.PIPE, stderr=self._log)
        lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.process.stdout.readline()),  # type: ignore[union-attr]
                         daemon=True).start()
        try:
            first = lines.get(timeout=30).decode().strip()
        except queue.Empty:
            first = ""
        assert first.startswith("picture: http://"), (
            f"no URL from adizwatch picture: {first!r}\n{self.log_text()}")
        self.url = first.removeprefix("picture: ")

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@pytest.fixture
def picture(deployment: Deployment) -> Iterator[PictureProcess]:
    process = PictureProcess(deployment)
    try:
        yield process
    finally:
        process.close()


@pytest.fixture
def browser() -> Iterator[Browser]:
    assert CHROMIUM.is_file(), (
        f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; "
        ".ci/run does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _open(browser: Browser, url: str, errors: list[str]) -> Page:
    page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda request: errors.append(f"failed: {request.url}"))
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    return page


def _track(page: Page, track_id: str) -> dict[str, object]:
    data: dict[str, object] = page.evaluate(
        "id => window.adizwatch.tracks.get(id) ?? null", track_id)
    return data


def _wait_for_identities(page: Page, expected: dict[str, str]) -> None:
    page.wait_for_function(
        """expected => Object.entries(expected).every(([id, identity]) => {
             const el = document.querySelector(`.trk[data-track-id="${id}"]`);
             return el && el.dataset.identity === identity; })""",
        arg=expected, timeout=WAIT_MS)


def _centre_on_alert(page: Page, track_id: str) -> None:
    """Click the newest alert of ``track_id``: the map centres on the track's position."""
    page.locator(f'#alerts li[data-track-id="{track_id}"]').first.click()
    page.wait_for_function(
        """id => { const m = document.getElementById('map').dataset;
                   return m.focusTrack === id
                     && Math.abs(Number(m.centerLat) - Number(m.focusLat)) < 0.001
                     && Math.abs(Number(m.centerX) - Number(m.focusX)) < 0.001; }""",
        arg=track_id, timeout=10_000)
    focus = page.evaluate("() => document.getElementById('map').dataset")
    track = _track(page, track_id)
    # The replay has drained, so the track is where it was at the click.
    assert abs(float(focus["focusLat"]) - float(track["lat"])) < 0.001  # type: ignore[arg-type]
    assert abs(float(focus["focusX"]) - float(track["x"])) < 0.001  # type: ignore[arg-type]
    assert page.get_attribute(f'.trk[data-track-id="{track_id}"]', "class") is not None
    assert "selected" in str(page.get_attribute(f'.trk[data-track-id="{track_id}"]', "class"))


def _picture_time(lines: Sequence[bytes]) -> str:
    """The newest event time of SBS lines as the page shows it (``2024-07-24 19:49:57Z``)."""
    date, time = max((f[6].decode(), f[7].decode()) for f in (line.split(b",") for line in lines))
    return f"{date.replace('/', '-')} {time[:8]}Z"


def _wait_drained(page: Page, lines: Sequence[bytes]) -> None:
    """Until the page shows the newest report produced and no points are arriving."""
    page.wait_for_function(
        """time => document.getElementById('picture-time').textContent === time
                  && Number(document.getElementById('c-rate').textContent) === 0""",
        arg=_picture_time(lines), timeout=WAIT_MS)


def test_the_picture_in_a_real_browser(deployment: Deployment, workers: Workers,
                                       picture: PictureProcess, browser: Browser,
                                       tmp_path: Path) -> None:
    workers.start()
    first_half, second_half = _scenario_halves()
    errors: list[str] = []

    # A page open before anything happens, then the first half of the scenario.
    early = _open(browser, picture.url, errors)
    # In time order with the scenario, as one receiver delivers them (a report more than
    # the allowed lateness older than what came before it on its partition is late).
    _produce(deployment, sorted(first_half + _emergency_track(),
                                key=lambda line: line.split(b",")[6:8]))
    try:
        _wait_for_identities(early, {TU95: "suspect", F16: "friend", KAL272: "neutral"})
        early.wait_for_selector(f'#alerts li.emergency[data-track-id="{EMERGENCY}"]',
                                timeout=WAIT_MS)
    except Exception:
        early.screenshot(path=str(tmp_path / "picture-timeout.png"))
        raise AssertionError(f"the picture did not fill in\n{workers.log_text()}\n"
                             f"{picture.log_text()}") from None

    # The first half drained: the picture is the one of 19:50 UTC, the pipeline caught up (a
    # probe taken after the workers committed: an earlier "ok" may predate the burst).
    _wait_drained(early, first_half)
    early.wait_for_function("""() => { const h = document.getElementById('health');
        return h.dataset.status === 'ok' && h.dataset.lag === '0'; }""", timeout=WAIT_MS)

    # Zones: every bundled zone, named; the Alaska ADIZ as one outline from 170 E to 133 W.
    zone_ids = early.eval_on_selector_all("path[data-zone-id]",
                                          "els => els.map(e => e.dataset.zoneId)")
    assert set(zone_ids) >= {"us-alaska-adiz", "us-contiguous-adiz-pacific", "us-hawaii-adiz",
                             "us-guam-adiz", "cn-east-china-sea-adiz"}
    assert zone_ids.count("us-alaska-adiz") == 1
    assert early.text_content('[data-zone-label="us-alaska-adiz"]') == "Alaska ADIZ"
    bounds = early.evaluate("""() => { const b = window.adizwatch.zones.byId
        .get('us-alaska-adiz').layer.getBounds(); return [b.getWest(), b.getEast()]; }""")
    assert bounds == [170.0, 227.0]

    # Tracks: MIL-STD-2525C symbols of their standard identities (SIDC position 2).
    symbols = {track_id: early.eval_on_selector(
        f'.trk[data-track-id="{track_id}"]',
        "el => [el.dataset.sidc, el.dataset.validSymbol, !!el.querySelector('svg')]")
        for track_id in (TU95, F16, KAL272, EMERGENCY)}
    assert symbols[TU95] == ["SSAPMFB--------", "true", True]   # suspect bomber
    assert symbols[F16] == ["SFAPMFF--------", "true", True]    # friendly fighter
    assert symbols[KAL272][0][1:3] == "NA"                      # neutral, air
    assert early.get_attribute(f'.trk[data-track-id="{EMERGENCY}"]', "class") is not None
    assert "emergency" in str(early.get_attribute(f'.trk[data-track-id="{EMERGENCY}"]',
                                                  "class"))

    # The Bering Sea is continuous across 180 degrees: the tracks on both sides are
    # neighbours in the frame, and no trail jumps.
    xs = {track_id: float(_track(early, track_id)["x"]) for track_id in BERING}  # type: ignore[arg-type]
    assert xs[KAL272] < 180.0 < xs[TU95], xs
    assert max(xs.values()) - min(xs.values()) < 30.0, xs
    for track_id in BERING:
        trail = [x for _, x in _track(early, track_id)["trail"]]  # type: ignore[attr-defined]
        assert all(abs(b - a) < 5.0 for a, b in pairwise(trail)), track_id

    # Alerts newest first, the emergency highlighted; counters and health shown.
    times = early.eval_on_selector_all("#alerts li", "els => els.map(e => Number(e.dataset.tsMs))")
    assert len(times) >= 10
    assert times == sorted(times, reverse=True)
    assert "SQUAWK 7700" in early.inner_text(f'#alerts li.emergency[data-track-id="{EMERGENCY}"]')
    assert int(early.inner_text("#c-tracks")) >= len(BERING) + 1
    assert int(early.inner_text("#c-emergencies")) == 1
    health = early.evaluate("""() => { const h = document.getElementById('health');
        return [h.dataset.status, document.getElementById('health-status').textContent, h.title];
    }""")
    assert health[:2] == ["ok", "OK"], f"{health}\n{workers.log_text()}"

    # A click on an alert centres the map on its track.
    _centre_on_alert(early, TU95)
    details = early.inner_text(".trk-tip")  # opened by the click, as on hover
    assert all(word in details for word in ("SUSPECT", "TU95", "FL", "kt", "Alaska ADIZ")), details
    early.wait_for_timeout(500)  # let the canvas finish drawing the base map
    shot = tmp_path / "picture.png"
    early.screenshot(path=str(shot))
    if target := os.environ.get("ADIZWATCH_PICTURE_SCREENSHOT"):
        shutil.copyfile(shot, REPO / target)

    # The second half arrives live on the open page.
    _produce(deployment, second_half)
    early.wait_for_function(
        """id => [...document.querySelectorAll(`#alerts li[data-track-id="${id}"]`)]
                  .some(li => li.dataset.type === 'zone.exit')""",
        arg=TU95, timeout=WAIT_MS)
    _wait_drained(early, second_half)

    # A page opened now starts with the current picture: the same tracks and alerts.
    late = _open(browser, picture.url, errors)
    picture_of = """() => ({
        tracks: [...window.adizwatch.tracks.byId.values()].map(e => e.data)
                  .sort((a, b) => a.id < b.id ? -1 : 1),
        alerts: window.adizwatch.alerts.alerts.map(a => a.id) })"""
    for _ in range(20):  # the same within a tick or two
        early_picture, late_picture = early.evaluate(picture_of), late.evaluate(picture_of)
        if early_picture == late_picture:
            break
        early.wait_for_timeout(500)
    assert late_picture == early_picture
    assert len(late_picture["tracks"]) >= len(BERING)
    _centre_on_alert(late, F16)
    late.screenshot(path=str(tmp_path / "picture-late.png"))
    assert errors == [], errors


def test_the_picture_started_before_the_workers_creates_no_topic(
        deployment: Deployment, picture: PictureProcess) -> None:
    # Its feed and its health probe must wait for the workers' topics: asking the broker
    # about them by name would have it create them with its own defaults (no compaction,
    # its partition count), and the workers would then find them made wrong.
    wait_until(lambda: b"picture following" in picture.log_path.read_bytes(), 30,
               "the picture to follow its topics", picture.log_text)
    time.sleep(4)  # past a lag probe (every 3 s) and the feed's first metadata requests
    assert picture.process.poll() is None, picture.log_text()
    made = {t for t in list_topics(deployment.bootstrap_servers)
            if t.startswith(deployment.prefix)}
    assert made == set(), made
