"""A real ``celery worker`` in a process group of its own, so a test can SIGKILL all of it.

Unlike the session's worker (tests/conftest.py), these are started per test with their own
queue and environment: another broker, a proxied database, a short lease.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


class WorkerProcess:
    def __init__(self, db_name: str, queue: str, log_path: Path, env: dict[str, str] | None = None,
                 concurrency: int = 2) -> None:
        self.db_name, self.queue, self.log_path = db_name, queue, log_path
        self.env = env or {}
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, wait_ready: bool = True) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "NOTIFY_TEST_DB_NAME": self.db_name,
            "NOTIFY_TEST_QUEUE": self.queue,
            "PYTHONPATH": str(ROOT),
            **self.env,
        }
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open by the child
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "saleor_notify_plugin.celery_app", "worker",
             "-Q", self.queue, "-c", str(self.concurrency), "-P", "prefork", "-l", "INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.starts += 1
        if not wait_ready:
            return
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited at start:\n{self.log_tail()}")
            if b"ready." in self.log_path.read_bytes()[offset:]:
                return
            time.sleep(0.1)
        raise RuntimeError(f"the Celery worker did not become ready:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the main process and its pool at once, as an OOM killer or a lost host would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def pool_pids(self) -> list[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def rss_kib(pid: int) -> int:
    """Resident memory of one process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0
