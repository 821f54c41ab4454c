"""docker-compose.yml, the production shape, checked where Docker is not available (this machine has
the docker client but no daemon and no compose plugin): the file's shape is read as compose reads it
(anchors and merges), and its services are started with their own commands and environment by
scripts/compose_local.py on this machine's PostgreSQL and Redis."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import compose_local  # noqa: E402

from tests.test_run_script import free_port  # noqa: E402


@pytest.fixture(scope="module")
def spec():
    return compose_local.compose()


def test_every_service_of_the_production_shape_is_there(spec):
    assert set(spec["services"]) == {"web", "worker", "beat", "migrate", "db", "redis"}
    for name in compose_local.APP_SERVICES:
        service = spec["services"][name]
        assert service["build"] == "." and service["image"] == "tj-hightech-portal:latest", name
        env = service["environment"]
        assert re.fullmatch(
            r"postgres://portal:\$\{POSTGRES_PASSWORD:\?[^}]+\}@db:5432/portal", env["DATABASE_URL"]
        )
        assert env["REDIS_URL"] == "redis://redis:6379/0"


def test_the_services_start_in_order_and_scale(spec):
    services = spec["services"]
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["db"]["condition"] == depends["redis"]["condition"] == "service_healthy", name
        assert "ports" not in services[name], f"{name}: a published host port cannot scale"
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--no-input"]
    assert services["beat"]["deploy"]["replicas"] == 1  # one beat, or every periodic task runs twice
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    # Web and worker share the uploads; MEDIA_ROOT is where the volume is mounted.
    for name in ("web", "worker"):
        assert f"media:{services[name]['environment']['MEDIA_ROOT']}" in services[name]["volumes"]
    for name in ("db", "redis"):
        assert services[name]["healthcheck"]["test"], name


def test_web_runs_the_image_default_command():
    cmd = compose_local.dockerfile_cmd()
    assert cmd[:2] == ["gunicorn", "config.wsgi"]
    assert cmd[cmd.index("--bind") + 1] == "0.0.0.0:8000"
    assert "EXPOSE 8000" in (ROOT / "Dockerfile").read_text()


def test_every_required_variable_is_in_the_example_env():
    """`${NAME:?…}` makes compose refuse to start without NAME: .env.example lists each one."""
    required = set(re.findall(r"\$\{(\w+):\?", (ROOT / "docker-compose.yml").read_text()))
    example = {
        line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines() if "=" in line
    }
    assert required and required <= example


@pytest.fixture
def database():
    name = f"portal_compose_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres:postgres@127.0.0.1:5432/{name}"
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.celery_worker
def test_the_compose_services_start_without_docker(database, tmp_path):
    """migrate exits 0; then web answers /healthz/ (SELECT 1 on PostgreSQL), the worker answers a ping
    over Redis and beat writes its schedule: each service's own command and environment."""
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "compose_local.py"),
            "--database-url",
            database,
            "--redis-url",
            "redis://127.0.0.1:6379/9",
            "--var-dir",
            str(tmp_path / "var"),
            "--port",
            str(free_port()),
            "--check",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    lines = run.stdout.splitlines()
    assert "migrate: exited 0" in lines
    for name in ("web", "worker", "beat"):
        assert f"{name}: healthy" in lines, run.stdout
    assert lines[-2:] == ["ready", "stopped"]
