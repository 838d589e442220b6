"""A release is never built without the dashboard pages, and its check catches what is missing."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "build_support"))

import check_dist  # noqa: E402


def _tracked_copy(dest: Path) -> Path:
    """The checkout as a fresh clone has it: tracked files only (no built pages, no .venv)."""
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in names:
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    return dest


@pytest.mark.timeout(600)
def test_building_without_the_pages_stops_and_says_how_to_build_them(tmp_path):
    source = _tracked_copy(tmp_path / "clone")
    assert not (source / "saleor_notify_plugin" / "dashboard" / "static").exists()
    for target in ("--sdist", "--wheel"):
        command = [sys.executable, "-m", "build", target, "--outdir", str(tmp_path / "dist"), str(source)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        assert result.returncode != 0
        assert "the dashboard pages are not built" in result.stdout + result.stderr
        assert "make pages" in result.stdout + result.stderr
    assert list(tmp_path.glob("dist/*")) == []


def test_the_check_names_missing_pages_unused_fonts_and_a_missing_licence(tmp_path):
    wheel = tmp_path / "saleor_notify-0-py3-none-any.whl"
    static = "saleor_notify_plugin/dashboard/static/"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(static + "index.html", '<script src="./assets/index-1.js"></script>')
        archive.writestr(static + "assets/Geist-Black-x.woff2", b"")
        archive.writestr("saleor_notify_plugin/schemas/examples/order_completed.json", "{}")
    problems = check_dist.check_wheel(wheel)
    assert any("assets/index-1.js named by index.html is missing" in p for p in problems)
    assert any("font files the pages do not use" in p for p in problems)
    assert any("no LICENSE" in p for p in problems)
