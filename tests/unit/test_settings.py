"""Settings from the environment: defaults, overrides, and errors that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.settings import Settings, SettingsError


def test_defaults_work_locally() -> None:
    settings = Settings.from_env({})
    assert settings.bootstrap_servers == "localhost:9092"
    assert settings.zone_paths[0].name == "adiz"
    assert settings.allied_countries == frozenset({"US", "CA"})
    assert settings.metrics_port == 9108


def test_metrics_port_zero_turns_the_exposition_off() -> None:
    assert Settings.from_env({"ADIZWATCH_METRICS_PORT": "0"}).metrics_port == 0
    assert Settings.from_env({"ADIZWATCH_METRICS_PORT": "9200"}).metrics_port == 9200


def test_overrides(tmp_path: Path) -> None:
    zones = tmp_path / "z.geojson"
    zones.write_text("{}")
    settings = Settings.from_env({
        "ADIZWATCH_BOOTSTRAP_SERVERS": "k1:9092, k2:9093",
        "ADIZWATCH_ZONES": str(zones),
        "ADIZWATCH_TOPIC_PREFIX": "prod.",
        "ADIZWATCH_PARTITIONS": "12",
        "ADIZWATCH_ALLIED_COUNTRIES": "us,ca,gb",
        "ADIZWATCH_LOG_LEVEL": "debug",
    })
    assert settings.bootstrap_servers == "k1:9092,k2:9093"
    assert settings.zone_paths == (zones,)
    assert (settings.topic_prefix, settings.partitions, settings.log_level) == (
        "prod.", 12, "DEBUG")
    assert settings.allied_countries == frozenset({"US", "CA", "GB"})


@pytest.mark.parametrize(("name", "value"), [
    ("ADIZWATCH_BOOTSTRAP_SERVERS", "no-port"),
    ("ADIZWATCH_BOOTSTRAP_SERVERS", "host:99999"),
    ("ADIZWATCH_ZONES", "/does/not/exist.geojson"),
    ("ADIZWATCH_PARTITIONS", "0"),
    ("ADIZWATCH_PARTITIONS", "four"),
    ("ADIZWATCH_TOPIC_PREFIX", "bad prefix/"),
    ("ADIZWATCH_ALLIED_COUNTRIES", "USA"),
    ("ADIZWATCH_LOG_LEVEL", "LOUD"),
    ("ADIZWATCH_MAX_GAP_S", "-1"),
    ("ADIZWATCH_METRICS_PORT", "70000"),
    ("ADIZWATCH_METRICS_PORT", "http"),
])
def test_bad_values_fail_with_the_variable_name(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name}: "):
        Settings.from_env({name: value})
