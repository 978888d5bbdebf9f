"""Production settings on the real broker: the client id, JSON logs of a worker, and TLS.

Tansu speaks no TLS and no SASL. TLS is tested through a TLS-terminating proxy in front of a
second Tansu whose advertised listener is the proxy (as a TLS sidecar would be): every client,
the faust worker's included, must present the client certificate signed by the test CA. SASL
cannot be tested here at all (no SASL broker); its arguments are unit-tested.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from pipeline.transport.broker import _free_port, tansu_binary, wait_until_ready
from pipeline.transport.tansu_compat import apply_tansu_workarounds
from tests.integration.conftest import REPO, Deployment, Workers
from tests.integration.kafka_io import list_topics, wait_until
from tests.tls_certs import Pki, make_pki

pytestmark = pytest.mark.integration

ZONE = (b'{"type": "Feature", "properties": {"id": "tls-box", "name": "TLS box"}, "geometry": '
        b'{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}}')


def _group_member_ids(kafka: dict[str, object], group_id: str) -> list[str]:
    """Member ids of a group. Kafka builds them as ``<client.id>-<uuid>`` (Tansu too; Tansu
    answers an empty ``client_id`` field, so the id is read from the member id)."""

    async def go() -> list[str]:
        admin = AIOKafkaAdminClient(**kafka)
        await admin.start()
        try:
            (response,) = await admin.describe_consumer_groups([group_id])
            return [member[0] for group in response.groups for member in group[5]]
        finally:
            await admin.close()

    return asyncio.run(go())


def _worker_ready(log_path: Path) -> bool:
    return b"Worker ready" in log_path.read_bytes() if log_path.exists() else False


def test_worker_logs_json_lines_and_joins_with_the_client_id(
        deployment: Deployment, workers: Workers) -> None:
    client_id = f"ops-{uuid.uuid4().hex[:6]}"
    deployment.extra_env.update(ADIZWATCH_LOG_FORMAT="json", ADIZWATCH_CLIENT_ID=client_id)
    worker = workers.start()
    log_path = deployment.log_dir / "worker-0.log"
    wait_until(lambda: _worker_ready(log_path), 120, "the worker to be ready", workers.log_text)
    kafka = {"bootstrap_servers": deployment.bootstrap_servers}
    # The track runtime joins its group once the configuration has been read.
    wait_until(lambda: bool(_group_member_ids(kafka, deployment.group_id)), 60,
               "the track runtime to join its group", workers.log_text)
    members = _group_member_ids(kafka, deployment.group_id)
    assert all(m.startswith(f"{client_id}-") for m in members), members
    listed = deployment.cli("zones", "list", "--live", "--json")
    assert "us-alaska-adiz" in listed.stdout
    assert workers.stop(worker) == 0, workers.log_text()
    lines = [orjson.loads(line) for line in log_path.read_bytes().splitlines() if line]
    loggers = {line["logger"] for line in lines}
    assert {"pipeline.worker", "pipeline.transport.zone_feed"} <= loggers, loggers
    assert any(name.startswith(("faust.", "mode.")) for name in loggers), loggers
    assert all(set(line) >= {"ts", "level", "logger", "msg"} for line in lines)
    start = next(line for line in lines if line["msg"].startswith("starting worker"))
    assert f"client_id={client_id}" in start["msg"]


def test_every_topic_a_worker_creates_carries_the_topic_prefix(
        deployment: Deployment, workers: Workers) -> None:
    # A cluster shared by teams grants topic rights by prefix: a worker must not need any
    # topic outside its own (faust's table changelog and leader topic included).
    kafka = {"bootstrap_servers": deployment.bootstrap_servers}
    before = list_topics(deployment.bootstrap_servers)
    worker = workers.start()
    wait_until(lambda: bool(_group_member_ids(kafka, deployment.group_id)), 120,
               "the track runtime to join its group", workers.log_text)
    created = list_topics(deployment.bootstrap_servers) - before
    assert workers.stop(worker) == 0, workers.log_text()
    prefix = deployment.prefix
    assert {f"{prefix}adsb.sbs", f"{prefix}zones.config",
            f"{prefix}{deployment.group_id}.control-zones-accepted-changelog"} <= created, created
    assert [t for t in created if not t.startswith(prefix)] == [], created


def test_sasl_password_never_appears_in_the_logs_even_at_debug(
        deployment: Deployment, workers: Workers) -> None:
    """Tansu refuses the SASL handshake (no SASL), so the clients fail at once: the CLI and the
    worker still log aiokafka's requests at DEBUG, and the password is in none of it."""
    password = f"pw-{uuid.uuid4().hex}"
    deployment.extra_env.update(
        ADIZWATCH_SECURITY_PROTOCOL="SASL_PLAINTEXT", ADIZWATCH_SASL_MECHANISM="SCRAM-SHA-256",
        ADIZWATCH_SASL_USERNAME="svc", ADIZWATCH_SASL_PASSWORD=password,
        ADIZWATCH_LOG_LEVEL="DEBUG", ADIZWATCH_LOG_FORMAT="json")
    cli = subprocess.run([sys.executable, "-m", "pipeline", "zones", "list", "--live"],
                         env=deployment.env(), cwd=REPO, capture_output=True, text=True,
                         timeout=120)
    worker = workers.start()
    assert worker.wait(120) != 0, workers.log_text()
    worker_log = (deployment.log_dir / "worker-0.log").read_text(errors="replace")
    for output in (cli.stdout + cli.stderr, worker_log):
        assert "SaslHandShakeRequest_v1(mechanism='SCRAM-SHA-256')" in output, output[-4000:]
        assert password not in output


@dataclass
class TlsProxy:
    """Terminates TLS (client certificate required) and forwards to a plaintext port; runs
    its own event loop in a thread. ``peers`` holds each connection's client common name."""

    pki: Pki
    target_port: int
    port: int = 0
    peers: list[str] = field(default_factory=list)
    _loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    _server: asyncio.Server | None = None

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, ConnectionError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        subject = writer.get_extra_info("peercert")["subject"]
        self.peers.append(dict(item[0] for item in subject)["commonName"])
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    def start(self) -> None:
        import ssl

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=self.pki.ca)
        context.load_cert_chain(self.pki.server_cert, self.pki.server_key)
        context.verify_mode = ssl.CERT_REQUIRED
        self._server = self._loop.run_until_complete(asyncio.start_server(
            self._handle, "127.0.0.1", self.port, ssl=context))
        threading.Thread(target=self._loop.run_forever, daemon=True).start()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)


@pytest.fixture
def tls_broker(tmp_path: Path) -> Iterator[tuple[str, Pki, TlsProxy]]:
    """A fresh Tansu on a plaintext port, advertised as ``localhost:<proxy port>``."""
    apply_tansu_workarounds()
    pki = make_pki(tmp_path)
    plain_port, proxy_port = _free_port("127.0.0.1"), _free_port("127.0.0.1")
    log = (tmp_path / "tansu.log").open("wb")
    broker = subprocess.Popen(
        [str(tansu_binary()), "broker", "--cluster-id", f"tls-{uuid.uuid4().hex[:8]}",
         "--listener-url", f"tcp://127.0.0.1:{plain_port}",
         "--advertised-listener-url", f"tcp://localhost:{proxy_port}",
         "--storage-engine", "memory://tansu/"], stdout=log, stderr=subprocess.STDOUT)
    proxy = TlsProxy(pki, plain_port, proxy_port)
    try:
        wait_until_ready(f"127.0.0.1:{plain_port}", 20)
        proxy.start()
        yield f"localhost:{proxy_port}", pki, proxy
    finally:
        proxy.stop()
        broker.kill()
        broker.wait()
        log.close()


def _tls_env(bootstrap: str, pki: Pki, tmp_path: Path) -> dict[str, str]:
    return {"ADIZWATCH_BOOTSTRAP_SERVERS": bootstrap, "ADIZWATCH_SECURITY_PROTOCOL": "SSL",
            "ADIZWATCH_SSL_CAFILE": str(pki.ca), "ADIZWATCH_SSL_CERTFILE": str(pki.client_cert),
            "ADIZWATCH_SSL_KEYFILE": str(pki.client_key), "ADIZWATCH_CLIENT_ID": "adizwatch-tls",
            "ADIZWATCH_GROUP_ID": "adizwatch-tls", "ADIZWATCH_METRICS_PORT": "0",
            "ADIZWATCH_DATA_DIR": str(tmp_path / "data")}


def test_tls_with_a_client_certificate_for_the_cli(
        tls_broker: tuple[str, Pki, TlsProxy], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    bootstrap, pki, proxy = tls_broker
    for name, value in _tls_env(bootstrap, pki, tmp_path).items():
        monkeypatch.setenv(name, value)
    zone = tmp_path / "box.geojson"
    zone.write_bytes(ZONE)
    assert main(["zones", "put", str(zone)]) == 0
    capsys.readouterr()
    assert main(["zones", "list", "--live", "--json"]) == 0
    assert "tls-box" in {orjson.loads(line)["id"] for line in capsys.readouterr().out.splitlines()}
    assert len(proxy.peers) >= 2 and set(proxy.peers) == {"adizwatch-client"}, proxy.peers


def test_tls_with_a_client_certificate_for_the_worker(
        tls_broker: tuple[str, Pki, TlsProxy], tmp_path: Path) -> None:
    bootstrap, pki, proxy = tls_broker
    env = _tls_env(bootstrap, pki, tmp_path)
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen([sys.executable, "-m", "pipeline", "run", "--embedded-broker"],
                                  env={**os.environ, **env, "PYTHONPATH": str(REPO)},
                                  stdout=log, stderr=subprocess.STDOUT, cwd=REPO)

    def ready_or_exited() -> bool:
        return worker.poll() is not None or (
            _worker_ready(log_path) and b"zones ready" in log_path.read_bytes())

    try:
        wait_until(ready_or_exited, 120, "the worker to be ready over TLS",
                   lambda: log_path.read_text(errors="replace")[-4000:])
        assert worker.poll() is None, log_path.read_text(errors="replace")[-4000:]
        from pipeline.settings import Settings
        from pipeline.transport.kafka_client import client_kwargs

        kafka = client_kwargs(Settings.from_env(env))
        # The track runtime joins its group after the zones are read (a join takes a few
        # seconds on the embedded broker): wait for it, as the plain-text test does.
        wait_until(lambda: bool(_group_member_ids(kafka, "adizwatch-tls")), 60,
                   "the track runtime to join its group over TLS",
                   lambda: log_path.read_text(errors="replace")[-4000:])
        members = _group_member_ids(kafka, "adizwatch-tls")
        assert all(m.startswith("adizwatch-tls-") for m in members), members
    finally:
        if worker.poll() is None:
            worker.terminate()
        worker.wait(60)
    assert len(proxy.peers) >= 4 and set(proxy.peers) == {"adizwatch-client"}, proxy.peers
