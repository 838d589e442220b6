"""What the README and docs/ state about the code is what the code does."""

from __future__ import annotations

import json
import random
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from saleor_notify_plugin.delivery.policy import RetryTiming, backoff_s
from saleor_notify_plugin.events import EventType, Source
from saleor_notify_plugin.models import RecordedEvent
from saleor_notify_plugin.pipeline import send
from tests.conftest import README_SECTION

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def _documented_envelopes() -> list[dict]:
    """The one-line envelope examples of the README and docs/payloads.md (``...`` as placeholders)."""
    found = []
    for text in (README, (ROOT / "docs" / "payloads.md").read_text()):
        for example in re.findall(r'^```json\n(\{"id".*?\})\n```', text, flags=re.S | re.M):
            found.append(json.loads(re.sub(r"\{(\.\.\.|…)\}", "{}", example).replace("…", "x")))
    return found


def test_the_documented_envelope_is_the_one_sent():
    event = RecordedEvent(event=EventType.ORDER_COMPLETED.value, source=Source.SHOP.value, payload={},
                              occurred_at=datetime(2026, 1, 1, tzinfo=UTC))
    sent = send.event_envelope(event)
    documented = _documented_envelopes()
    assert len(documented) == 2
    for example in documented:
        assert list(example) == list(sent)
        assert example["source"] == sent["source"] == "shop"


def test_the_documented_retry_delays_are_the_policys():
    timing = RetryTiming()
    for retry, (low, high) in enumerate([(5, 10), (10, 20), (20, 40)], start=1):
        delays = [backoff_s(retry, timing, random.Random(seed)) for seed in range(200)]
        assert low <= min(delays) and max(delays) <= high
        assert f"{low}-{high} s" in README


def test_the_missing_services_message_names_a_readme_section_and_prints_once():
    assert f"## {README_SECTION}\n" in README
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "pytest", "-q", "tests/unit/test_policy.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "NOTIFY_TEST_DB_PORT": "1"},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 3
    assert output.count("PostgreSQL is not reachable") == 1 and f"'{README_SECTION}'" in output


def test_no_tracked_file_names_a_directory_of_this_machine():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    offenders = [
        name for name in tracked
        if not name.endswith((".png", ".woff2", ".lock", "package-lock.json"))
        and re.search(r"/(work|root|home/\w+)/", (ROOT / name).read_text(errors="ignore"))
    ]
    assert offenders == []


def test_the_readme_asks_for_the_node_version_vite_needs():
    lock = json.loads((ROOT / "frontend" / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/vite"]["engines"]["node"] == "^20.19.0 || >=22.12.0"
    assert "Node 20.19+ or 22.12+" in README and "Node 20," not in README
