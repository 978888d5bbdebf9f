"""Client arguments from the settings: every protocol, a TLS context that really completes a
mutual-TLS handshake, and faust's credentials giving the same aiokafka arguments."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path
from typing import Any

import faust
import pytest
from aiokafka.client import AIOKafkaClient
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

from pipeline.settings import Settings, SettingsError
from pipeline.transport.kafka_client import (
    client_kwargs,
    faust_broker_settings,
)
from tests.tls_certs import KEY_PASSWORD, Pki, make_pki

SECURITY_KEYS = ("security_protocol", "sasl_mechanism", "sasl_plain_username",
                 "sasl_plain_password", "ssl_context")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"ADIZWATCH_BOOTSTRAP_SERVERS": "k1:9092,k2:9093", **env})


def _aiokafka_accepts(kwargs: dict[str, Any]) -> None:
    """aiokafka's own checks of the security arguments run in the client's constructor."""

    async def build() -> None:
        AIOKafkaClient(**kwargs)

    asyncio.run(build())


def test_plaintext_is_bootstrap_and_client_id_only(tmp_path: Path) -> None:
    kwargs = client_kwargs(_settings(tmp_path, ADIZWATCH_CLIENT_ID="adizwatch-eu1"))
    assert kwargs == {"bootstrap_servers": ["k1:9092", "k2:9093"],
                      "client_id": "adizwatch-eu1", "security_protocol": "PLAINTEXT"}
    _aiokafka_accepts(kwargs)


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_plaintext_passes_mechanism_user_and_password(tmp_path: Path,
                                                           mechanism: str) -> None:
    kwargs = client_kwargs(_settings(
        tmp_path, ADIZWATCH_SECURITY_PROTOCOL="SASL_PLAINTEXT",
        ADIZWATCH_SASL_MECHANISM=mechanism, ADIZWATCH_SASL_USERNAME="svc",
        ADIZWATCH_SASL_PASSWORD="pw"))
    assert kwargs == {"bootstrap_servers": ["k1:9092", "k2:9093"], "client_id": "adizwatch",
                      "security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": mechanism,
                      "sasl_plain_username": "svc", "sasl_plain_password": "pw"}
    _aiokafka_accepts(kwargs)


def test_ssl_and_sasl_ssl_carry_a_verifying_context(tmp_path: Path, pki: Pki) -> None:
    for env in ({"ADIZWATCH_SECURITY_PROTOCOL": "SSL"},
                {"ADIZWATCH_SECURITY_PROTOCOL": "SASL_SSL", "ADIZWATCH_SASL_MECHANISM": "PLAIN",
                 "ADIZWATCH_SASL_USERNAME": "svc", "ADIZWATCH_SASL_PASSWORD": "pw"}):
        kwargs = client_kwargs(_settings(tmp_path, ADIZWATCH_SSL_CAFILE=str(pki.ca), **env))
        context = kwargs.pop("ssl_context")
        assert isinstance(context, ssl.SSLContext)
        assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)
        assert [dict(item[0] for item in ca["subject"]) for ca in context.get_ca_certs()] == [
            {"commonName": "adizwatch-test-ca"}]
        assert kwargs["security_protocol"] == env["ADIZWATCH_SECURITY_PROTOCOL"]
        _aiokafka_accepts(kwargs | {"ssl_context": context})


def _serve_mutual_tls(pki: Pki, client: ssl.SSLContext) -> str:
    """Handshake with a local TLS server that requires a client certificate signed by the
    test CA; returns the client certificate's common name as the server saw it."""
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=pki.ca)
    server.load_cert_chain(pki.server_cert, pki.server_key)
    server.verify_mode = ssl.CERT_REQUIRED
    seen: list[str] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peercert")
        seen.append(dict(item[0] for item in peer["subject"])["commonName"])
        writer.write(b"ok")
        await writer.drain()
        writer.close()

    async def go() -> None:
        listener = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server)
        port = listener.sockets[0].getsockname()[1]
        async with listener:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, ssl=client, server_hostname="localhost")
            assert await reader.read() == b"ok"
            writer.close()

    asyncio.run(go())
    return seen[0]


def test_client_certificate_completes_a_mutual_tls_handshake(tmp_path: Path, pki: Pki) -> None:
    plain = _settings(tmp_path, ADIZWATCH_SECURITY_PROTOCOL="SSL",
                      ADIZWATCH_SSL_CAFILE=str(pki.ca), ADIZWATCH_SSL_CERTFILE=str(pki.client_cert),
                      ADIZWATCH_SSL_KEYFILE=str(pki.client_key))
    assert _serve_mutual_tls(pki, client_kwargs(plain)["ssl_context"]) == "adizwatch-client"
    password_file = tmp_path / "key-pw"
    password_file.write_text(KEY_PASSWORD + "\n")
    encrypted = _settings(tmp_path, ADIZWATCH_SECURITY_PROTOCOL="SSL",
                          ADIZWATCH_SSL_CAFILE=str(pki.ca),
                          ADIZWATCH_SSL_CERTFILE=str(pki.client_cert),
                          ADIZWATCH_SSL_KEYFILE=str(pki.client_key_encrypted),
                          ADIZWATCH_SSL_KEY_PASSWORD_FILE=str(password_file))
    assert _serve_mutual_tls(pki, client_kwargs(encrypted)["ssl_context"]) == "adizwatch-client"


def test_unloadable_tls_files_fail_with_the_variable_name(tmp_path: Path, pki: Pki) -> None:
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("not a certificate")
    wrong_pw = tmp_path / "wrong-pw"
    wrong_pw.write_text("nope")
    ssl_env = {"ADIZWATCH_SECURITY_PROTOCOL": "SSL"}
    cases = [
        ("ADIZWATCH_SSL_CAFILE", {"ADIZWATCH_SSL_CAFILE": str(not_pem)}),
        ("ADIZWATCH_SSL_CERTFILE", {"ADIZWATCH_SSL_CERTFILE": str(pki.client_cert),
                                    "ADIZWATCH_SSL_KEYFILE": str(pki.server_key)}),
        # Encrypted key without its password: an error, never OpenSSL's terminal prompt.
        ("ADIZWATCH_SSL_CERTFILE", {"ADIZWATCH_SSL_CERTFILE": str(pki.client_cert),
                                    "ADIZWATCH_SSL_KEYFILE": str(pki.client_key_encrypted)}),
        ("ADIZWATCH_SSL_CERTFILE", {"ADIZWATCH_SSL_CERTFILE": str(pki.client_cert),
                                    "ADIZWATCH_SSL_KEYFILE": str(pki.client_key_encrypted),
                                    "ADIZWATCH_SSL_KEY_PASSWORD_FILE": str(wrong_pw)}),
    ]
    for name, env in cases:
        settings = _settings(tmp_path, **ssl_env, **env)
        with pytest.raises(SettingsError, match=f"^{name}: "):
            client_kwargs(settings)
        with pytest.raises(SettingsError, match=f"^{name}: "):
            faust_broker_settings(settings)


def _through_faust(settings: Settings) -> dict[str, Any]:
    """The aiokafka arguments faust's own driver derives from the app settings."""
    app = faust.App("t", broker="kafka://k1:9092", **faust_broker_settings(settings))
    assert app.conf.broker_client_id == settings.client_id
    return dict(credentials_to_aiokafka_auth(app.conf.broker_credentials, app.conf.ssl_context))


def test_faust_credentials_give_the_same_aiokafka_arguments(tmp_path: Path, pki: Pki) -> None:
    ca = {"ADIZWATCH_SSL_CAFILE": str(pki.ca)}
    sasl = {"ADIZWATCH_SASL_USERNAME": "svc", "ADIZWATCH_SASL_PASSWORD": "pw"}
    for env in (
        {"ADIZWATCH_CLIENT_ID": "adizwatch-eu1"},
        {"ADIZWATCH_SECURITY_PROTOCOL": "SSL"} | ca,
        {"ADIZWATCH_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
         "ADIZWATCH_SASL_MECHANISM": "SCRAM-SHA-512"} | sasl,
        {"ADIZWATCH_SECURITY_PROTOCOL": "SASL_SSL",
         "ADIZWATCH_SASL_MECHANISM": "SCRAM-SHA-256"} | sasl | ca,
    ):
        settings = _settings(tmp_path, **env)
        ours = {k: v for k, v in client_kwargs(settings).items() if k in SECURITY_KEYS}
        theirs = {k: v for k, v in _through_faust(settings).items() if v is not None}
        # Contexts are built per call: compare what they verify against.
        for side in (ours, theirs):
            if "ssl_context" in side:
                side["ssl_context"] = side["ssl_context"].get_ca_certs()
        assert theirs == ours, env
