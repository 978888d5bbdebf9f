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


SASL = {"ADIZWATCH_SECURITY_PROTOCOL": "SASL_SSL", "ADIZWATCH_SASL_MECHANISM": "SCRAM-SHA-512",
        "ADIZWATCH_SASL_USERNAME": "adizwatch"}


def _file(tmp_path: Path, name: str, text: str = "x") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_kafka_defaults_are_plaintext_with_the_adizwatch_client_id() -> None:
    settings = Settings.from_env({})
    assert (settings.security_protocol, settings.client_id, settings.log_format) == (
        "PLAINTEXT", "adizwatch", "text")
    assert settings.sasl_mechanism is None and settings.ssl_cafile is None
    assert settings.secrets == ()


def test_sasl_password_from_a_file_is_kept_out_of_repr(tmp_path: Path) -> None:
    settings = Settings.from_env(SASL | {
        "ADIZWATCH_SASL_PASSWORD_FILE": _file(tmp_path, "pw", "s3cr3t-pw\n"),
        "ADIZWATCH_SSL_CAFILE": _file(tmp_path, "ca.pem"),
        "ADIZWATCH_CLIENT_ID": "adizwatch-eu1", "ADIZWATCH_LOG_FORMAT": "JSON"})
    assert (settings.security_protocol, settings.sasl_mechanism, settings.sasl_username,
            settings.sasl_password) == ("SASL_SSL", "SCRAM-SHA-512", "adizwatch", "s3cr3t-pw")
    assert (settings.client_id, settings.log_format) == ("adizwatch-eu1", "json")
    assert settings.ssl_cafile == tmp_path / "ca.pem"
    assert settings.secrets == ("s3cr3t-pw",)
    assert "s3cr3t" not in repr(settings) and "s3cr3t" not in str(settings)


def test_sasl_password_from_the_environment_and_key_password_from_a_file(
        tmp_path: Path) -> None:
    settings = Settings.from_env(SASL | {
        "ADIZWATCH_SASL_MECHANISM": "plain", "ADIZWATCH_SASL_PASSWORD": "pw1",
        "ADIZWATCH_SSL_CERTFILE": _file(tmp_path, "c.pem"),
        "ADIZWATCH_SSL_KEYFILE": _file(tmp_path, "k.pem"),
        "ADIZWATCH_SSL_KEY_PASSWORD_FILE": _file(tmp_path, "kpw", "pw2\r\n")})
    assert (settings.sasl_mechanism, settings.sasl_password, settings.ssl_key_password) == (
        "PLAIN", "pw1", "pw2")
    assert settings.secrets == ("pw1", "pw2")
    assert "pw1" not in repr(settings) and "pw2" not in repr(settings)


def test_empty_variables_count_as_unset() -> None:
    settings = Settings.from_env({"ADIZWATCH_SSL_CAFILE": "", "ADIZWATCH_SASL_PASSWORD": ""})
    assert settings.security_protocol == "PLAINTEXT"


def _security_errors(tmp_path: Path) -> list[tuple[str, dict[str, str]]]:
    pw = _file(tmp_path, "pw", "secret")
    empty = _file(tmp_path, "empty", "\n")
    cert, key = _file(tmp_path, "c.pem"), _file(tmp_path, "k.pem")
    missing = str(tmp_path / "missing.pem")
    ssl = {"ADIZWATCH_SECURITY_PROTOCOL": "SSL"}
    return [
        ("ADIZWATCH_SECURITY_PROTOCOL", {"ADIZWATCH_SECURITY_PROTOCOL": "TLS"}),
        ("ADIZWATCH_SASL_MECHANISM", SASL | {"ADIZWATCH_SASL_MECHANISM": "GSSAPI",
                                             "ADIZWATCH_SASL_PASSWORD": "x"}),
        ("ADIZWATCH_SASL_MECHANISM", {"ADIZWATCH_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                                      "ADIZWATCH_SASL_USERNAME": "u",
                                      "ADIZWATCH_SASL_PASSWORD": "x"}),
        ("ADIZWATCH_SASL_USERNAME", {"ADIZWATCH_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                                     "ADIZWATCH_SASL_MECHANISM": "PLAIN",
                                     "ADIZWATCH_SASL_PASSWORD": "x"}),
        ("ADIZWATCH_SASL_PASSWORD", SASL),
        ("ADIZWATCH_SASL_PASSWORD", SASL | {"ADIZWATCH_SASL_PASSWORD": "x",
                                            "ADIZWATCH_SASL_PASSWORD_FILE": pw}),
        ("ADIZWATCH_SASL_PASSWORD_FILE", SASL | {"ADIZWATCH_SASL_PASSWORD_FILE": missing}),
        ("ADIZWATCH_SASL_PASSWORD_FILE", SASL | {"ADIZWATCH_SASL_PASSWORD_FILE": empty}),
        ("ADIZWATCH_SASL_PASSWORD_FILE", SASL | {"ADIZWATCH_SASL_PASSWORD_FILE": str(tmp_path)}),
        ("ADIZWATCH_SASL_USERNAME", {"ADIZWATCH_SASL_USERNAME": "u"}),
        ("ADIZWATCH_SASL_PASSWORD", ssl | {"ADIZWATCH_SASL_PASSWORD": "x"}),
        ("ADIZWATCH_SSL_CAFILE", {"ADIZWATCH_SSL_CAFILE": cert}),
        ("ADIZWATCH_SSL_CAFILE", {"ADIZWATCH_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                                  "ADIZWATCH_SASL_MECHANISM": "PLAIN",
                                  "ADIZWATCH_SASL_USERNAME": "u",
                                  "ADIZWATCH_SASL_PASSWORD": "x",
                                  "ADIZWATCH_SSL_CAFILE": cert}),
        ("ADIZWATCH_SSL_CAFILE", ssl | {"ADIZWATCH_SSL_CAFILE": missing}),
        ("ADIZWATCH_SSL_CERTFILE", ssl | {"ADIZWATCH_SSL_CERTFILE": cert}),
        ("ADIZWATCH_SSL_KEYFILE", ssl | {"ADIZWATCH_SSL_KEYFILE": key}),
        ("ADIZWATCH_SSL_KEYFILE", ssl | {"ADIZWATCH_SSL_CERTFILE": cert,
                                         "ADIZWATCH_SSL_KEYFILE": missing}),
        ("ADIZWATCH_SSL_KEY_PASSWORD_FILE", ssl | {"ADIZWATCH_SSL_KEY_PASSWORD_FILE": pw}),
        ("ADIZWATCH_SSL_KEY_PASSWORD_FILE", {"ADIZWATCH_SSL_KEY_PASSWORD_FILE": pw}),
        ("ADIZWATCH_CLIENT_ID", {"ADIZWATCH_CLIENT_ID": ""}),
        ("ADIZWATCH_CLIENT_ID", {"ADIZWATCH_CLIENT_ID": "two words"}),
        ("ADIZWATCH_LOG_FORMAT", {"ADIZWATCH_LOG_FORMAT": "xml"}),
    ]


def test_bad_kafka_security_settings_fail_with_the_variable_name(tmp_path: Path) -> None:
    for name, environ in _security_errors(tmp_path):
        with pytest.raises(SettingsError, match=f"^{name}: ") as caught:
            Settings.from_env(environ)
        assert "secret" not in str(caught.value), environ
