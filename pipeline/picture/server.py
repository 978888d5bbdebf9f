"""The picture's HTTP side (aiohttp): the page, its snapshot and its event stream.

=====================  =================================================================
``GET /``              the page (``static/index.html``, built from ``web/``)
``GET /static/...``    the bundled script, styles and licences
``GET /api/snapshot``  the current picture as JSON
``GET /api/events``    Server-Sent Events: ``snapshot`` once, then ``delta`` per tick
``GET /healthz``       the pipeline's health as JSON (200 unless the broker is down)
=====================  =================================================================

Nothing is fetched from elsewhere at run time: the page, its map data and its symbols are
all in ``static/``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from pipeline.picture.health import HealthStatus
from pipeline.picture.hub import PictureHub

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
HUB: web.AppKey[PictureHub] = web.AppKey("hub", PictureHub)
STATIC: web.AppKey[Path] = web.AppKey("static", Path)

_RETRY_MS = 2000
"""How soon a page's EventSource reconnects after the stream ends."""


def _event(name: str, data: bytes) -> bytes:
    # JSON from orjson has no raw newlines, so one data line carries the whole event.
    return b"event: " + name.encode() + b"\ndata: " + data + b"\n\n"


async def _index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(request.app[STATIC] / "index.html",
                            headers={"Cache-Control": "no-cache"})


async def _snapshot(request: web.Request) -> web.Response:
    return web.Response(body=request.app[HUB].snapshot_bytes(),
                        content_type="application/json")


async def _health(request: web.Request) -> web.Response:
    health = request.app[HUB].health
    status = 503 if health.status is HealthStatus.DOWN else 200
    return web.json_response(health.as_json(), status=status)


async def _events(request: web.Request) -> web.StreamResponse:
    hub = request.app[HUB]
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream", "Cache-Control": "no-cache",
        "X-Accel-Buffering": "no"})
    await response.prepare(request)
    # Subscribe before taking the snapshot: a change made in between arrives twice, which
    # the page tolerates (deltas carry whole tracks), rather than not at all.
    subscription = hub.subscribe()
    try:
        await response.write(f"retry: {_RETRY_MS}\n\n".encode()
                             + _event("snapshot", hub.snapshot_bytes()))
        while (data := await subscription.next()) is not None:
            await response.write(_event("delta", data))
    except ConnectionError:
        pass  # the page went away
    finally:
        hub.unsubscribe(subscription)
    return response


async def _end_streams(app: web.Application) -> None:
    app[HUB].close()


def create_web_app(hub: PictureHub, static_dir: Path = STATIC_DIR) -> web.Application:
    """The aiohttp application serving ``hub``'s picture.

    Raises:
        FileNotFoundError: the page has not been built (no ``index.html`` in ``static_dir``).
    """
    if not (static_dir / "index.html").is_file():
        raise FileNotFoundError(f"{static_dir / 'index.html'} is missing: build the page "
                                "with `make web` (needs npm)")
    app = web.Application()
    app[HUB] = hub
    app[STATIC] = static_dir
    app.router.add_get("/", _index)
    app.router.add_get("/api/snapshot", _snapshot)
    app.router.add_get("/api/events", _events)
    app.router.add_get("/healthz", _health)
    app.router.add_static("/static/", static_dir)
    app.on_shutdown.append(_end_streams)
    return app
