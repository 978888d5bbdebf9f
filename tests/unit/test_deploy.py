"""The deployment files agree with the code and with each other: the port Prometheus scrapes
is the port the workers serve, the probes ask the endpoints the worker has, and the alerts
use only metrics the workers export. (Their syntax is checked by CI: docker-compose config,
kubernetes-validate.)"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from pipeline.metrics import Metrics
from pipeline.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _yaml(path: Path) -> dict[str, object]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def _compose() -> dict[str, dict[str, object]]:
    services = _yaml(ROOT / "docker-compose.yml")["services"]
    assert isinstance(services, dict)
    return services


def _k8s(name: str) -> list[dict[str, object]]:
    return list(yaml.safe_load_all((DEPLOY / "k8s" / name).read_text(encoding="utf-8")))


def _worker_port_in_compose() -> int:
    worker = _compose()["worker"]
    env = worker["environment"]
    assert isinstance(env, dict)
    port = int(env["ADIZWATCH_METRICS_PORT"])
    assert worker["expose"] == [str(port)]
    return port


def test_prometheus_scrapes_every_compose_worker_on_its_metrics_port() -> None:
    config = _yaml(DEPLOY / "prometheus" / "prometheus.yml")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}  # type: ignore[attr-defined]
    job = jobs["adizwatch"]
    assert job["metrics_path"] == "/metrics"
    assert job["dns_sd_configs"] == [{"names": ["worker"], "type": "A",
                                      "port": _worker_port_in_compose(),
                                      "refresh_interval": "15s"}]
    assert "worker" in _compose()


def test_compose_mounts_the_prometheus_files_where_the_config_expects_them() -> None:
    prometheus = _compose()["prometheus"]
    mounts = {m.split(":")[1]: m.split(":")[0]  # type: ignore[union-attr]
              for m in prometheus["volumes"]}  # type: ignore[attr-defined]
    assert mounts == {"/etc/prometheus/prometheus.yml": "./deploy/prometheus/prometheus.yml",
                      "/etc/prometheus/alerts.yml": "./deploy/prometheus/alerts.yml"}
    config = _yaml(DEPLOY / "prometheus" / "prometheus.yml")
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]


def test_one_metrics_port_everywhere() -> None:
    port = Settings().metrics_port
    assert _worker_port_in_compose() == port
    (config, _zones) = _k8s("configmap.yaml")
    assert config["data"]["ADIZWATCH_METRICS_PORT"] == str(port)  # type: ignore[index]
    (deployment,) = _k8s("deployment.yaml")
    pod = deployment["spec"]["template"]  # type: ignore[index]
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(port)
    (container,) = pod["spec"]["containers"]
    assert container["ports"][0] == {"name": "metrics", "containerPort": port, "protocol": "TCP"}
    (service,) = _k8s("service.yaml")
    assert service["spec"]["ports"][0]["port"] == port  # type: ignore[index]
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert f"ADIZWATCH_METRICS_PORT={port}" in dockerfile
    assert f"EXPOSE {port}\n" in dockerfile


def test_probes_ask_the_health_endpoints() -> None:
    (deployment,) = _k8s("deployment.yaml")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]  # type: ignore[index]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}
    healthcheck = next(line for line in (DEPLOY / "Dockerfile").read_text().splitlines()
                       if line.lstrip().startswith("CMD [\"python\""))
    assert "/healthz" in healthcheck


def test_zones_path_of_the_configmap_exists_in_the_image_and_the_pod() -> None:
    (config, zones) = _k8s("configmap.yaml")
    paths = config["data"]["ADIZWATCH_ZONES"].split(",")  # type: ignore[index]
    assert paths == ["/usr/share/adizwatch/adiz", "/etc/adizwatch/zones"]
    assert "/usr/share/adizwatch/adiz" in (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    (deployment,) = _k8s("deployment.yaml")
    spec = deployment["spec"]["template"]["spec"]  # type: ignore[index]
    (container,) = spec["containers"]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v.get("configMap", {}).get("name") for v in spec["volumes"]}
    assert mounts["zones"] == "/etc/adizwatch/zones"
    assert volumes["zones"] == zones["metadata"]["name"]  # type: ignore[index]


def test_alerts_use_only_exported_metrics() -> None:
    suffixes = {"counter": ("_total",), "gauge": ("",),
                "histogram": ("_bucket", "_sum", "_count")}
    samples = {family.name + suffix for family in Metrics().registry.collect()
               for suffix in suffixes[family.type]}
    alerts = _yaml(DEPLOY / "prometheus" / "alerts.yml")
    rules = [rule for group in alerts["groups"]  # type: ignore[attr-defined]
             for rule in group["rules"]]
    used = {name for rule in rules for name in re.findall(r"adizwatch_\w+", rule["expr"])}
    assert used
    assert used <= samples, used - samples
