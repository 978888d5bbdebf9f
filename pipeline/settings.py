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
| ADIZWATCH_ALLIED_COUNTRIES | US,CA | ISO 3166-1 alpha-2 codes of own/allied states |
| ADIZWATCH_IDENTITY_RULES | (bundled default) | TOML rule table for standard identities |
| ADIZWATCH_WATCHLISTS | (none) | watch-list CSV files, comma-separated, loaded at start |
| ADIZWATCH_FLIGHTPLANS | (none) | flight-plan JSON-lines files, comma-separated, loaded at start |
| ADIZWATCH_DATA_DIR | (temp dir)/adizwatch | faust's working directory (state is in changelogs) |
| ADIZWATCH_LOG_LEVEL | INFO | DEBUG, INFO, WARNING or ERROR |
| ADIZWATCH_METRICS_PORT | 9108 | port of the Prometheus text exposition (/metrics); 0 = off |
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.geofence.zones import default_zone_dir
from pipeline.identify.enrich import DEFAULT_ALLIED_COUNTRIES

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


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
    allied_countries: frozenset[str] = DEFAULT_ALLIED_COUNTRIES
    identity_rules: Path | None = None
    watchlists: tuple[Path, ...] = ()
    flightplans: tuple[Path, ...] = ()
    data_dir: Path = Path(tempfile.gettempdir()) / "adizwatch"
    log_level: str = "INFO"
    metrics_port: int = 9108
    """Prometheus exposition port (9108: next to node-exporter's 9100 range); 0 = off."""
    embedded_broker: bool = False
    """Set by the launcher when the broker is the embedded Tansu (enables its workarounds)."""

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
        if (v := get("ADIZWATCH_METRICS_PORT")) is not None:
            s = replace(s, metrics_port=_parse_int("ADIZWATCH_METRICS_PORT", v, 0, 65_535))
        return s


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
