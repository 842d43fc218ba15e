#!/usr/bin/python3
"""The notebooks' wall times as a section of lib/BENCHMARKS.md (issue 18, item 6), from the timings the last
main command wrote (environment/run_notebooks.py records each notebook in build/notebooks/timings.json).

    environment/bench/notebook_times.py [build/notebooks/timings.json]

A change that slows the notebooks shows as a larger figure here after `environment/run-main.sh`; each row
keeps the load average around it, so a figure from a busy machine says so.
"""
import json
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def share(t):
    """CPU seconds of the kernel (and export) over wall seconds x cores: near 1 when the notebook had every core
    to itself; about 1 / lanes for a notebook that shared the machine with other lanes."""
    if "cpu_seconds" not in t or not t["seconds"]:
        return "-"
    return f"{t['cpu_seconds'] / (t['seconds'] * t['cores']):.0%}"


def run_of(batch):
    """Which invocation of run_notebooks.py a total covers (timings before 2026-12-03 carry none)."""
    return f", run started {batch.replace('T', ' ').replace('Z', ' UTC')}" if batch else ""


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "notebooks", "timings.json")
    print("## Notebook wall times")
    print()
    try:
        with open(path, encoding="utf-8") as fh:
            times = json.load(fh)
    except (OSError, ValueError):
        print(f"No timings at `{os.path.relpath(path, ROOT)}`: run `environment/run-main.sh` (it executes every notebook"
              " in the quick profile on a CPU and records each one's wall time), then this script again.")
        return
    print("Wall time of each notebook as `environment/run-main.sh` executed it last (kernel start to the last cell"
          " and the HTML export; quick profile on a CPU), from build/notebooks/timings.json, which"
          " environment/run_notebooks.py writes (the notebooks test writes its smoke-profile times elsewhere). In"
          " parallel lanes two notebooks share the machine, so each one's own time is longer than it would be alone,"
          " and the run's total is its first start to its last end.")
    print()
    print("| notebook | profile | wall time | result | ended | lanes x engine threads | load before / after (cores)"
          " | CPU share of the machine |")
    print("|---|---|---:|---|---|---|---|---:|")
    total = {}
    for name in sorted(times):
        t = times[name]
        total.setdefault((t["profile"], t.get("batch", "")), []).append(t)
        lanes = f"{t['lanes']} x {t['threads']}" if "lanes" in t else "-"
        print(f"| {name} | {t['profile']} | {t['seconds'] / 60:.1f} min | {'ok' if t['ok'] else 'FAILED'} | "
              f"{t['ended']} | {lanes} | {t['load_before']:.1f} / {t['load_after']:.1f} ({t['cores']}) | {share(t)} |")
    for (profile, batch), ts in sorted(total.items()):
        summed = sum(t["seconds"] for t in ts)
        if all("started_epoch" in t for t in ts) and max(t.get("lanes", 1) for t in ts) > 1:
            # Notebooks of parallel lanes overlap: the run's wall time is first start to last end.
            wall = max(t["ended_epoch"] for t in ts) - min(t["started_epoch"] for t in ts)
            print(f"| **all, {profile}, {len(ts)} notebooks in lanes{run_of(batch)}** | | **{wall / 60:.1f} min** (the"
                  f" notebooks' own times add up to {summed / 60:.1f}) | | | | | |")
        else:
            print(f"| **all, {profile}, {len(ts)} notebooks{run_of(batch)}** | | **{summed / 60:.1f} min** | | | | | |")


if __name__ == "__main__":
    main()
