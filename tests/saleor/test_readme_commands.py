"""The README's Saleor commands, run as written: migrate, the worker, beat, and the curl call.

They run in subprocesses against this tier's test database (already migrated), so ``migrate``
has nothing left to do, the worker and beat start on Saleor's Celery app, and beat adds the
plugin's periodic tasks to Saleor's ``DatabaseScheduler``.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def shell_blocks() -> list[list[str]]:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"^```sh\n(.*?)^```", text, flags=re.S | re.M)
    return [[re.sub(r"\s+# .*$", "", line).rstrip() for line in b.splitlines() if line.strip()] for b in blocks]


def block(first: str) -> list[str]:
    (found,) = [b for b in shell_blocks() if b[0].startswith(first)]
    return found


@pytest.fixture
def saleor_env(tmp_path) -> Iterator[dict[str, str]]:
    """Saleor's settings on this tier's test database; the broker a private Redis (Saleor's worker
    consumes Celery's default queue, which no shared Redis database may see)."""
    import saleor

    from tests.support.redis_server import RedisServer

    redis = RedisServer(tmp_path / "redis.log")
    redis.start()

    params = connection.settings_dict
    url = f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{params['NAME']}"
    yield {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "saleor.settings",
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": redis.url(),
        "SECRET_KEY": "readme-test",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path), str(Path(saleor.__file__).parent.parent)]),
        "SALEOR_DIR": str(Path(saleor.__file__).parent.parent),
    }
    redis.stop()


def _run_until(command: str, env: dict[str, str], cwd: Path, done, timeout_s: float = 600) -> str:
    """Start a long-running command, wait until ``done(log)`` holds, stop it; returns its log."""
    log = cwd / f"{uuid_hex()}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(shlex.split(command), cwd=env["SALEOR_DIR"], env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and process.poll() is None:
            if done(log.read_text(errors="replace")):
                return log.read_text(errors="replace")
            time.sleep(0.3)
        raise AssertionError(f"{command} did not get there:\n{log.read_text(errors='replace')[-3000:]}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def uuid_hex() -> str:
    import uuid

    return uuid.uuid4().hex[:8]


def test_migrate_worker_and_beat_as_the_readme_writes_them(saleor_env, tmp_path):
    from django_celery_beat.models import PeriodicTask

    migrate, worker, beat = block("python manage.py migrate saleor_notify")
    result = subprocess.run(shlex.split(migrate), cwd=saleor_env["SALEOR_DIR"], env=saleor_env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "No migrations to apply" in result.stdout

    _run_until(worker + " -l INFO", saleor_env, tmp_path, lambda log: "ready." in log)
    # Beat adds the plugin's entries to Saleor's database scheduler when it starts.
    _run_until(beat, saleor_env, tmp_path,
               lambda log: PeriodicTask.objects.filter(name__startswith="saleor-notify-").count() >= 3)
    assert set(PeriodicTask.objects.filter(name__startswith="saleor-notify-").values_list("task", flat=True)) == {
        "saleor_notify.sweep", "saleor_notify.purge", "saleor_notify.capture"}


def test_the_curl_example_answers_from_a_live_shop(notify, live_server, staff_user, permission_manage_plugins):
    """The README's curl call, against a live Saleor server with a real staff JWT."""
    from django.db import connections
    from saleor.core.jwt import create_access_token

    staff_user.user_permissions.add(permission_manage_plugins)
    # The live server's thread opens its own connections: its replica must be the test database too.
    replica = connections.settings["replica"]
    real_name, replica["NAME"] = replica["NAME"], connection.settings_dict["NAME"]
    (command,) = [" ".join(line.rstrip("\\").strip() for line in block("curl -s "))]
    command = command.replace("https://shop.example.com", live_server.url)
    try:
        result = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=120,
                                env={**os.environ, "STAFF_TOKEN": create_access_token(staff_user)})
    finally:
        replica["NAME"] = real_name
    assert result.returncode == 0, result.stderr
    import json

    events = json.loads(result.stdout)["data"]["notificationEvents"]
    assert len(events) == 10 and all(e["isEnabled"] for e in events)
