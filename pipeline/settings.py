"""All configuration, read once at start-up from ``ADIZWATCH_*`` environment variables.

Every setting has a default that works on one machine; a bad value fails at start with the
variable's name. Nothing else in the package reads the environment: settings are passed
down as arguments. Command-line options override the environment (see ``cli.py``).

| variable | default | meaning |
|---|---|---|
| ADIZWATCH_BOOTSTRAP_SERVERS | localhost:9092 | Kafka bootstrap servers, HOST:PORT[,HOST:PORT] |
| ADIZWATCH_ZONES | (bundled ADIZ set) | GeoJSON files or directories, comma-separated |
| ADIZWATCH_TOPIC_PREFIX | (empty) | prefix of every topic name |
| ADIZWATCH_GROUP_ID | adizwatch | consumer group and faust app id |
| ADIZWATCH_PARTITIONS | 4 | partitions of topics adizwatch creates |
| ADIZWATCH_REPLICATION_FACTOR | 1 | replication factor of topics adizwatch creates |
| ADIZWATCH_MAX_GAP_S | 300 | longest gap between reports bridged by a straight segment |
| ADIZWATCH_LOST_AIRCRAFT_S | 600 | silence after which an aircraft inside a zone is lost |
| ADIZWATCH_LOST_VESSEL_S | 1800 | silence after which a vessel inside a zone is lost |
| ADIZWATCH_ALLOWED_LATENESS_MS | 5000 | allowed lateness (``docs/time.md``) |
| ADIZWATCH_IDLE_TIMEOUT_MS | 5000 | an input partition caught up and silent this long is idle |
| ADIZWATCH_MAX_FUTURE_S | 600 | a report this far after its record's timestamp: ``future_time`` |
| ADIZWATCH_MAX_AHEAD_S | 21600 | unconfirmed jump past its partition's watermark: ``future_time`` |
| ADIZWATCH_ALLIED_COUNTRIES | US,CA | ISO 3166-1 alpha-2 codes of own/allied states |
| ADIZWATCH_IDENTITY_RULES | (bundled default) | TOML rule table for standard identities |
| ADIZWATCH_WATCHLISTS | (none) | watch-list CSV files, comma-separated, loaded at start |
| ADIZWATCH_FLIGHTPLANS | (none) | flight-plan JSON-lines files, comma-separated, loaded at start |
| ADIZWATCH_DATA_DIR | (temp dir)/adizwatch | faust's working directory (state is in changelogs) |
| ADIZWATCH_LOG_LEVEL | INFO | DEBUG, INFO, WARNING or ERROR |
| ADIZWATCH_LOG_FORMAT | text | ``text`` (``key=value`` lines) or ``json`` (one object a line) |
| ADIZWATCH_METRICS_PORT | 9108 | port of the Prometheus text exposition (/metrics); 0 = off |
| ADIZWATCH_CLIENT_ID | adizwatch | ``client.id`` of every Kafka client (broker logs, quotas) |
| ADIZWATCH_SECURITY_PROTOCOL | PLAINTEXT | PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL |
| ADIZWATCH_SASL_MECHANISM | (none) | PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; required with SASL_* |
| ADIZWATCH_SASL_USERNAME | (none) | SASL user; required with SASL_* |
| ADIZWATCH_SASL_PASSWORD | (none) | SASL password; with SASL_*, this or the next one |
| ADIZWATCH_SASL_PASSWORD_FILE | (none) | file holding the SASL password (a mounted secret) |
| ADIZWATCH_SSL_CAFILE | (system CAs) | PEM file of the CAs that signed the brokers' certificates |
| ADIZWATCH_SSL_CERTFILE | (none) | PEM client certificate (mutual TLS); needs the next one |
| ADIZWATCH_SSL_KEYFILE | (none) | PEM private key of the client certificate |
| ADIZWATCH_SSL_KEY_PASSWORD_FILE | (none) | file holding the password of an encrypted key |

Kafka security follows the Kafka client properties of the same names (``security.protocol``,
``sasl.mechanism``, ``ssl.truststore``/``ssl.keystore`` as PEM files). The ``ADIZWATCH_SSL_*``
files are allowed only with SSL or SASL_SSL, the ``ADIZWATCH_SASL_*`` variables only with
SASL_PLAINTEXT or SASL_SSL: a setting that would be silently ignored is an error. A password file
is read once at start; one trailing newline is dropped (``echo`` writes one). Secrets never
appear in ``repr(settings)`` nor in log lines (``logs.py`` masks them as ``***``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.eventtime.limits import (
    DEFAULT_ALLOWED_LATENESS_MS,
    DEFAULT_IDLE_MS,
    DEFAULT_MAX_AHEAD_MS,
    DEFAULT_MAX_FUTURE_MS,
    TimeLimits,
)
from pipeline.geofence.zones import default_zone_dir
from pipeline.identify.enrich import DEFAULT_ALLIED_COUNTRIES

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")
SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
"""The SASL mechanisms both aiokafka (``sasl_mechanism``) and faust (``SASLMechanism``) take
with a user name and password; GSSAPI and OAUTHBEARER need other inputs and are not offered."""


class SettingsError(ValueError):
    """A setting with a bad value; the message starts with the variable's name."""


@dataclass(frozen=True, slots=True)
class Settings:
    bootstrap_servers: str = "localhost:9092"
    zones: tuple[Path, ...] = ()
    topic_prefix: str = ""
    group_id: str = "adizwatch"
    partitions: int = 4
    replication_factor: int = 1
    max_gap_s: int = 300
    lost_aircraft_s: int = 600
    lost_vessel_s: int = 1800
    allowed_lateness_ms: int = DEFAULT_ALLOWED_LATENESS_MS
    idle_timeout_ms: int = DEFAULT_IDLE_MS
    max_future_s: int = DEFAULT_MAX_FUTURE_MS // 1000
    max_ahead_s: int = DEFAULT_MAX_AHEAD_MS // 1000
    allied_countries: frozenset[str] = DEFAULT_ALLIED_COUNTRIES
    identity_rules: Path | None = None
    watchlists: tuple[Path, ...] = ()
    flightplans: tuple[Path, ...] = ()
    data_dir: Path = Path(tempfile.gettempdir()) / "adizwatch"
    log_level: str = "INFO"
    log_format: str = "text"
    metrics_port: int = 9108
    """Prometheus exposition port (9108: next to node-exporter's 9100 range); 0 = off."""
    embedded_broker: bool = False
    """Set by the launcher when the broker is the embedded Tansu (enables its workarounds)."""
    client_id: str = "adizwatch"
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    ssl_key_password: str | None = field(default=None, repr=False)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The configured secret values, for the log filter that masks them."""
        return tuple(v for v in (self.sasl_password, self.ssl_key_password) if v)

    @property
    def time_limits(self) -> TimeLimits:
        return TimeLimits(self.allowed_lateness_ms, self.idle_timeout_ms,
                          self.max_future_s * 1000, self.max_ahead_s * 1000)

    @property
    def zone_paths(self) -> tuple[Path, ...]:
        return self.zones or (default_zone_dir(),)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Build from the environment; unset variables take their defaults.

        Raises:
            SettingsError: a variable has a bad value.
        """
        s = cls()
        get = environ.get
        if (v := get("ADIZWATCH_BOOTSTRAP_SERVERS")) is not None:
            s = replace(s, bootstrap_servers=parse_bootstrap("ADIZWATCH_BOOTSTRAP_SERVERS", v))
        if (v := get("ADIZWATCH_ZONES")) is not None:
            s = replace(s, zones=parse_paths("ADIZWATCH_ZONES", v))
        if (v := get("ADIZWATCH_TOPIC_PREFIX")) is not None:
            s = replace(s, topic_prefix=_parse_name("ADIZWATCH_TOPIC_PREFIX", v, allow_empty=True))
        if (v := get("ADIZWATCH_GROUP_ID")) is not None:
            s = replace(s, group_id=_parse_name("ADIZWATCH_GROUP_ID", v, allow_empty=False))
        if (v := get("ADIZWATCH_PARTITIONS")) is not None:
            s = replace(s, partitions=_parse_int("ADIZWATCH_PARTITIONS", v, 1, 10_000))
        if (v := get("ADIZWATCH_REPLICATION_FACTOR")) is not None:
            s = replace(s, replication_factor=_parse_int("ADIZWATCH_REPLICATION_FACTOR", v, 1, 10))
        if (v := get("ADIZWATCH_MAX_GAP_S")) is not None:
            s = replace(s, max_gap_s=_parse_int("ADIZWATCH_MAX_GAP_S", v, 1, 86_400))
        if (v := get("ADIZWATCH_LOST_AIRCRAFT_S")) is not None:
            s = replace(s, lost_aircraft_s=_parse_int("ADIZWATCH_LOST_AIRCRAFT_S", v, 1, 86_400))
        if (v := get("ADIZWATCH_LOST_VESSEL_S")) is not None:
            s = replace(s, lost_vessel_s=_parse_int("ADIZWATCH_LOST_VESSEL_S", v, 1, 86_400))
        if (v := get("ADIZWATCH_ALLOWED_LATENESS_MS")) is not None:
            s = replace(s, allowed_lateness_ms=_parse_int("ADIZWATCH_ALLOWED_LATENESS_MS", v, 0,
                                                          3_600_000))
        if (v := get("ADIZWATCH_IDLE_TIMEOUT_MS")) is not None:
            s = replace(s, idle_timeout_ms=_parse_int("ADIZWATCH_IDLE_TIMEOUT_MS", v, 100,
                                                      3_600_000))
        if (v := get("ADIZWATCH_MAX_FUTURE_S")) is not None:
            s = replace(s, max_future_s=_parse_int("ADIZWATCH_MAX_FUTURE_S", v, 0, 86_400 * 366))
        if (v := get("ADIZWATCH_MAX_AHEAD_S")) is not None:
            s = replace(s, max_ahead_s=_parse_int("ADIZWATCH_MAX_AHEAD_S", v, 60, 86_400 * 366))
        if (v := get("ADIZWATCH_ALLIED_COUNTRIES")) is not None:
            s = replace(s, allied_countries=_parse_countries("ADIZWATCH_ALLIED_COUNTRIES", v))
        if (v := get("ADIZWATCH_IDENTITY_RULES")) is not None:
            (rules,) = parse_paths("ADIZWATCH_IDENTITY_RULES", v)[:1]
            s = replace(s, identity_rules=rules)
        if (v := get("ADIZWATCH_WATCHLISTS")) is not None:
            s = replace(s, watchlists=parse_paths("ADIZWATCH_WATCHLISTS", v))
        if (v := get("ADIZWATCH_FLIGHTPLANS")) is not None:
            s = replace(s, flightplans=parse_paths("ADIZWATCH_FLIGHTPLANS", v))
        if (v := get("ADIZWATCH_DATA_DIR")) is not None:
            if not v:
                raise SettingsError("ADIZWATCH_DATA_DIR: empty")
            s = replace(s, data_dir=Path(v))
        if (v := get("ADIZWATCH_LOG_LEVEL")) is not None:
            if v.upper() not in _LOG_LEVELS:
                raise SettingsError(f"ADIZWATCH_LOG_LEVEL: {v!r} is not one of {_LOG_LEVELS}")
            s = replace(s, log_level=v.upper())
        if (v := get("ADIZWATCH_LOG_FORMAT")) is not None:
            s = replace(s, log_format=_parse_choice("ADIZWATCH_LOG_FORMAT", v.lower(),
                                                    LOG_FORMATS))
        if (v := get("ADIZWATCH_METRICS_PORT")) is not None:
            s = replace(s, metrics_port=_parse_int("ADIZWATCH_METRICS_PORT", v, 0, 65_535))
        if (v := get("ADIZWATCH_CLIENT_ID")) is not None:
            s = replace(s, client_id=_parse_name("ADIZWATCH_CLIENT_ID", v, allow_empty=False))
        return _kafka_security(s, environ)


def _kafka_security(s: Settings, environ: Mapping[str, str]) -> Settings:
    """The ``ADIZWATCH_SECURITY_PROTOCOL``, ``..._SASL_*`` and ``..._SSL_*`` settings, checked
    against each other."""
    get = environ.get
    protocol = _parse_choice("ADIZWATCH_SECURITY_PROTOCOL",
                             get("ADIZWATCH_SECURITY_PROTOCOL", s.security_protocol).upper(),
                             SECURITY_PROTOCOLS)
    sasl = protocol.startswith("SASL_")
    tls = protocol in ("SSL", "SASL_SSL")
    given = [name for name, value in environ.items()
             if value and name.startswith(("ADIZWATCH_SASL_", "ADIZWATCH_SSL_"))]
    for name in sorted(given):
        if name.startswith("ADIZWATCH_SASL_") and not sasl:
            raise SettingsError(f"{name}: set, but ADIZWATCH_SECURITY_PROTOCOL={protocol} "
                                "uses no SASL (SASL_PLAINTEXT or SASL_SSL)")
        if name.startswith("ADIZWATCH_SSL_") and not tls:
            raise SettingsError(f"{name}: set, but ADIZWATCH_SECURITY_PROTOCOL={protocol} "
                                "uses no TLS (SSL or SASL_SSL)")
    s = replace(s, security_protocol=protocol)
    if sasl:
        mechanism = get("ADIZWATCH_SASL_MECHANISM")
        if not mechanism:
            raise SettingsError(f"ADIZWATCH_SASL_MECHANISM: required with {protocol}, one of "
                                f"{SASL_MECHANISMS}")
        username = get("ADIZWATCH_SASL_USERNAME")
        if not username:
            raise SettingsError(f"ADIZWATCH_SASL_USERNAME: required with {protocol}")
        s = replace(s, sasl_mechanism=_parse_choice("ADIZWATCH_SASL_MECHANISM",
                                                    mechanism.upper(), SASL_MECHANISMS),
                    sasl_username=username,
                    sasl_password=_secret(environ, "ADIZWATCH_SASL_PASSWORD", required=True))
    if tls:
        files = {name: _parse_file(name, v) for name in ("ADIZWATCH_SSL_CAFILE",
                 "ADIZWATCH_SSL_CERTFILE", "ADIZWATCH_SSL_KEYFILE") if (v := get(name))}
        cert, key = files.get("ADIZWATCH_SSL_CERTFILE"), files.get("ADIZWATCH_SSL_KEYFILE")
        if cert is not None and key is None:
            raise SettingsError("ADIZWATCH_SSL_CERTFILE: needs ADIZWATCH_SSL_KEYFILE (the key "
                                "of the client certificate)")
        if key is not None and cert is None:
            raise SettingsError("ADIZWATCH_SSL_KEYFILE: needs ADIZWATCH_SSL_CERTFILE")
        if get("ADIZWATCH_SSL_KEY_PASSWORD_FILE") and key is None:
            raise SettingsError("ADIZWATCH_SSL_KEY_PASSWORD_FILE: needs ADIZWATCH_SSL_KEYFILE")
        s = replace(s, ssl_cafile=files.get("ADIZWATCH_SSL_CAFILE"), ssl_certfile=cert,
                    ssl_keyfile=key,
                    ssl_key_password=_secret(environ, "ADIZWATCH_SSL_KEY_PASSWORD",
                                             required=False, file_only=True))
    return s


def _secret(environ: Mapping[str, str], name: str, required: bool,
            file_only: bool = False) -> str | None:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE`` (exactly one of them)."""
    file_name = f"{name}_FILE"
    value = None if file_only else (environ.get(name) or None)
    path = environ.get(file_name) or None
    if value is not None and path is not None:
        raise SettingsError(f"{name}: set both {name} and {file_name}; keep one")
    if path is not None:
        try:
            value = _parse_file(file_name, path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{file_name}: cannot read {path}: {exc}") from None
        value = value.removesuffix("\n").removesuffix("\r")
        if not value:
            raise SettingsError(f"{file_name}: {path} is empty")
    if value is None and required:
        raise SettingsError(f"{name}: required with SASL (or {file_name})")
    return value


def _parse_file(name: str, value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise SettingsError(f"{name}: {value} is not a file")
    return path


def _parse_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise SettingsError(f"{name}: {value!r} is not one of {', '.join(choices)}")
    return value


def parse_bootstrap(name: str, value: str) -> str:
    servers = [part.strip() for part in value.split(",") if part.strip()]
    if not servers:
        raise SettingsError(f"{name}: empty")
    for server in servers:
        host, sep, port = server.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(f"{name}: {server!r} is not HOST:PORT")
    return ",".join(servers)


def parse_paths(name: str, value: str) -> tuple[Path, ...]:
    """Comma-separated paths that must exist."""
    paths = tuple(Path(part.strip()) for part in value.split(",") if part.strip())
    if not paths:
        raise SettingsError(f"{name}: empty")
    for path in paths:
        if not path.exists():
            raise SettingsError(f"{name}: {path} does not exist")
    return paths


def _parse_name(name: str, value: str, allow_empty: bool) -> str:
    if not value and not allow_empty:
        raise SettingsError(f"{name}: empty")
    if len(value) > 200 or not all(c.isalnum() or c in "._-" for c in value):
        raise SettingsError(f"{name}: {value!r} may hold only letters, digits and . _ -")
    return value


def _parse_int(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{name}: {value!r} is not an integer") from None
    if not low <= number <= high:
        raise SettingsError(f"{name}: {number} is outside [{low}, {high}]")
    return number


def _parse_countries(name: str, value: str) -> frozenset[str]:
    codes = frozenset(part.strip().upper() for part in value.split(",") if part.strip())
    for code in codes:
        if len(code) != 2 or not code.isalpha():
            raise SettingsError(f"{name}: {code!r} is not an ISO 3166-1 alpha-2 code")
    return codes
