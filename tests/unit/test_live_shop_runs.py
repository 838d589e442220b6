"""The live-shop benchmark's runs put together: per run against the goal, and every round's own pair."""

from __future__ import annotations

from tests.saleor.bench_live_shop import combine


def _run(pairs: list[tuple[float, float]], goal_met: bool) -> dict:
    """A run of one mutation with these (active, inactive) wall times, round by round."""
    samples = []
    for number, (active, inactive) in enumerate(pairs):
        samples += [{"mutation": "orderMarkAsPaid", "round": number, "active": True, "wall_ms": active},
                    {"mutation": "orderMarkAsPaid", "round": number, "active": False, "wall_ms": inactive}]
    return {
        "rounds": len(pairs),
        "mutations": [{"mutation": "orderMarkAsPaid", "goal_met": goal_met, "difference_ms": 0.0,
                       "difference_pct": 0.0, "median_active_ms": 0.0, "median_inactive_ms": 0.0}],
        "samples": samples,
        "load_average": {"start": (0.1,), "end": (0.1,)},
        "elapsed_s": 1,
        "checks": [],
        "deliveries": {"received_total": 1, "recorded_total": 1},
    }


def test_the_pooled_figure_is_the_median_of_each_round_s_own_difference_over_every_run():
    # Two noisy runs: each round's active and inactive moved together, by up to 60 ms.
    first = _run([(100.0, 99.0), (160.0, 158.0), (130.0, 131.0)], goal_met=False)
    second = _run([(90.0, 89.0), (150.0, 152.0), (120.0, 117.0)], goal_met=True)

    combined = combine([first, second])

    figures = combined["mutations"]["orderMarkAsPaid"]
    assert figures["pairs"] == 6 and figures["runs_met"] == 1
    assert figures["pooled_difference_ms"] == 1.0  # differences +1 +2 -1 +1 -2 +3: median 1
    assert figures["pooled_difference_pct"] == round(100 * 1.0 / 124.0, 2)  # of the median inactive time
    assert figures["pooled_active_slower_pairs"] == 4 and figures["pooled_goal_met"]
    assert combined["runs_with_every_mutation_met"] == 1


def test_a_round_measured_in_one_mode_only_makes_no_pair():
    run = _run([(100.0, 99.0), (110.0, 100.0)], goal_met=True)
    run["samples"] = [s for s in run["samples"] if not (s["round"] == 1 and not s["active"])]

    figures = combine([run])["mutations"]["orderMarkAsPaid"]

    assert figures["pairs"] == 1 and figures["pooled_difference_ms"] == 1.0
