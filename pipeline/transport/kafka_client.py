"""The one place that turns :class:`~pipeline.settings.Settings` into Kafka client arguments.

Every aiokafka client of the package (consumers, producers, the admin client) is built as
``AIOKafkaConsumer(**client_kwargs(settings), group_id=..., ...)``, so the bootstrap servers,
the ``client.id`` and the security settings are the same everywhere; the faust app gets the
same connection through :func:`faust_broker_settings`.

What the two libraries take (aiokafka 0.14.0, faust-streaming 0.15.3, as installed):

- aiokafka's ``AIOKafkaClient`` accepts ``security_protocol`` PLAINTEXT, SSL, SASL_PLAINTEXT or
  SASL_SSL and raises ``ValueError`` when SSL/SASL_SSL comes without an ``ssl_context``;
  ``sasl_plain_username``/``sasl_plain_password`` serve PLAIN and both SCRAM mechanisms.
  ``aiokafka.helpers.create_ssl_context`` builds a context for server authentication
  (hostname checked) from a CA file and an optional client certificate and key.
- faust takes one ``broker_credentials`` object and turns it into the same aiokafka keywords
  (``faust.transport.drivers.aiokafka.credentials_to_aiokafka_auth``) for its consumer,
  producer and topic creation: ``faust.SSLCredentials(context)`` gives SSL;
  ``faust.SASLCredentials(username=, password=, mechanism=, ssl_context=)`` gives
  SASL_PLAINTEXT, or SASL_SSL when an ``ssl_context`` is given. Its ``mechanism`` defaults to
  PLAIN: SCRAM works only when the mechanism is passed, by its Kafka name
  (``SASLMechanism("SCRAM-SHA-256")``). The ``client.id`` is the app setting
  ``broker_client_id`` (faust's default is ``faust-<version>``).

Not tested against a SASL or TLS broker here: the embedded broker (Tansu) has no SASL and the
suite runs it without TLS; the unit tests check the arguments and the TLS context.
"""

from __future__ import annotations

import ssl
from typing import Any

from aiokafka.helpers import create_ssl_context

from pipeline.settings import Settings, SettingsError


def client_kwargs(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``AIOKafkaConsumer``, ``AIOKafkaProducer`` and
    ``AIOKafkaAdminClient``: bootstrap servers, client id and security.

    Raises:
        SettingsError: the CA, certificate or key files cannot be loaded (named by variable).
    """
    kwargs: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers.split(","),
        "client_id": settings.client_id,
        "security_protocol": settings.security_protocol,
    }
    if settings.security_protocol.startswith("SASL_"):
        kwargs.update(sasl_mechanism=settings.sasl_mechanism,
                      sasl_plain_username=settings.sasl_username,
                      sasl_plain_password=settings.sasl_password)
    context = tls_context(settings)
    if context is not None:
        kwargs["ssl_context"] = context
    return kwargs


def faust_broker_settings(settings: Settings) -> dict[str, Any]:
    """faust app settings for the same connection: ``broker_client_id`` and, unless the
    protocol is PLAINTEXT, ``broker_credentials``. The broker URLs stay a separate ``broker=``
    argument (``kafka://HOST:PORT`` each).

    Raises:
        SettingsError: as :func:`client_kwargs`.
    """
    import faust

    out: dict[str, Any] = {"broker_client_id": settings.client_id}
    context = tls_context(settings)
    if settings.security_protocol.startswith("SASL_"):
        out["broker_credentials"] = faust.SASLCredentials(
            username=settings.sasl_username, password=settings.sasl_password,
            mechanism=settings.sasl_mechanism, ssl_context=context)
    elif context is not None:
        out["broker_credentials"] = faust.SSLCredentials(context)
    return out


def tls_context(settings: Settings) -> ssl.SSLContext | None:
    """The TLS context of SSL and SASL_SSL (``None`` otherwise): the system CAs unless
    ``ADIZWATCH_SSL_CAFILE`` is set, plus the client certificate when one is configured.

    Raises:
        SettingsError: a file cannot be loaded; the message names the variable.
    """
    if settings.security_protocol not in ("SSL", "SASL_SSL"):
        return None
    try:
        context: ssl.SSLContext = create_ssl_context(cafile=settings.ssl_cafile)
    except (ssl.SSLError, OSError) as exc:
        raise SettingsError(f"ADIZWATCH_SSL_CAFILE: cannot load {settings.ssl_cafile} as PEM "
                            f"CA certificates: {exc}") from None
    if settings.ssl_certfile is not None:
        # An empty password, not None: with None OpenSSL would prompt on the terminal for the
        # password of an encrypted key; with "" an encrypted key without
        # ADIZWATCH_SSL_KEY_PASSWORD_FILE fails here instead. Unencrypted keys ignore it.
        try:
            context.load_cert_chain(settings.ssl_certfile, settings.ssl_keyfile,
                                    settings.ssl_key_password or "")
        except (ssl.SSLError, OSError) as exc:
            raise SettingsError(
                f"ADIZWATCH_SSL_CERTFILE: cannot load the client certificate "
                f"{settings.ssl_certfile} with ADIZWATCH_SSL_KEYFILE={settings.ssl_keyfile} "
                f"(wrong key, or an encrypted key without or with a wrong "
                f"ADIZWATCH_SSL_KEY_PASSWORD_FILE): {exc}") from None
    return context
