"""The picture's HTTP side on a real local server: page, snapshot, event stream, health."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

import orjson
from aiohttp import ClientSession, ClientTimeout
from aiohttp.test_utils import TestServer

from pipeline.geofence.zones import default_zone_dir, load_zone_files
from pipeline.model.track import Source, TrackKind, TrackPoint
from pipeline.picture.frame import choose_frame, zone_intervals, zones_geojson
from pipeline.picture.health import Health, HealthStatus
from pipeline.picture.hub import QUEUE_DELTAS, PictureHub, Subscription
from pipeline.picture.server import create_web_app
from pipeline.picture.service import PictureOptions, PictureService
from pipeline.picture.state import PictureState
from pipeline.settings import Settings

NOW = 1_900_000_000_000


def _hub() -> PictureHub:
    zones = load_zone_files([default_zone_dir()])
    frame = choose_frame(zone_intervals(zones))
    return PictureHub(PictureState(frame), zones_geojson(zones, frame), lambda: NOW)


def _point(lon: float) -> TrackPoint:
    return TrackPoint("icao24:15a7c3", TrackKind.AIRCRAFT, Source.SBS, 1_721_848_882_000,
                      57.1, lon, icao24="15a7c3")


async def _events(response: object, count: int) -> list[tuple[str, dict[str, object]]]:
    """The next ``count`` SSE events (name, JSON data) of a streaming response."""
    events: list[tuple[str, dict[str, object]]] = []
    name = ""
    content = response.content  # type: ignore[attr-defined]
    while len(events) < count:
        line = (await content.readline()).decode().rstrip("\n")
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            events.append((name, orjson.loads(line.removeprefix("data: "))))
    return events


def _serve(hub: PictureHub, body: Callable[[ClientSession, str], Awaitable[None]]) -> None:
    async def go() -> None:
        server = TestServer(create_web_app(hub))
        await server.start_server()
        try:
            async with ClientSession(timeout=ClientTimeout(total=10)) as session:
                await body(session, str(server.make_url("/")))
        finally:
            await server.close()

    asyncio.run(go())


def test_page_snapshot_and_health() -> None:
    hub = _hub()
    hub.state.apply_point(_point(-179.2), NOW)

    async def body(session: ClientSession, url: str) -> None:
        async with session.get(url) as page:
            assert page.status == 200
            assert 'src="static/app.js"' in await page.text()
        async with session.get(url + "static/app.js") as script:
            assert script.status == 200
        async with session.get(url + "api/snapshot") as response:
            snapshot = await response.json()
        assert snapshot["frame"] == {"west": 29.0, "east": 389.0}
        assert "us-alaska-adiz" in [z["id"] for z in snapshot["zones"]]
        assert [(t["id"], t["x"]) for t in snapshot["tracks"]] == [("icao24:15a7c3", 180.8)]
        async with session.get(url + "healthz") as response:
            assert (response.status, await response.json()) == (
                200, {"status": "starting", "detail": "starting", "lag": None})
        hub.health = Health(HealthStatus.DOWN, "broker unreachable: x")
        async with session.get(url + "healthz") as response:
            assert response.status == 503

    _serve(hub, body)


def test_event_stream_snapshot_then_deltas_and_late_joiners() -> None:
    hub = _hub()

    async def body(session: ClientSession, url: str) -> None:
        async with session.get(url + "api/events") as early:
            assert early.headers["Content-Type"] == "text/event-stream"
            ((name, snapshot),) = await _events(early, 1)
            assert (name, snapshot["tracks"]) == ("snapshot", [])
            hub.state.apply_point(_point(179.9), NOW)
            hub.tick()
            ((name, delta),) = await _events(early, 1)
            assert name == "delta"
            assert [t["id"] for t in delta["tracks"]] == ["icao24:15a7c3"]  # type: ignore[attr-defined]
            assert delta["health"] == {"status": "starting", "detail": "starting", "lag": None}
            async with session.get(url + "api/events") as late:
                ((name, snapshot),) = await _events(late, 1)
                assert name == "snapshot"
                assert [t["id"] for t in snapshot["tracks"]] == ["icao24:15a7c3"]  # type: ignore[attr-defined]
                assert hub.subscribers == 2

    _serve(hub, body)


def test_a_page_too_far_behind_is_cut_off_and_reconnects() -> None:
    subscription = Subscription()
    for _ in range(QUEUE_DELTAS):
        assert subscription.offer(b"{}")
    assert not subscription.offer(b"{}")

    async def drain() -> list[bytes | None]:
        return [await subscription.next()]

    assert asyncio.run(drain()) == [None]  # the stream ends; EventSource reconnects


def test_the_demo_falls_back_to_a_free_port_and_stops_cleanly() -> None:
    async def go() -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            settings = Settings(bootstrap_servers="127.0.0.1:9")  # nothing there
            strict = PictureService(settings, PictureOptions(port=port))
            try:
                await strict.start()
                raise AssertionError("bound a port that is taken")
            except OSError:
                pass
            finally:
                await strict.stop()
            service = PictureService(settings, PictureOptions(port=port,
                                                              fallback_to_free_port=True))
            url = await service.start()
            try:
                assert url.startswith("http://127.0.0.1:") and url != f"http://127.0.0.1:{port}/"
                async with ClientSession() as session, session.get(url + "healthz") as health:
                    assert health.status in (200, 503)
            finally:
                await service.stop()

    asyncio.run(go())
