"""Browser tests: Debian's Chromium, driven by Playwright, against the plugin's pages served
by Django's live server over the test PostgreSQL database (see ``server.py``)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from saleor_notify_plugin.dashboard.views import STATIC_DIR
from tests.support.wsgi_server import serve

# Playwright's sync API keeps an event loop in this thread; the ORM calls of the test itself
# are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
#: Screenshots of the stand-in go to the untracked build folder; the ones in docs/screens/ come
#: from the real dashboard (tests/dashboard/, published with `make screens`).
SCREENS = ROOT / "build" / "screens" / "stand-in"
#: The WCAG contrast ratio of an element's text (its first span or p) against its background.
CONTRAST = """(el) => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const text = el.querySelector("span, p") || el;
  const a = lum(rgb(getComputedStyle(text).color)), b = lum(rgb(getComputedStyle(el).backgroundColor));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""

CHROMIUM = os.environ.get("NOTIFY_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    """Skip, saying what to install, when the pages are not built or the browser is missing."""
    here = Path(__file__).parent
    built = (STATIC_DIR / "index.html").is_file()
    browser_problems = []
    if not Path(CHROMIUM).exists():
        browser_problems.append(f"no Chromium at {CHROMIUM}: apt-get install -y chromium (or set NOTIFY_CHROMIUM)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        browser_problems.append(
            "the Python package playwright is not installed (pip install playwright; no browser download)"
        )
    for item in items:
        if Path(str(item.fspath)).parent != here:
            continue
        if not built:
            item.add_marker(
                pytest.mark.skip(
                    reason="the pages are not built: npm ci --prefix frontend && npm run build --prefix frontend"
                )
            )
        elif browser_problems and "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.skip(reason="; ".join(browser_problems)))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@dataclass
class Site:
    """The running instance: the plugin at 127.0.0.1, the dashboard host page at localhost (two origins)."""

    port: int

    @property
    def plugin_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/plugins/global/saleor.notify"

    def app_url(self, route: str = "") -> str:
        return f"{self.plugin_url}/app/{route}"

    def dashboard_url(self, route: str, token: str, label: str = "", **params: str) -> str:
        query = {"src": self.app_url(route), "token": token, "label": label, **params}
        return f"http://localhost:{self.port}/dashboard/?{urlencode(query)}"


class _Handler:
    """Django's WSGI handler with this package's test URLs (Saleor's routing stands in)."""

    def __init__(self) -> None:
        from django.core.handlers.wsgi import WSGIHandler

        class Handler(WSGIHandler):
            def get_response(self, request):
                request.urlconf = "tests.browser.server"
                return super().get_response(request)

        self.handler = Handler()

    def __call__(self, environ, start_response):
        return self.handler(environ, start_response)


@pytest.fixture(scope="session")
def _server(django_db_setup) -> Iterator[int]:
    """A threaded HTTP server on 127.0.0.1 (each request on its own thread and connection)."""
    with serve(_Handler()) as port:
        yield port


@pytest.fixture
def site(_server, transactional_db, settings) -> Site:
    settings.ALLOWED_HOSTS = ["*"]
    settings.ROOT_URLCONF = "tests.browser.server"
    return Site(_server)


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", timezone_id="UTC")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.page_errors = errors  # type: ignore[attr-defined]
    yield tab
    context.close()


def shot(page, name: str) -> Path:
    """A screenshot of the whole host page (the stand-in frame and the app in it) into build/screens/stand-in/."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.wait_for_timeout(400)  # let dialogs finish their opening animation
    page.screenshot(path=str(path))
    return path


def open_in_dashboard(page, site: Site, route: str, token: str, label: str = "", **params: str):
    """Open ``route`` of the app inside the test dashboard; returns the app's frame once it holds the token."""
    page.goto(site.dashboard_url(route, token, label, **params))
    frame = page.frame_locator("#app")
    frame.locator('[data-testid="app"][data-bridge="ready"]').wait_for()
    return frame
