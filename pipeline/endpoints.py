"""The worker's one HTTP server: ``/metrics``, ``/healthz`` and ``/readyz``.

``/metrics`` answers the worker's registry in the format the scraper's ``Accept`` header asks
for, negotiated by prometheus-client's own ``choose_encoder`` (as its WSGI app does): the
text format 0.0.4 by default, OpenMetrics when Prometheus asks for it. ``/healthz`` and
``/readyz`` answer 200 or 503 with a one-line text from :class:`pipeline.health.Health` (404
when the process tracks no health). Any other path is 404. Query strings are ignored;
``GET`` and ``HEAD`` are served.

A :class:`http.server.ThreadingHTTPServer` on a daemon thread: a scrape or a probe never
waits for the asyncio loop, so a blocked loop still shows in ``/healthz`` (by its stale
beat) instead of timing the probe out.
"""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder

from pipeline.health import Health, Verdict

log = logging.getLogger(__name__)

_TEXT = "text/plain; charset=utf-8"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], registry: CollectorRegistry,
                 health: Health | None) -> None:
        super().__init__(address, _Handler)
        self.registry = registry
        self.health = health


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _answer(self, with_body: bool) -> None:
        path = urlsplit(self.path).path
        health = self.server.health
        if path == "/metrics":
            encode, content_type = choose_encoder(self.headers.get("Accept", ""))
            self._send(200, content_type, encode(self.server.registry), with_body)
        elif path in ("/healthz", "/readyz") and health is not None:
            verdict: Verdict = health.liveness() if path == "/healthz" else health.readiness()
            self._send(200 if verdict.ok else 503, _TEXT, f"{verdict.text}\n".encode(),
                       with_body)
        elif path in ("/healthz", "/readyz"):
            self._send(404, _TEXT, b"no health tracking in this process\n", with_body)
        else:
            self._send(404, _TEXT, b"not found: try /metrics, /healthz or /readyz\n", with_body)

    def _send(self, status: int, content_type: str, body: bytes, with_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        # Probes and scrapes arrive every few seconds: keep them out of the INFO log.
        log.debug("http %s %s", self.address_string(), format % args)


class EndpointServer:
    """A running endpoint server; :meth:`start` binds and serves, :meth:`close` stops."""

    def __init__(self, server: _Server, thread: threading.Thread) -> None:
        self._server = server
        self._thread = thread

    @classmethod
    def start(cls, registry: CollectorRegistry, health: Health | None, port: int,
              addr: str = "0.0.0.0") -> EndpointServer:
        """Bind ``addr:port`` (0 = a free port) and serve from a daemon thread.

        Raises:
            OSError: the port cannot be bound.
        """
        server = _Server((addr, port), registry, health)
        thread = threading.Thread(target=server.serve_forever, name="adizwatch-http",
                                  daemon=True)
        thread.start()
        return cls(server, thread)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
