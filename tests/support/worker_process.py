"""A real ``celery worker`` process: the one launcher of the tests and the benchmarks.

It runs in a process group of its own, so a test can SIGKILL all of it (main process and
pool) as an OOM killer or a lost host would. The caller chooses the settings module, the
queue, the environment and the pool size; the test suite's session worker, the reliability
tests' workers and the benchmark's worker are all this class.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

#: Flags the test workers run with: no gossip, mingle or heartbeat between workers of one broker.
QUIET_FLAGS = ("--without-gossip", "--without-mingle", "--without-heartbeat")


class WorkerProcess:
    def __init__(
        self,
        db_name: str | None,
        queue: str,
        log_path: Path,
        env: dict[str, str] | None = None,
        concurrency: int = 2,
        *,
        settings: str = "tests.settings",
        quiet: bool = True,
        ready_timeout_s: float = 30.0,
        stop_timeout_s: float = 15.0,
    ) -> None:
        """``db_name`` goes to ``tests.settings`` as NOTIFY_TEST_DB_NAME (None: the settings choose);
        ``quiet`` adds :data:`QUIET_FLAGS`."""
        self.db_name, self.queue, self.log_path = db_name, queue, log_path
        self.env = dict(env or {})
        self.concurrency = concurrency
        self.settings, self.quiet = settings, quiet
        self.ready_timeout_s, self.stop_timeout_s = ready_timeout_s, stop_timeout_s
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def command(self) -> list[str]:
        return [sys.executable, "-m", "tests.support.celery_main", "-A", "saleor_notify_plugin.celery_app", "worker",
                "-Q", self.queue, "-c", str(self.concurrency), "-P", "prefork", "-l", "INFO",
                *(QUIET_FLAGS if self.quiet else ())]

    def environment(self) -> dict[str, str]:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": self.settings, "PYTHONPATH": str(ROOT)}
        if self.db_name is not None:
            env.update(NOTIFY_TEST_DB_NAME=self.db_name, NOTIFY_TEST_QUEUE=self.queue)
        return {**env, **self.env}

    def start(self, wait_ready: bool = True) -> None:
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open by the child
        self.process = subprocess.Popen(
            self.command(), cwd=ROOT, env=self.environment(), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.starts += 1
        if wait_ready:
            self._wait_ready(offset)

    def _wait_ready(self, offset: int) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.ready_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited at start:\n{self.log_tail()}")
            if b"ready." in self.log_path.read_bytes()[offset:]:
                return
            time.sleep(0.1)
        raise RuntimeError(f"the Celery worker did not become ready in {self.ready_timeout_s} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the main process and its pool at once, as an OOM killer or a lost host would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM (a warm shutdown); the whole group is SIGKILLed if that takes too long."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=self.stop_timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def pool_pids(self) -> list[int]:
        assert self.process is not None
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:  # exited meanwhile
            children = []
        return [int(child) for child in children]

    def rss_kib(self) -> dict[int, int]:
        """Resident memory of the main process and each pool process, by pid."""
        assert self.process is not None
        out = {}
        for pid in (self.process.pid, *self.pool_pids()):
            try:
                out[pid] = rss_kib(pid)
            except OSError:  # exited meanwhile
                pass
        return out

    def diagnosis(self, lines: int = 200) -> str:
        """Every thread's stack in each of the worker's processes (written to its log by
        ``celery_main``'s SIGUSR2 handler), then the log's last ``lines`` lines."""
        if self.process is not None and self.process.poll() is None:
            for pid in (self.process.pid, *self.pool_pids()):  # one at a time: their dumps share the log
                with open(self.log_path, "a") as log:
                    log.write(f"--- every thread's stack in process {pid} ---\n")
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGUSR2)
                    time.sleep(0.3)  # written by the process's own signal handler
        return self.log_tail(lines)

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


def anon_kib(pid: int) -> int:
    """Anonymous resident memory of one process (what it allocated, not the library code it paged in), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    return 0


def cpu_s(pid: int | str) -> float:
    """CPU seconds (user + system) one process has used so far, from /proc; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0
