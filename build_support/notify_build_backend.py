"""The build backend: setuptools, refusing to build a wheel or an sdist without the dashboard pages.

The pages are built from ``frontend/`` (``make pages``) and are not tracked; a package built
without them would install fine and answer 503 on the plugin's ``/app/`` pages. Editable installs
(``pip install -e .``, used by ``make test`` before the pages exist) are not checked.
"""

from __future__ import annotations

import re
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403 - every hook setuptools defines, unchanged

STATIC = Path("saleor_notify_plugin") / "dashboard" / "static"
_ASSET = re.compile(r"""(?:src|href)="\./(assets/[^"]+)\"""")


def missing_pages(static: Path = STATIC) -> list[str]:
    """What of the built pages is absent under ``static`` (empty when they are complete)."""
    index = static / "index.html"
    if not index.is_file():
        return [str(index)]
    return [str(static / name) for name in _ASSET.findall(index.read_text()) if not (static / name).is_file()]


def _require_pages() -> None:
    missing = missing_pages()
    if missing:
        raise SystemExit(
            "saleor-notify: the dashboard pages are not built, so the package would lack them "
            f"(missing: {', '.join(missing)}). Run `make pages` first (or `make release`, which "
            "builds them, the wheel and the sdist)."
        )


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):  # type: ignore[no-untyped-def]
    _require_pages()
    return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory, config_settings=None):  # type: ignore[no-untyped-def]
    _require_pages()
    return _setuptools.build_sdist(sdist_directory, config_settings)
