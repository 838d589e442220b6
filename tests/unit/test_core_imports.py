"""The core runs without Saleor: only Saleor-facing modules may import it."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "saleor_notify_plugin"
SALEOR_FACING = {"plugin.py", "capture", "saleor_shop.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_modules_do_not_import_saleor():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in SALEOR_FACING or relative.as_posix() in SALEOR_FACING:
            continue
        if any(name == "saleor" or name.startswith("saleor.") for name in _imports(path)):
            offenders.append(str(relative))
    assert offenders == []


def test_delivery_core_imports_neither_django_nor_saleor():
    for path in (PACKAGE / "delivery").rglob("*.py"):
        assert not any(n.split(".")[0] in {"django", "saleor"} for n in _imports(path)), path


def test_core_loads_without_saleor_on_the_path():
    code = (
        "import sys, django; from django.conf import settings;"
        "settings.configure(INSTALLED_APPS=['saleor_notify_plugin'], USE_TZ=True); django.setup();"
        "import saleor_notify_plugin.tasks, saleor_notify_plugin.channels, saleor_notify_plugin.switches;"
        "import saleor_notify_plugin.pipeline.recording, saleor_notify_plugin.pipeline.manual_retry;"
        "print('saleor' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
