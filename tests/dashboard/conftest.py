"""The real-dashboard tier: the built saleor-dashboard in Chromium against a live Saleor with the plugin.

It needs, besides the core suite's services, three things this repository does not hold:

- ``NOTIFY_DASHBOARD_BUILD``: a saleor-dashboard build (the folder with its ``index.html``),
  built with ``APP_MOUNT_URI=/dashboard/`` (its ``API_URL`` is pointed at the live API here);
- ``NOTIFY_SALEOR_VENV``: a Saleor 3.24 virtualenv (uvicorn and celery in its ``bin/``);
- ``NOTIFY_SALEOR_SRC``: that Saleor's source folder (with ``manage.py``).

Without them the tier is skipped with a message saying so; docs/dashboard.md says how to get them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM
from tests.support.mail_server import MailServer
from tests.support.receiver import Receiver

from .live import ROOT, DashboardServer, LiveSaleor

HERE = Path(__file__).parent
SCREENS = ROOT / "build" / "screens" / "dashboard"
LOGS = ROOT / "build" / "dashboard-tier"

BUILD = os.environ.get("NOTIFY_DASHBOARD_BUILD", "")
SALEOR_VENV = os.environ.get("NOTIFY_SALEOR_VENV", "")
SALEOR_SRC = os.environ.get("NOTIFY_SALEOR_SRC", "")

HOW_TO = (
    "Real-dashboard tier skipped: {missing}. Point it at a saleor-dashboard 3.23 build and a Saleor 3.24 "
    "virtualenv and source: NOTIFY_DASHBOARD_BUILD=<dashboard>/build/dashboard NOTIFY_SALEOR_VENV=<saleor-venv> "
    "NOTIFY_SALEOR_SRC=<saleor source> pytest tests/dashboard (docs/dashboard.md, 'The real-dashboard tier')."
)


def _missing() -> list[str]:
    missing = []
    if not BUILD or not (Path(BUILD) / "index.html").is_file():
        missing.append("NOTIFY_DASHBOARD_BUILD does not name a dashboard build (a folder with index.html)")
    if not SALEOR_VENV or not (Path(SALEOR_VENV) / "bin" / "uvicorn").exists():
        missing.append("NOTIFY_SALEOR_VENV does not name a Saleor virtualenv (with bin/uvicorn and bin/celery)")
    if not SALEOR_SRC or not (Path(SALEOR_SRC) / "manage.py").is_file():
        missing.append("NOTIFY_SALEOR_SRC does not name Saleor's source (with manage.py)")
    if not Path(CHROMIUM).exists():
        missing.append(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    if not shutil.which("psql") or not shutil.which("openssl"):
        missing.append("psql and openssl are needed on the PATH")
    return missing


def pytest_collection_modifyitems(config, items):
    missing = _missing()
    if not missing:
        return
    for item in items:
        if Path(str(item.fspath)).parent == HERE:
            item.add_marker(pytest.mark.skip(reason=HOW_TO.format(missing="; ".join(missing))))


@pytest.fixture(scope="session")
def mail() -> Iterator[MailServer]:
    """The shop's SMTP server (Saleor's ``EMAIL_URL`` points at it): where staff alerts arrive."""
    server = MailServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def saleor(mail) -> Iterator[LiveSaleor]:
    LOGS.mkdir(parents=True, exist_ok=True)
    for old in LOGS.glob("*.log"):
        old.unlink()
    deployment = {
        "EMAIL_URL": f"smtp://127.0.0.1:{mail.port}",
        "DEFAULT_FROM_EMAIL": "shop@example.com",
        # The sweep (it raises alerts) every 5 s rather than every minute, so a step need not wait long.
        "SALEOR_NOTIFY_SWEEP_INTERVAL_S": "5",
    }
    shop = LiveSaleor(Path(SALEOR_VENV), Path(SALEOR_SRC), LOGS, env=deployment)
    shop.prepare_database()
    shop.start()
    yield shop
    shop.stop()


@pytest.fixture(scope="session")
def dashboard(saleor) -> Iterator[DashboardServer]:
    server = DashboardServer(Path(BUILD), saleor.api_url)
    yield server
    server.close()


@pytest.fixture(scope="session")
def hooks() -> Iterator[Receiver]:
    """The shop's CRM: a postback receiver on 127.0.0.1 (the plugin is told to allow private targets)."""
    server = Receiver()
    yield server
    server.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each step's outcome on its item: a later step skips when an earlier one failed."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report
