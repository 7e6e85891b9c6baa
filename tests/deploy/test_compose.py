"""compose.yaml, checked without Docker (this machine has no Docker engine).

``docker compose config`` validates the file where Docker is installed; here the test checks the
structure the deployment relies on: services, health checks, start order, one image, and that
every service's command is a real ``tracker`` subcommand.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tracker.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def merged(service: dict[str, Any]) -> dict[str, Any]:
    """YAML merge keys (<<) are resolved by safe_load already; this is the service as run."""
    return service


def test_compose_has_the_database_migration_api_projector_scheduler_and_proxy() -> None:
    services = compose()["services"]
    assert set(services) == {"db", "migrate", "api", "projector", "scheduler", "proxy", "mail"}
    assert services["db"]["image"].startswith("postgres:15")
    assert "healthcheck" in services["db"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["db"]["volumes"])
    assert services["api"]["deploy"]["replicas"] == 2
    assert services["proxy"]["ports"] == ["127.0.0.1:8000:80"]


def test_app_services_start_after_a_healthy_database_and_a_finished_migration() -> None:
    services = compose()["services"]
    for name in ("api", "projector", "scheduler"):
        depends = merged(services[name])["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["environment"]["TRACKER_DATABASE_URL"].startswith(
            "postgresql+asyncpg://"
        )
    assert services["migrate"]["command"] == ["tracker", "db", "upgrade"]


def test_every_service_command_is_a_tracker_subcommand() -> None:
    parser = build_parser()
    for name, service in compose()["services"].items():
        command = service.get("command")
        if not command or command[0] != "tracker":
            continue
        args = parser.parse_args(command[1:])
        assert callable(args.handler), name
    assert compose()["services"]["api"]["command"][-1] == "--no-projector"


def test_one_image_is_built_for_every_app_service() -> None:
    services = compose()["services"]
    images = {services[n]["image"] for n in ("migrate", "api", "projector", "scheduler")}
    assert images == {"tracker:latest"}
    assert (ROOT / "Dockerfile").is_file()


def _compose_plugin() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(
        ["docker", "compose", "version"], capture_output=True, text=True, timeout=30
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _compose_plugin(), reason="docker compose is not installed here")
def test_docker_compose_config_accepts_the_file() -> None:
    result = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
