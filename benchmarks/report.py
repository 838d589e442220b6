"""docs/performance.md (table and machine notes) and docs/performance.json (raw figures)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def f(s: dict[str, Any], digits: int = 2, unit: str = "") -> str:
    fmt = f"{{:,.{digits}f}}"
    return f"{fmt.format(s['median'])}{unit} [{fmt.format(s['min'])}-{fmt.format(s['max'])}]"


def verdict(ok: bool, detail: str) -> str:
    return ("met" if ok else "**missed**") + f" ({detail})"


def rows(r: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    out: list[tuple[str, str, str, str]] = []
    rp = r.get("request_path")
    if rp:
        ratios = [rp["channels"][n]["ratio"]["median"] for n in ("1", "10", "50")]
        ac = rp.get("one_channel_as_saleor_calls")
        if ac:
            worst = ac["ratio"]["median"]
            out.append((
                "1. request path as Saleor 3.24 calls a hook (after its commit: no transaction), 1 channel:"
                " `record_event` incl. enqueue",
                f"{f(ac['ms'], 3, ' ms')} vs bare INSERT {f(rp['bare_insert_ms'], 3, ' ms')}",
                f"{f(ac['ratio'])}x",
                verdict(worst <= 1.5, f"goal <= 1.5x; {worst / 1.5:.2f} of the limit"),
            ))
        for n in ("1", "10", "50"):
            c = rp["channels"][n]
            worst = c["ratio"]["median"]
            out.append((
                f"1. request path inside a transaction, {n} channel(s): `atomic(record_event)` incl. BEGIN,"
                " COMMIT + enqueue",
                f"{f(c['ms'], 3, ' ms')} vs bare INSERT {f(rp['bare_insert_ms'], 3, ' ms')}",
                f"{f(c['ratio'])}x",
                verdict(worst <= 1.5, f"goal <= 1.5x; {worst / 1.5:.2f} of the limit"),
            ))
        if tx := rp.get("one_channel_in_transaction_vs_bare_in_transaction"):
            worst = tx["ratio"]["median"]
            out.append((
                "1. request path inside a transaction, 1 channel, against a bare INSERT inside a transaction"
                " too (`atomic(INSERT)`): what the plugin adds to a caller's transaction",
                f"{f(rp['channels']['1']['ms'], 3, ' ms')} vs `atomic(INSERT)` {f(tx['bare_ms'], 3, ' ms')}",
                f"{f(tx['ratio'])}x",
                verdict(worst <= 1.5, f"1.5x applied to the plugin's share; {worst / 1.5:.2f} of it"),
            ))
        ne = rp.get("one_channel_without_enqueue")
        if ne:
            out.append(("1. diagnosis: the same, 1 channel, with the after-commit `send_task` made a no-op",
                        f"{f(ne['ms'], 3, ' ms')}", f"{f(ne['ratio'])}x",
                        "the rest of the cost above is the enqueue to Redis"))
        spread = max(ratios) / min(ratios)
        out.append(("1. request path, flatness 50 vs 1 channel", "", f"{ratios[2] / ratios[0]:.2f}x",
                    verdict(spread <= 1.2, f"max/min over 1/10/50 = {spread:.2f}")))
    tp = r.get("throughput")
    if tp:
        m = tp["ratio"]["median"]
        out.append(("2. throughput, end to end (deliveries/s)",
                    f"{f(tp['worker_per_s'], 0, '/s')} vs Session loop {f(tp['loop_per_s'], 0, '/s')}",
                    f"{f(tp['ratio'])}x", verdict(m >= 0.7, f"goal >= 0.70; {m / 0.7:.2f} of the goal")))
        if cpu := tp.get("cpu_ms_per_delivery"):
            loop_cpu = tp["loop_cpu_ms_per_post"]
            cpus = r.get("machine", {}).get("cpu_count") or 1
            whole, base = cpu["machine"]["median"], loop_cpu["machine"]["median"]
            parts = ", ".join(f"{label} {cpu[key]['median']:.2f}" for key, label in (
                ("worker", "worker"), ("postgresql", "PostgreSQL"), ("this_process", "recorder"),
                ("receiver", "receiver"), ("redis", "Redis")))
            out.append(("2. CPU per delivery in that run, whole machine (ms; by process)",
                        f"{f(cpu['machine'], 2, ' ms')} ({parts}) vs Session loop {f(loop_cpu['machine'], 2, ' ms')}"
                        f" per POST (client {loop_cpu['this_process']['median']:.2f}, receiver "
                        f"{loop_cpu['receiver']['median']:.2f})",
                        f"{whole / base:.2f}x", f"no goal: {cpus} CPUs allow at most ~{cpus * 1000 / whole:,.0f}/s"
                        " at this cost"))
    lat = r.get("latency")
    if lat:
        p99 = lat["p99_ms"]["median"]
        out.append((f"3. latency commit -> arrival at {lat['rate_per_s']:.0f} events/s, p50",
                    f"{f(lat['p50_ms'], 1, ' ms')} vs direct POST {f(lat['base_p50_ms'], 2, ' ms')}", "", ""))
        out.append((f"3. latency commit -> arrival at {lat['rate_per_s']:.0f} events/s, p99",
                    f"{f(lat['p99_ms'], 1, ' ms')} vs direct POST {f(lat['base_p99_ms'], 2, ' ms')}",
                    f"{f(lat['p99_ratio'], 1)}x", verdict(p99 < 50, f"goal < 50 ms; {p99:.1f} ms")))
    for key, note in (("latency_high_rate", ""), ("latency_low_rate", " (below capacity)")):
        if lo := r.get(key):
            out.append((f"3. latency commit -> arrival at {lo['rate_per_s']:.0f} events/s{note}, p50 / p99",
                        f"p50 {f(lo['p50_ms'], 1, ' ms')}; p99 {f(lo['p99_ms'], 1, ' ms')} vs direct POST p99 "
                        f"{f(lo['base_p99_ms'], 2, ' ms')}",
                        f"{f(lo['p99_ratio'], 1)}x", verdict(lo["p99_ms"]["median"] < 50,
                                                             f"goal < 50 ms; {lo['p99_ms']['median']:.1f} ms")))
    fo = r.get("fanout")
    if fo:
        out.append(("5. fan-out: one event to 50 postback channels, commit -> last arrival",
                    f"{f(fo['last_arrival_ms'], 1, ' ms')} vs Session loop of 50 POSTs "
                    f"{f(fo['loop_50_posts_ms'], 1, ' ms')}",
                    f"{f(fo['ratio'], 1)}x", "no goal"))
    va = r.get("variant_db_reuse")
    if va:
        if va.get("throughput"):
            t = va["throughput"]
            m = t["ratio"]["median"]
            out.append((f"2'. throughput, worker with {va['setting']}",
                        f"{f(t['worker_per_s'], 0, '/s')} vs Session loop {f(t['loop_per_s'], 0, '/s')}",
                        f"{f(t['ratio'])}x", verdict(m >= 0.7, f"goal >= 0.70; {m / 0.7:.2f} of the goal")))
        for key in ("latency", "latency_high_rate", "latency_low_rate"):
            if l2 := va.get(key):
                out.append((f"3'. latency at {l2['rate_per_s']:.0f} events/s, p50 / p99, worker with {va['setting']}",
                            f"p50 {f(l2['p50_ms'], 1, ' ms')}; p99 {f(l2['p99_ms'], 1, ' ms')}",
                            f"{f(l2['p99_ratio'], 1)}x", verdict(l2["p99_ms"]["median"] < 50,
                                                                 f"goal < 50 ms; {l2['p99_ms']['median']:.1f} ms")))
        if va.get("fanout"):
            fo2 = va["fanout"]
            out.append((f"5'. fan-out to 50, worker with {va['setting']}",
                        f"{f(fo2['last_arrival_ms'], 1, ' ms')} vs loop {f(fo2['loop_50_posts_ms'], 1, ' ms')}",
                        f"{f(fo2['ratio'], 1)}x", "no goal"))
    sc = r.get("scale")
    if sc:
        n = f"{sc['rows_per_table']:,}"
        if rp and sc.get("request_path"):
            for k in ("1", "10", "50"):
                before = rp["channels"][k]["ratio"]["median"]
                after = sc["request_path"]["channels"][k]["ratio"]
                change = after["median"] / before
                out.append((f"4. request path with {n} log rows, {k} channel(s)",
                            f"{f(sc['request_path']['channels'][k]['ms'], 3, ' ms')}",
                            f"{f(after)}x (was {before:.2f}x: {change:.2f} of it)",
                            verdict(change <= 1.2, "goal: at most 1.20 of the empty-log ratio")))
        if tp and sc.get("throughput"):
            after = sc["throughput"]["ratio"]
            change = after["median"] / tp["ratio"]["median"]
            out.append((f"4. throughput with {n} log rows", f"{f(sc['throughput']['worker_per_s'], 0, '/s')}",
                        f"{f(after)}x of loop (was {tp['ratio']['median']:.2f}x: {change:.2f} of it)",
                        verdict(change >= 0.8, "goal: at least 0.80 of the empty-log ratio")))
        be = sc.get("backlog_empty_log")
        bl = sc.get("backlog")
        loop = tp["loop_per_s"]["median"] if tp else None
        for label, b in (("empty log", be), (f"{n} log rows", bl)):
            if not b:
                continue
            share = b["window_per_s"]["median"] / loop if loop else None
            ratio = f"{share:.3f}x of the Session loop" if share is not None else ""
            details, ok = [], True
            if share is not None:
                details.append(f"goal >= 0.50 of the loop: {share / 0.5:.2f} of it")
                ok = share >= 0.5
            if b is bl and be:
                change = bl["window_per_s"]["median"] / be["window_per_s"]["median"]
                details.append(f"{change:.2f} of the empty-log drain; goal >= 0.80")
                ok = ok and change >= 0.8
            detail = "; ".join(details)
            out.append((f"4. drain of {b['deliveries']:,} pending deliveries, {label}: rate per 1/5 of the drain",
                        f"{f(b['window_per_s'], 0, '/s')} (overall {b['overall_per_s']:.0f}/s)", ratio,
                        verdict(ok, detail) if detail else ""))
            mem = b["rss_end_over_start"]
            out.append(("4. worker RSS (main + 2 children) during that drain, peak of first vs last 10%",
                        f"{b['rss_start']['total_kib'] / 1024:.1f} MiB -> {b['rss_end']['total_kib'] / 1024:.1f} MiB",
                        f"{mem:.3f}x", verdict(mem <= 1.05, "goal: flat (within 5%)")))
    return out


#: The sizes of a full run without flags (``benchmarks.run.parse_config``'s defaults).
FULL_DEFAULTS = {"runs": 5, "rp_iters": 200, "deliveries": 600, "latency_seconds": 3.0, "rate": 100.0,
                 "scale_rows": 1_000_000, "backlog": 10_000}


def command_of(c: dict[str, Any]) -> str:
    """The command that produced a run: recorded since runs record it, else rebuilt from the sizes."""
    if c.get("command"):
        return c["command"]
    flags = ["--quick"] if c.get("quick") else []
    if not c.get("quick"):
        for key, default in FULL_DEFAULTS.items():
            if key in c and c[key] != default:
                value = c[key]
                flags.append(f"--{key.replace('_', '-')} {int(value) if float(value).is_integer() else value}")
    return " ".join(["python -m benchmarks", *flags])


def _loads(values: Any) -> tuple[float, ...]:
    return tuple(round(x, 2) for x in values or ())


def _table(r: dict[str, Any]) -> list[str]:
    lines = ["| figure | value vs baseline | ratio | goal |", "|---|---|---|---|"]
    return lines + [f"| {a} | {b} | {cc} | {d} |" for a, b, cc, d in rows(r)]


def _brief(value: str, ratio: str) -> str:
    """A figure as one cell of the repeated runs' table: the value without its baseline, and the ratio."""
    value = value.split(" vs ")[0]
    return f"{value}: {ratio}" if value and ratio else value or ratio


def repeated_table(runs: list[dict[str, Any]]) -> list[str]:
    """One line per figure: its value in each whole run, and in how many runs its goal was met.
    (The runs had the same sizes, so their figures come in the same order.)"""
    per_run = [rows(r) for r in runs]
    header = "| figure | " + " | ".join(f"run {n}" for n in range(1, len(runs) + 1)) + " | goal met in |"
    lines = [header, "|---|" + "---|" * len(runs) + "---|"]
    for i, (label, *_) in enumerate(per_run[0]):
        cells = [run[i] if i < len(run) and run[i][0] == label else None for run in per_run]
        judged = [cell[3] for cell in cells if cell and cell[3].startswith(("met", "**missed**"))]
        met = sum(goal.startswith("met") for goal in judged)
        tally = f"{met} of {len(runs)}" if judged else "no goal"
        if judged and met < len(runs):
            tally = f"**{tally}**"
        lines.append(f"| {label} | " + " | ".join(_brief(c[1], c[2]) if c else "-" for c in cells) + f" | {tally} |")
    return lines


def _machine(m: dict[str, Any]) -> list[str]:
    return [
        f"- CPUs: {m['cpu_count']} ({m['cpu_model']}), kernel {m['kernel']}",
        f"- Python {m['python']}, PostgreSQL {m['postgresql']}, Redis {m['redis']}, "
        f"Django {m['django']}, Celery {m['celery']}",
    ]


def write(r: dict[str, Any], md_path: Path) -> None:
    md_path.parent.mkdir(parents=True, exist_ok=True)
    json_path = md_path.with_suffix(".json")
    json_path.write_text(json.dumps(r, indent=1, default=str) + "\n")
    c = r["config"]
    runs = r.get("runs") or [r]
    first, m = runs[0], runs[0]["machine"]
    dates = m["date"] if len(runs) == 1 else f"{m['date']} to {runs[-1]['machine']['date']}"
    lines = ["# Performance", "",
             f"Produced by `.venv/bin/{command_of(c)}` on {dates}; raw figures in `{json_path.name}`.", ""]
    if len(runs) > 1:
        lines += [
            f"{len(runs)} whole runs, one after the other, each with fresh services. Per run, every figure is the"
            f" median of {c['runs']} measurements [min-max], and a ratio to a baseline measured in the same run;"
            " a goal counts as met when it is met in every run.",
            "",
            *repeated_table(runs),
            "",
            "### Run 1 in full",
            "",
        ]
    else:
        lines += [
            f"Every figure: median of {c['runs']} runs [min-max], and a ratio to a baseline measured in the same run.",
            "",
        ]
    lines += _table(first)
    lines += ["", "## Machine", "", *_machine(m)]
    for n, run in enumerate(runs, 1):
        rm = run["machine"]
        which = f"run {n} ({rm['date']}): " if len(runs) > 1 else ""
        lines.append(f"- {which}load average at start {_loads(rm['load_average_at_start'])}, at end "
                     f"{_loads(rm.get('load_average_at_end'))}, whole run {run.get('elapsed_s', 0):.0f} s"
                     " (the machine is shared)")
    lines += [f"- sizes: {json.dumps({k: v for k, v in c.items() if k != 'only'})}", ""]
    notes = Path(__file__).with_name("NOTES.md")
    if notes.exists():
        lines += [notes.read_text()]
    lines += _kept_sections(md_path)
    md_path.write_text("\n".join(lines))


def _kept_sections(md_path: Path) -> list[str]:
    """The page from the section other benchmarks publish into it (``benchmarks.shop_size``, from its
    start marker) to its end, with the live-shop benchmark's after it: kept as they are."""
    from .shop_size import START

    text = md_path.read_text() if md_path.exists() else ""
    if START not in text:
        return []
    return ["", START + text.split(START, 1)[1].rstrip("\n"), ""]


if __name__ == "__main__":  # re-render the Markdown from a JSON file: python -m benchmarks.report [json]
    import sys

    src = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "docs/performance.json"
    write(json.loads(src.read_text()), src.with_suffix(".md"))
