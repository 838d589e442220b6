"""docs/asyncapi.json is the catalog the code builds, and the AsyncAPI project's parser accepts it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from saleor_notify_plugin.catalog import build_catalog, catalog_json

ROOT = Path(__file__).resolve().parents[2]
CATALOG_FILE = ROOT / "docs" / "asyncapi.json"
TOOL = ROOT / "build_support" / "asyncapi"
HOW_TO = "install Node 20+ with npm; the check then runs `npm ci --prefix build_support/asyncapi` itself"


def test_committed_catalog_matches_the_code():
    """Regenerate with: python -m saleor_notify_plugin.catalog > docs/asyncapi.json"""
    assert CATALOG_FILE.read_text() == catalog_json(), "docs/asyncapi.json is stale; regenerate it"


@pytest.fixture(scope="module")
def asyncapi_parser() -> list[str]:
    """The command that runs @asyncapi/parser (pinned by build_support/asyncapi/package-lock.json)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip(f"node is missing: {HOW_TO}")
    if not (TOOL / "node_modules" / "@asyncapi" / "parser" / "package.json").is_file():
        installed = subprocess.run(
            [npm, "ci", "--prefix", str(TOOL), "--no-audit", "--no-fund", "--loglevel=error"],
            capture_output=True, text=True, timeout=600,
        )
        assert installed.returncode == 0, f"npm ci --prefix build_support/asyncapi failed:\n{installed.stderr}"
    return [node, str(TOOL / "validate.mjs")]


def parse(command: list[str], document: dict, tmp_path: Path) -> tuple[int, dict, str]:
    path = tmp_path / "asyncapi.json"
    path.write_text(json.dumps(document))
    result = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=300)
    lines = result.stdout.strip().splitlines()
    assert lines, result.stderr
    return result.returncode, json.loads(lines[-1]), result.stdout + result.stderr


def test_the_asyncapi_parser_accepts_the_catalog(asyncapi_parser, tmp_path):
    returncode, summary, output = parse(asyncapi_parser, json.loads(catalog_json()), tmp_path)
    print(output)
    assert [d for d in summary["diagnostics"] if d["severity"] == "error"] == [], output
    assert returncode == 0 and summary["parsed"], output
    assert summary["asyncapi"] == "3.0.0"
    assert (summary["channels"], summary["operations"], summary["messages"], summary["examples"]) == (10, 10, 10, 10)


def _without_channel(document: dict) -> None:
    del document["channels"]["refund_applied"]


def _example_without_order(document: dict) -> None:
    del document["components"]["messages"]["order_completed"]["examples"][0]["payload"]["data"]["order"]


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (_without_channel, ("invalid-ref", "operations/send_refund_applied/channel/$ref")),
        (
            _example_without_order,
            ("message-example-invalid", "components/messages/order_completed/examples/0/payload/data"),
        ),
    ],
    ids=["operation-without-its-channel", "example-without-a-required-field"],
)
def test_the_parser_check_reports_a_broken_document(asyncapi_parser, tmp_path, breakage, expected):
    """What the parser (or the example check on what it resolved) finds wrong fails the check."""
    broken = build_catalog()
    breakage(broken)
    returncode, summary, output = parse(asyncapi_parser, broken, tmp_path)
    errors = {(d["code"], d["path"]) for d in summary["diagnostics"] if d["severity"] == "error"}
    assert returncode == 1 and expected in errors, output
