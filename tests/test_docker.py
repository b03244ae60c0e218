"""The container files describe the production-like stack of DESIGN.md (no Docker engine here,
so they are checked as text: services, shared environment, commands, non-root image)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
REQUIRED_ENV = {
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "EMAIL_URL",
    "SMS_BACKEND",
    "DJANGO_SETTINGS_MODULE",
    "SECURE_SSL_REDIRECT",
}


@pytest.fixture
def compose() -> dict:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def _command(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_compose_has_the_five_services(compose):
    # then
    assert set(compose["services"]) == {"postgres", "redis", "proxy", "web", "worker", "beat"}
    assert compose["services"]["postgres"]["image"] == "postgres:16"
    assert compose["services"]["redis"]["image"] == "redis:7"


def test_app_services_share_one_environment_with_production_settings(compose):
    # given
    services = compose["services"]
    environments = [services[name]["environment"] for name in ("web", "worker", "beat")]

    # then
    assert environments[0] == environments[1] == environments[2]
    environment = environments[0]
    assert set(environment) >= REQUIRED_ENV
    assert environment["DJANGO_SETTINGS_MODULE"] == "salonbook.settings.production"
    assert environment["SECURE_SSL_REDIRECT"] == "${SECURE_SSL_REDIRECT:-false}"
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert "@postgres:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    # the secret has no default in the file: compose refuses to start without it
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")


def test_every_compose_variable_is_read_by_the_settings(compose):
    # given
    settings_source = "".join(
        path.read_text() for path in (BASE_DIR / "salonbook" / "settings").glob("*.py")
    )

    # then
    environment = compose["services"]["web"]["environment"]
    unread = [name for name in environment if f'"{name}"' not in settings_source]
    assert unread == ["DJANGO_SETTINGS_MODULE"]


def test_web_migrates_before_serving_and_workers_run_celery(compose):
    # given
    services = compose["services"]

    # then
    web = _command(services["web"])
    assert web.index("manage.py migrate --noinput") < web.index("gunicorn salonbook.wsgi")
    assert "&& exec gunicorn" in web
    assert re.search(r"celery -A salonbook worker\b", _command(services["worker"]))
    assert re.search(r"celery -A salonbook beat\b", _command(services["beat"]))
    assert services["web"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert services["web"]["depends_on"]["redis"] == {"condition": "service_healthy"}
    for name in ("worker", "beat"):
        assert services[name]["depends_on"] == {"web": {"condition": "service_healthy"}}


def test_dockerfile_builds_a_non_root_gunicorn_image():
    # given
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    instructions = [
        line.split(maxsplit=1)
        for line in dockerfile.splitlines()
        if line and not line.startswith((" ", "#"))
    ]
    keywords = [keyword for keyword, *_ in instructions]

    # then
    assert instructions[0] == ["FROM", "python:3.12-slim"]
    assert "RUN pip install ." in dockerfile
    assert "manage.py collectstatic --noinput" in dockerfile
    user = [rest for keyword, rest in instructions if keyword == "USER"]
    assert user == ["app"]
    assert keywords.index("USER") < keywords.index("CMD")
    assert '"gunicorn", "salonbook.wsgi:application"' in dockerfile


def test_dockerignore_keeps_local_state_out_of_the_image():
    # given
    ignored = set((BASE_DIR / ".dockerignore").read_text().split())

    # then
    assert {".git", ".venv", "var", ".env"} <= ignored


def test_gunicorn_is_reached_only_through_the_proxy_whose_header_is_trusted(compose):
    # given
    services = compose["services"]
    nginx = (BASE_DIR / "deploy" / "nginx.conf").read_text()

    # then: the proxy is published, gunicorn is not
    assert "ports" not in services["web"]
    assert services["proxy"]["ports"] == ["8000:80"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["proxy"]["volumes"]
    # nginx *sets* X-Forwarded-For to the peer's address (a client cannot prepend to it) …
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx
    assert "proxy_pass http://web:8000;" in nginx
    # … and the app trusts exactly that header
    environment = services["web"]["environment"]
    assert environment["TRUSTED_PROXY_HEADER"] == "HTTP_X_FORWARDED_FOR"


def test_gunicorn_runs_with_the_config_file():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    compose_text = (BASE_DIR / "docker-compose.yml").read_text()
    assert '"--config", "gunicorn.conf.py"' in dockerfile
    assert "gunicorn salonbook.wsgi:application --config gunicorn.conf.py" in compose_text
