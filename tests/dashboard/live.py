"""A live Saleor with the plugin, and the built Saleor dashboard served against it.

``LiveSaleor`` runs Saleor's real processes from a Saleor virtualenv: the API under uvicorn
(``saleor.asgi:application``), a Celery worker and beat with Saleor's database scheduler. This
repository comes first on their ``PYTHONPATH``, so they load the plugin from here. Each run
gets a fresh shop database, copied from a template that is made once (``migrate`` and
``populatedb``, a few minutes) and kept for later runs.

``DashboardServer`` serves a built saleor-dashboard (``pnpm run build`` with
``APP_MOUNT_URI=/dashboard/``) over HTTP, pointing its ``API_URL`` at the live API.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import threading
import time
import urllib.request
import uuid
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("NOTIFY_DASHBOARD_PG", "postgres://postgres@127.0.0.1:5432")
TEMPLATE_DB = os.environ.get("NOTIFY_DASHBOARD_TEMPLATE_DB", "notify_dashboard_shop_template")
RUN_DB = os.environ.get("NOTIFY_DASHBOARD_RUN_DB", "notify_dashboard_shop_run")
REDIS_URL = os.environ.get("NOTIFY_DASHBOARD_REDIS_URL", "redis://127.0.0.1:6379/12")
SUPERUSER = ("admin@example.com", "admin")
#: Saleor imports for a long while on a busy two-core machine.
START_TIMEOUT_S = float(os.environ.get("NOTIFY_DASHBOARD_START_TIMEOUT_S", "600"))
TEMPLATE_MARK = "saleor-notify dashboard tier: migrated and populated"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(
        ["psql", f"{PG_URL}/{db}", "-v", "ON_ERROR_STOP=1", "-Atc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def _rsa_key() -> str:
    return subprocess.run(
        ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


class LiveSaleor:
    """Saleor's API, worker and beat, from ``venv`` and ``src``, on a fresh shop database."""

    def __init__(self, venv: Path, src: Path, log_dir: Path, env: dict[str, str] | None = None) -> None:
        """``env``: more of the deployment's environment (the shop's SMTP server, say)."""
        self.venv, self.src, self.log_dir = venv, src, log_dir
        self.port = free_port()
        self.queue = f"notify-dashboard-{uuid.uuid4().hex[:8]}"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "saleor.settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
            "DATABASE_URL": f"{PG_URL}/{RUN_DB}",
            "SECRET_KEY": secrets.token_hex(32),
            "RSA_PRIVATE_KEY": _rsa_key(),  # one key for every process: the API's JWTs verify in all
            "DEBUG": "True",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "ALLOWED_CLIENT_HOSTS": "127.0.0.1,localhost",
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            # Saleor fetches the app manifest and posts the token to 127.0.0.1 only with this.
            "HTTP_IP_FILTER_ALLOW_LOOPBACK_IPS": "True",
            # The plugin posts to this machine's receivers: the deployment's word, from the environment.
            "SALEOR_NOTIFY_ALLOW_PRIVATE_TARGETS": "True",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/graphql/"

    def manage(self, *args: str, db: str | None = None, timeout_s: float = 1800) -> None:
        env = dict(self.env)
        if db:
            env["DATABASE_URL"] = f"{PG_URL}/{db}"
        log = self.log_dir / "manage.log"
        with log.open("ab") as out:
            subprocess.run(
                [str(self.venv / "bin" / "python"), "manage.py", *args],
                cwd=self.src,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=True,
                timeout=timeout_s,
            )

    def prepare_database(self) -> None:
        """A fresh copy of the template shop (made first if missing: migrate, populatedb)."""
        exists = _psql(f"SELECT 1 FROM pg_database WHERE datname = '{TEMPLATE_DB}'")
        ready = exists and _psql(
            f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{TEMPLATE_DB}'"
        ) == TEMPLATE_MARK
        if exists and not ready:  # a template left half made
            _psql(f'DROP DATABASE "{TEMPLATE_DB}" WITH (FORCE)')
        if not ready:
            _psql(f'CREATE DATABASE "{TEMPLATE_DB}"')
            self.manage("migrate", "-v0", db=TEMPLATE_DB)
            populate = ("populatedb", "--withoutimages", "--createsuperuser", "--superuser_password", SUPERUSER[1])
            self.manage(*populate, db=TEMPLATE_DB)
            _psql(f"COMMENT ON DATABASE \"{TEMPLATE_DB}\" IS '{TEMPLATE_MARK}'")
        _psql(f'DROP DATABASE IF EXISTS "{RUN_DB}" WITH (FORCE)')
        _psql(f'CREATE DATABASE "{RUN_DB}" TEMPLATE "{TEMPLATE_DB}"')
        # The plugin's tables as this checkout has them (the template may be older than the tree).
        ours = {p.stem for p in (ROOT / "saleor_notify_plugin" / "migrations").glob("0*.py")}
        applied = set(_psql("SELECT name FROM django_migrations WHERE app = 'saleor_notify'", db=RUN_DB).split())
        if ours - applied:
            self.manage("migrate", "-v0", "saleor_notify")

    def _start(self, name: str, *argv: str) -> None:
        log = (self.log_dir / f"{name}.log").open("wb")
        command = [str(self.venv / "bin" / argv[0]), *argv[1:]]
        self.processes[name] = subprocess.Popen(
            command, cwd=self.src, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def start(self) -> None:
        try:
            self._start_all()
        except BaseException:
            self.stop()  # no process outlives a failed start
            raise

    def _start_all(self) -> None:
        self._start("api", "uvicorn", "saleor.asgi:application", "--host", "127.0.0.1", "--port", str(self.port))
        self._start(
            "worker", "celery", "-A", "saleor.celeryconf:app", "worker", "-Q", self.queue, "-c", "2", "-l", "info"
        )
        self._start(
            "beat",
            "celery",
            "-A",
            "saleor.celeryconf:app",
            "beat",
            "--scheduler",
            "saleor.schedulers.schedulers.DatabaseScheduler",
            "-l",
            "info",
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"Saleor's {name} exited at start:\n{self.log_tail(name)}")
            try:
                with urllib.request.urlopen(f"{self.api_url}?query=%7Bshop%7Bname%7D%7D", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"Saleor's API did not answer in {START_TIMEOUT_S:.0f} s:\n{self.log_tail('api')}")
            time.sleep(0.5)
        self.wait_for_log("worker", "ready", START_TIMEOUT_S)

    def wait_for_log(self, name: str, text: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while text not in (self.log_dir / f"{name}.log").read_text(errors="replace"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"no {text!r} from Saleor's {name} within {timeout_s} s:\n{self.log_tail(name)}")
            time.sleep(0.5)

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.log_dir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()


class DashboardServer:
    """The built dashboard at ``/dashboard/`` (its assets at the root), with ``API_URL`` set to ``api_url``."""

    def __init__(self, build_dir: Path, api_url: str) -> None:
        index = (build_dir / "index.html").read_text(encoding="utf-8")
        index, count = re.subn(r'API_URL: "[^"]*"', f'API_URL: "{api_url}"', index, count=1)
        if not count:
            raise RuntimeError(f"{build_dir / 'index.html'} has no API_URL: is it a saleor-dashboard build?")
        page = index.encode()

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?", 1)[0]
                # The dashboard routes by path: anything under /dashboard/ that is not one of its
                # files is the page (e.g. /dashboard/extensions/plugin/saleor.notify).
                asset = build_dir / path[len("/dashboard/") :] if path.startswith("/dashboard/") else None
                if path == "/dashboard" or (asset is not None and not asset.is_file()):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(page)))
                    self.send_header("Cache-Control", "no-store")
                    self.end_headers()
                    self.wfile.write(page)
                    return
                if path.startswith("/dashboard/"):
                    self.path = self.path[len("/dashboard") :]
                super().do_GET()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(build_dir)))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/dashboard/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
