"""The README's shell blocks, run as written (placeholders such as ``<saleor-venv>`` filled in).

The blocks that need Saleor (migrate, worker and beat under Saleor's Celery app, the curl call to
a shop) run in the Saleor tier (``tests/saleor/test_readme_commands.py``).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
import uuid
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

#: The first line of every shell block of the README -> the test that runs it.
RUN_BY = {
    "make demo": "test_make_demo_delivers_every_example_and_make_test_runs_pytest",
    "make release": "test_the_install_builds_a_release_and_installs_it_into_a_fresh_virtualenv",
    "python manage.py migrate saleor_notify": "tests/saleor/test_readme_commands.py",
    "<saleor-venv>/bin/pytest -c tests/saleor/tier.ini tests/saleor -p no:xdist --reuse-db": (
        "test_the_saleor_tier_command_says_how_to_run_it_without_saleor"
    ),
    "curl -s https://shop.example.com/plugins/global/saleor.notify/graphql/ \\": "tests/saleor/test_readme_commands.py",
    "createdb -h 127.0.0.1 -U postgres saleor_notify": "test_the_standalone_worker_block",
}


def shell_blocks(text: str | None = None) -> list[list[str]]:
    """Each ```sh block as its lines (a trailing ``# comment`` removed, blank lines dropped)."""
    blocks = re.findall(r"^```sh\n(.*?)^```", text or README.read_text(), flags=re.S | re.M)
    return [[re.sub(r"\s+# .*$", "", line).rstrip() for line in block.splitlines() if line.strip()] for block in blocks]


def block(first: str) -> list[str]:
    (found,) = [b for b in shell_blocks() if b[0] == first]
    return found


def shell_env(**extra: str) -> dict[str, str]:
    """A user's shell: this test run's Django settings and test variables are not in it."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE" and not k.startswith("NOTIFY_TEST")}
    return {**env, **extra}


def run(command: str, *, cwd: Path = ROOT, env: dict[str, str] | None = None, timeout_s: float = 600):
    result = subprocess.run(command, shell=True, cwd=cwd, env=shell_env(**(env or {})), capture_output=True,
                            text=True, timeout=timeout_s)
    assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def test_every_shell_block_of_the_readme_is_run_by_a_test():
    firsts = [b[0] for b in shell_blocks()]
    assert sorted(firsts) == sorted(RUN_BY), "a README shell block without a test (or a test without its block)"


def test_every_test_named_for_a_readme_block_exists():
    """A renamed test must be renamed here too, or the block is run by nothing."""
    missing = [name for name in RUN_BY.values()
               if not ((ROOT / name).is_file() if name.endswith(".py") else callable(globals().get(name)))]
    assert missing == []


def test_make_demo_delivers_every_example_and_make_test_runs_pytest():
    """``make demo`` runs here for real; ``make test`` is this run, so only its recipe is checked."""
    demo, test = block("make demo")
    assert (demo, test) == ("make demo", "make test")
    out = run(demo, timeout_s=300).stdout
    assert out.count("SUCCESS") == 14 and "(success, manual)" in out
    recipe = run("make -n test").stdout
    assert re.search(r"-m pytest\s*$", recipe, flags=re.M)


def test_the_saleor_tier_command_says_how_to_run_it_without_saleor():
    (command,) = block("<saleor-venv>/bin/pytest -c tests/saleor/tier.ini tests/saleor -p no:xdist --reuse-db")
    result = subprocess.run(command.replace("<saleor-venv>", str(Path(sys.executable).parent.parent)) + " -rs",
                            shell=True, cwd=ROOT, capture_output=True, text=True, timeout=120, env=shell_env())
    assert result.returncode == 0, result.stdout[-2000:]
    assert "1 skipped" in result.stdout and "Saleor tier skipped" in result.stdout


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory) -> Path:
    """A new virtualenv with nothing installed (pip only)."""
    path = tmp_path_factory.mktemp("fresh") / "venv"
    venv.create(path, with_pip=True)
    return path


@pytest.fixture(scope="module")
def installed(fresh_venv) -> Path:
    """The install block, as written: ``make release``, then pip installs the wheel it built."""
    release, install = block("make release")
    assert release == "make release"
    out = run(release, env={"MAKEFLAGS": ""}, timeout_s=900).stdout
    assert "PASSED" in out and "saleor_notify-" in out
    run(install.replace("<saleor-venv>", str(fresh_venv)), timeout_s=900)
    return fresh_venv


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_install_builds_a_release_and_installs_it_into_a_fresh_virtualenv(installed, tmp_path):
    """The installed wheel has the pages and the entry point, and the demo runs from it (not the checkout)."""
    python = installed / "bin" / "python"
    probe = (
        "import importlib.metadata as m, importlib.resources as r, json, saleor_notify_plugin as p;"
        "static = r.files('saleor_notify_plugin') / 'dashboard' / 'static';"
        "print(json.dumps({'file': p.__file__, 'index': (static / 'index.html').is_file(),"
        " 'fonts': sorted(f.name for f in (static / 'assets').iterdir() if f.name.endswith('.woff2')),"
        " 'plugins': [e.value for e in m.entry_points(group='saleor.plugins')],"
        " 'license': m.metadata('saleor-notify')['License-Expression']}))"
    )
    import json

    info = json.loads(run(f"{python} -c {shlex.quote(probe)}", cwd=tmp_path).stdout)
    assert str(installed) in info["file"] and info["index"]
    assert len(info["fonts"]) == 2 and all(f.startswith("Inter-") for f in info["fonts"])
    assert info["plugins"] == ["saleor_notify_plugin.plugin:NotifyPlugin"] and info["license"] == "BSD-3-Clause"
    demo = run(f"{python} -m saleor_notify_plugin.demo", cwd=tmp_path, timeout_s=300).stdout
    assert demo.count("SUCCESS") == 14 and "signature ok" in demo


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_standalone_worker_block(installed, tmp_path):
    """createdb, migrate, then the worker with beat, from the fresh install, on a database and a Redis
    of its own (its default queue is Celery's ``celery``: no shared Redis database may see it)."""
    from tests.support.redis_server import RedisServer

    createdb, migrate, worker = block("createdb -h 127.0.0.1 -U postgres saleor_notify")
    name = f"notify_readme_{uuid.uuid4().hex[:8]}"
    bin_dir = installed / "bin"
    redis = RedisServer(tmp_path / "redis.log")
    redis.start()
    env = {"NOTIFY_DB_NAME": name, "CELERY_BROKER_URL": redis.url(),
           "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    run(createdb.replace("saleor_notify", name), cwd=tmp_path, env=env)
    try:
        run(migrate.replace("python", str(bin_dir / "python"), 1), cwd=tmp_path, env=env)
        log = tmp_path / "worker.log"
        with log.open("wb") as out:
            process = subprocess.Popen(shlex.split(worker), cwd=tmp_path, env=shell_env(**env),
                                       stdout=out, stderr=subprocess.STDOUT)
        try:
            ping = f"{bin_dir / 'celery'} -A saleor_notify_plugin.celery_app inspect ping --timeout 2"
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and process.poll() is None:
                answer = subprocess.run(ping, shell=True, cwd=tmp_path, env=shell_env(**env),
                                        capture_output=True, text=True, timeout=60)
                if "pong" in answer.stdout and list(tmp_path.glob("celerybeat-schedule*")):
                    break
                time.sleep(0.5)
            else:
                raise AssertionError(log.read_text(errors="replace")[-3000:])
        finally:
            process.terminate()
            process.wait(timeout=30)
        zone = run(f"{bin_dir / 'python'} -c 'import django; django.setup(); from django.utils import timezone;"
                   " print(timezone.get_current_timezone_name())'", cwd=tmp_path,
                   env={**env, "DJANGO_SETTINGS_MODULE": "saleor_notify_plugin.standalone_settings"})
        assert zone.stdout.strip() == "UTC"  # the worker's log times
    finally:
        redis.stop()
        subprocess.run(["dropdb", "--if-exists", "--force", "-h", "127.0.0.1", "-U", "postgres", name],
                       capture_output=True, timeout=60)
