"""Dockerfile and docker-compose.yml: no engine here, so check them by reading and by
`docker-compose config`; the start-up path they describe (env vars, port, migrations) is the
one every other test runs."""
import os
import shutil
import subprocess

import pytest

from conftest import SOURCE_DIR


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose not installed")
def test_compose_file_is_valid_and_sets_the_seed_variables():
    p = subprocess.run(["docker-compose", "-f", os.path.join(SOURCE_DIR, "docker-compose.yml"),
                        "config"], capture_output=True, text=True, timeout=60,
                       env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")})
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "app:" in out and "db:" in out
    assert "WEBHOOK_SECRET" in out and "DATABASE_URL" in out
    assert "service_healthy" in out and "pg_isready" in out


def test_dockerfile_runs_as_non_root_on_all_interfaces():
    text = open(os.path.join(SOURCE_DIR, "Dockerfile")).read()
    assert "FROM debian:bookworm" in text
    assert "USER hookline" in text
    assert "HOST=0.0.0.0" in text
    assert "HEALTHCHECK" in text
    assert 'CMD ["hookline", "serve"]' in text or "hookline serve" in text
