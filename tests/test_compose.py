"""docker-compose.yml cannot run here (no Docker engine); check its structure instead."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_defines_the_production_stack():
    services = _compose()["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    assert "gunicorn servicedesk.wsgi:application" in services["web"]["command"]
    assert "celery -A servicedesk worker" in services["worker"]["command"]
    assert "celery -A servicedesk beat" in services["beat"]["command"]
    assert "DatabaseScheduler" in services["beat"]["command"]


def test_every_service_has_a_health_check_and_dependencies_exist():
    compose = _compose()
    services = compose["services"]
    for name, service in services.items():
        if name != "beat":  # beat has no port or ping to probe; its parents do
            assert "healthcheck" in service, name
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"
    for volume_owner in ["postgres", "redis"]:
        for mount in services[volume_owner]["volumes"]:
            assert mount.split(":")[0] in compose["volumes"]


def test_app_services_point_at_postgres_and_redis():
    for name in ["web", "worker", "beat"]:
        env = _compose()["services"][name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:")
        assert env["DEBUG"] == "false"


def test_the_image_build_context_has_a_dockerfile():
    assert (ROOT / _compose()["services"]["web"]["build"] / "Dockerfile").exists()
