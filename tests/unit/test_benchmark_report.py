"""The benchmark's published page: one whole run, and several whole runs with how many met each goal."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from benchmarks import report

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = json.loads((ROOT / "docs" / "performance.json").read_text())


def _runs(n: int) -> list[dict]:
    return [copy.deepcopy(PUBLISHED.get("runs", [PUBLISHED])[0]) for _ in range(n)]


def _line(page: str, start: str) -> str:
    return next(line for line in page.splitlines() if line.startswith(f"| {start}"))


def test_a_goal_met_in_some_runs_only_is_counted_and_not_called_met(tmp_path):
    runs = _runs(3)
    first = runs[0]
    first["throughput"]["ratio"]["median"] = 0.2  # missed in run 1
    for run in runs[1:]:
        run["throughput"]["ratio"]["median"] = 0.9  # met in runs 2 and 3
    page_path = tmp_path / "performance.md"
    report.write({"config": {**first["config"], "repeat": 3}, "runs": runs, "elapsed_s": 3.0}, page_path)
    page = page_path.read_text()

    throughput = _line(page, "2. throughput, end to end")
    assert throughput.endswith("| **2 of 3** |")
    assert "0.20 [" in throughput and throughput.count("0.90 [") == 2
    # The fan-out has no goal; the RSS lines (two, one per drain) keep their own figures.
    assert _line(page, "5. fan-out").endswith("| no goal |")
    rss = [line for line in page.splitlines() if line.startswith("| 4. worker RSS")]
    assert len(rss) == 2 + 2  # in the repeated table and in run 1's full table
    assert "3 whole runs" in page and "### Run 1 in full" in page
    assert page.count("load average at start") == 3
    assert json.loads(page_path.with_suffix(".json").read_text())["runs"][0]["throughput"]["ratio"]["median"] == 0.2


def test_one_run_renders_as_before(tmp_path):
    (run,) = _runs(1)
    page_path = tmp_path / "performance.md"
    report.write(run, page_path)
    page = page_path.read_text()
    assert "| goal met in |" not in page and "### Run 1 in full" not in page
    assert _line(page, "2. throughput, end to end").count("|") == 5
