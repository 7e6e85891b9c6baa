"""compose.yaml, checked with and without Docker.

``docker compose config`` validates the file where the compose plugin is installed. Everywhere,
the file is validated against the official Compose Specification JSON schema (vendored as
``compose-spec.json``, see README.md here), every variable it sets for a tracker service must be
one that tracker/ or api/ reads, and the tests check the structure the deployment relies on:
services, health checks, start order, one image, and that every service's command is a real
``tracker`` subcommand.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from service.cli import build_parser
from tracker.settings import environment_variables

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def merged(service: dict[str, Any]) -> dict[str, Any]:
    """YAML merge keys (<<) are resolved by safe_load already; this is the service as run."""
    return service


def test_compose_has_the_database_migration_api_projector_scheduler_webhooks_and_proxy() -> None:
    services = compose()["services"]
    assert set(services) == {
        "db",
        "migrate",
        "api",
        "projector",
        "scheduler",
        "webhooks",
        "proxy",
        "mail",
    }
    assert services["webhooks"]["command"] == ["tracker", "webhooks", "run"]
    assert "--no-webhooks" in services["api"]["command"]
    assert services["db"]["image"].startswith("postgres:15")
    assert "healthcheck" in services["db"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["db"]["volumes"])
    assert services["api"]["deploy"]["replicas"] == 2
    assert services["proxy"]["ports"] == ["127.0.0.1:8000:80"]


def test_app_services_start_after_a_healthy_database_and_a_finished_migration() -> None:
    services = compose()["services"]
    for name in ("api", "projector", "scheduler", "webhooks"):
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
    assert compose()["services"]["api"]["command"][-2:] == ["--no-projector", "--no-webhooks"]


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


# --- The Compose Specification's own JSON schema ------------------------------------------------
# tests/deploy/compose-spec.json is the official schema, byte for byte: see tests/deploy/README.md
# for where it came from and how to refresh it.

SCHEMA_PATH = Path(__file__).with_name("compose-spec.json")
SCHEMA_SHA256 = "d549057ebc2925f39f62799eab0db7b9e2c18b35b6c00595199116da3ed10e64"


def compose_schema() -> dict[str, Any]:
    loaded = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def schema_errors(document: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """Every error the schema finds, with those inside oneOf/anyOf branches: (path, message)."""
    schema = compose_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema)
    found: list[tuple[tuple[str | int, ...], str]] = []
    pending = list(validator.iter_errors(document))
    while pending:
        error = pending.pop()
        found.append((tuple(error.absolute_path), error.message))
        pending.extend(error.context or [])
    return found


def report(errors: list[tuple[tuple[str | int, ...], str]]) -> str:
    return "\n".join(
        f"{'/'.join(map(str, path)) or '(top)'}: {message}" for path, message in errors
    )


def test_the_vendored_schema_is_the_complete_official_file() -> None:
    raw = SCHEMA_PATH.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256, "compose-spec.json was changed"
    schema = compose_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "Compose Specification"
    assert {"services", "volumes", "networks", "secrets", "configs"} <= set(schema["properties"])
    assert {"service", "deployment", "healthcheck", "workload_spec"} <= set(schema["$defs"])
    validator_class = jsonschema.validators.validator_for(schema)
    assert validator_class is jsonschema.Draft202012Validator
    validator_class.check_schema(schema)


def test_compose_yaml_is_valid_under_the_compose_specification() -> None:
    errors = schema_errors(compose())
    assert errors == [], "compose.yaml breaks the Compose Specification:\n" + report(errors)


def _with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """A changed copy; the JSON round trip unshares what YAML merge keys (<<: *app) share."""
    document = json.loads(json.dumps(compose()))
    assert isinstance(document, dict)
    change(document)
    return document


def _set(path: tuple[str, ...], value: object) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        node = document
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


def _rename(path: tuple[str, ...], new: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        node = document
        for key in path[:-1]:
            node = node[key]
        node[new] = node.pop(path[-1])

    return change


@pytest.mark.parametrize(
    ("mistake", "change", "where"),
    [
        (
            "an unknown depends_on condition",
            _set(("services", "api", "depends_on", "db", "condition"), "service_good"),
            ("services", "api", "depends_on", "db", "condition"),
        ),
        (
            "a fractional replica count",
            _set(("services", "api", "deploy", "replicas"), 2.5),
            ("services", "api", "deploy", "replicas"),
        ),
        (
            "a misspelt service key",
            _rename(("services", "db", "healthcheck"), "healtcheck"),
            ("services", "db"),
        ),
        (
            "ports as one string instead of a list",
            _set(("services", "proxy", "ports"), "127.0.0.1:8000:80"),
            ("services", "proxy", "ports"),
        ),
        (
            "a misspelt top-level key",
            _rename(("volumes",), "volume"),
            (),
        ),
    ],
)
def test_the_schema_check_rejects_a_broken_compose_file(
    mistake: str, change: Callable[[dict[str, Any]], None], where: tuple[str, ...]
) -> None:
    errors = schema_errors(_with(change))
    assert errors, f"{mistake} was accepted"
    assert any(path == where for path, _ in errors), f"{mistake}:\n{report(errors)}"


# --- Environment variables: every one compose.yaml sets is one the code reads --------------------

SOURCE_PACKAGES = ("tracker", "api", "service")
# Variables for programs other than the tracker (Python itself) may be set freely.
OTHER_PROGRAMS_PREFIXES = ("PYTHON",)
NAME = re.compile(r"TRACKER_[A-Z0-9_]+")


def variables_the_code_reads() -> set[str]:
    """Every ``TRACKER_*`` name in the source: what ``tracker.settings`` reads, and string
    literals elsewhere that are exactly a name."""
    names: set[str] = set(environment_variables())
    for package in SOURCE_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and NAME.fullmatch(node.value)
                ):
                    names.add(node.value)
    return names


def _tracker_services(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in document["services"].items()
        if service.get("image") == "tracker:latest" or "build" in service
    }


def _environment_names(service: dict[str, Any]) -> set[str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        return {item.split("=", 1)[0] for item in environment}
    return set(environment)


def unknown_variables(document: dict[str, Any], text: str, known: set[str]) -> list[str]:
    """``service: NAME`` for each variable set for a tracker service that no code reads, and
    ``${NAME}`` for each ``TRACKER_`` interpolation (the operator's shell variable) likewise."""
    unknown = {
        f"{name}: {variable}"
        for name, service in _tracker_services(document).items()
        for variable in _environment_names(service)
        if variable not in known and not variable.startswith(OTHER_PROGRAMS_PREFIXES)
    }
    unknown.update(
        f"${{{variable}}}"
        for variable in re.findall(r"\$\{(TRACKER_[A-Z0-9_]+)", text)
        if variable not in known
    )
    return sorted(unknown)


def test_the_variable_scan_finds_literal_and_field_made_names() -> None:
    known = variables_the_code_reads()
    assert "TRACKER_DATABASE_URL" in known  # a literal in tracker/settings.py
    assert "TRACKER_SESSION_SECRET" in known  # a literal in tracker/settings.py
    assert "TRACKER_SMTP_URL" in known  # only as a ReminderSettings field
    assert "TRACKER_REMINDERS_CRON" in known  # only as a ReminderSettings field
    assert "TRACKER_NAMESPACE" not in known  # a Python name, not an environment variable


def test_every_variable_compose_sets_for_the_tracker_is_one_the_code_reads() -> None:
    document = compose()
    assert set(_tracker_services(document)) == {
        "migrate",
        "api",
        "projector",
        "scheduler",
        "webhooks",
    }
    text = (ROOT / "compose.yaml").read_text()
    unknown = unknown_variables(document, text, variables_the_code_reads())
    assert unknown == [], f"compose.yaml sets variables no code reads: {unknown}"


def test_the_variable_check_rejects_a_misspelt_name() -> None:
    text = (ROOT / "compose.yaml").read_text()
    misspelt = text.replace("TRACKER_LOG_FORMAT: json", "TRACKER_LOG_FORMATS: json").replace(
        "${TRACKER_BASE_URL:-", "${TRACKER_BASE_ULR:-"
    )
    assert misspelt.count("TRACKER_LOG_FORMATS") == 1
    document = yaml.safe_load(misspelt)
    unknown = unknown_variables(document, misspelt, variables_the_code_reads())
    assert unknown == [
        "${TRACKER_BASE_ULR}",
        "api: TRACKER_LOG_FORMATS",
        "projector: TRACKER_LOG_FORMATS",
        "scheduler: TRACKER_LOG_FORMATS",
        "webhooks: TRACKER_LOG_FORMATS",
    ]
