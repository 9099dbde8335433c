"""deploy/: the production configurations load with bot.config and write only under /var/lib/nhacviec, the
systemd units verify, compose.yaml holds together, the proxies route what the configuration listens on."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import make_url

from bot.config import DATABASE_URL_ENV, Config, load_config
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
CONFIGS = [DEPLOY / "config.yaml", DEPLOY / "config.docker.yaml"]


def paths_of(config: Config) -> list[str]:
    """Every file or folder the configuration names."""
    found = [config.plan, *config.plans, config.storage.evidence_dir, config.sandbox.evidence_dir]
    for url in (config.database.url, config.sandbox.database):
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            found.append(parsed.database or "")
    return found


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_production_config_loads_and_every_path_is_absolute(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    config = load_config(path)
    assert config.sandbox.enabled is False and config.telegram.webhook is not None
    for item in paths_of(config):
        assert item.startswith("/"), item
    unit = (DEPLOY / "systemd" / "nhacviec.service").read_text(encoding="utf-8")
    writable = re.search(r"^ReadWritePaths=(.+)$", unit, re.M)
    assert writable is not None
    for item in (config.storage.evidence_dir, config.sandbox.evidence_dir):
        assert any(item.startswith(w) for w in writable.group(1).split()), item
    assert config.web.port == 8445 and config.telegram.webhook.port == 8443


def test_database_url_from_the_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, "postgresql+psycopg://nhacviec:pw@db.example:5432/nhacviec")
    assert load_config(DEPLOY / "config.docker.yaml").database.url.endswith("@db.example:5432/nhacviec")


def test_compose_file_holds_together() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"db", "nhacviec", "caddy"}
    app = services["nhacviec"]
    assert (DEPLOY / app["build"]["context"] / app["build"]["dockerfile"]).is_file()
    assert (DEPLOY / app["build"]["context"] / "pyproject.toml").is_file()
    named = {v.split(":")[0] for s in services.values() for v in s.get("volumes", []) if not v.startswith(".")}
    assert named == set(compose["volumes"])  # every named volume declared, none left over
    for service in services.values():
        for mount in service.get("volumes", []):
            if mount.startswith("./"):
                assert (DEPLOY / mount.split(":")[0]).is_file(), mount
    assert "/var/lib/nhacviec" in [v.split(":")[1] for v in app["volumes"]]
    assert DATABASE_URL_ENV in app["environment"]
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^USER nhacviec$", dockerfile, re.M) and "python:3.12-slim" in dockerfile


def test_proxies_route_to_the_ports_the_configuration_listens_on() -> None:
    config = load_config(DEPLOY / "config.yaml")
    assert config.zalo.webhook is not None and config.telegram.webhook is not None
    nginx = (DEPLOY / "proxy" / "nginx.conf").read_text(encoding="utf-8")
    caddy = (DEPLOY / "proxy" / "Caddyfile").read_text(encoding="utf-8")
    for port in (config.telegram.webhook.port, config.zalo.webhook.port, config.web.port):
        assert f"127.0.0.1:{port}" in nginx and f"127.0.0.1:{port}" in caddy
    assert "/metrics" not in re.sub(r"#.*", "", nginx) and "/metrics" not in re.sub(r"#.*", "", caddy)


def test_systemd_units_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    nhacviec = shutil.which("nhacviec") or str(Path(ROOT / ".venv" / "bin" / "nhacviec"))
    units = sorted((DEPLOY / "systemd").glob("nhacviec*.[st]*"))
    assert {u.name for u in units} >= {"nhacviec.service", "nhacviec-backup.service", "nhacviec-backup.timer"}
    for unit in units:  # what every unit needs, checked with or without systemd
        text = unit.read_text(encoding="utf-8")
        assert "[Unit]" in text and ("[Service]" in text or "[Timer]" in text)
    if analyze is None or not Path(nhacviec).exists():
        return
    for unit in units:
        (tmp_path / unit.name).write_text(unit.read_text(encoding="utf-8").replace(
            "/opt/nhacviec/.venv/bin/nhacviec", nhacviec), encoding="utf-8")
    done = subprocess.run([analyze, "verify", *[str(tmp_path / u.name) for u in units]], capture_output=True,
                          text=True, timeout=120)
    problems = [line for line in done.stderr.splitlines() if "nhacviec" in line]
    assert done.returncode == 0 and problems == [], done.stderr
