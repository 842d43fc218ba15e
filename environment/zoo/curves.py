#!/usr/bin/python3
"""Copies a reference model's training curve into lib/reproduction/curves/ while it trains (issue 17:
"ProGAN and FastGAN at the largest budget this machine allows, with their curves").

    environment/zoo/curves.py snapshot NAME [--work DIR]   # e.g. progan-emoji32; DIR defaults to build/zoo/NAME
    environment/zoo/curves.py snapshot --all [--work-root DIR]
    then: environment/repro/reproduce.py report          # draws the curves into lib/REPRODUCTION.md

A reference run (environment/zoo/train-reference.sh NAME) scores its EMA generator during training
(the recipe's `eval` block); those scores are rows of the run's metrics.csv. A snapshot keeps the rows that
carry a score (every column), where each phase of a staged model began (from every history row), the run's
progress and its newest EMA sample grid, so the report can show a curve of a run that has not finished, and a
session that ends mid-run loses nothing of it once committed. Settings come from the run's own config.json
(what it trains), not from the recipe as it stands now. Running it again replaces that run's snapshot.
"""
import argparse
import csv
import glob
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "repro"))
import recipes as R  # noqa: E402
from curves_section import phase  # noqa: E402  the report's reading of a history row's phase

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CURVES = os.path.join(ROOT, "lib", "reproduction", "curves")


def scored(row):
    """Whether a history row carries an evaluation (a SWD or FID column with a value)."""
    return any(k and v not in ("", None) and (k.startswith("swd_") or k.startswith("fid")) for k, v in row.items())


def liveness(status):
    """status.json's state, with a 'running' run whose process is gone shown as stopped (RunStatus's rule)."""
    state = status.get("status", "?")
    if state != "running":
        return state
    try:
        boot = open("/proc/sys/kernel/random/boot_id").read().strip()
    except OSError:
        boot = None
    pid = status.get("pid")
    alive = pid is not None and status.get("bootId") == boot and os.path.exists(f"/proc/{pid}")
    return "running" if alive else "stopped (resumable from its last checkpoint)"


def atomic_copy(text_or_path, dest, is_file=False):
    tmp = f"{dest}.{os.getpid()}.tmp"
    if is_file:
        shutil.copyfile(text_or_path, tmp)
    else:
        with open(tmp, "w") as fh:
            fh.write(text_or_path)
    os.replace(tmp, dest)


def snapshot(name, work):
    run = os.path.join(work, "run")
    history = os.path.join(run, "metrics.csv")
    if not os.path.exists(history):
        raise SystemExit(f"{history}: no history yet (has {name} started training?)")
    with open(history, newline="") as fh:
        reader = csv.DictReader(fh)
        every = list(reader)
        columns = reader.fieldnames or []
    if not every:
        raise SystemExit(f"{history}: no rows yet")
    config = json.load(open(os.path.join(run, "config.json")))
    status_path = os.path.join(run, "status.json")
    status = json.load(open(status_path)) if os.path.exists(status_path) else {}
    last = every[-1]
    phases, current = [], None
    for r in every:
        ph = phase(r)
        if ph and ph != current:
            phases.append({"step": int(r["step"]), "images": int(r["images"]), "phase": ph})
            current = ph
    rows = [r for r in every if scored(r)]
    os.makedirs(CURVES, exist_ok=True)
    lines = [",".join(columns)] + [",".join(r.get(c) or "" for c in columns) for r in rows]
    atomic_copy("\n".join(lines) + "\n", os.path.join(CURVES, f"{name}.csv"))
    grids = [g for g in sorted(glob.glob(os.path.join(run, "samples", "step-*.png"))) if not g.endswith("-raw.png")]
    latest = os.path.join(CURVES, f"{name}-latest.png")
    if grids:
        atomic_copy(grids[-1], latest, is_file=True)
    elif os.path.exists(latest):
        os.remove(latest)
    progress = {"name": name, "title": R.RECIPES[name]["title"] if name in R.RECIPES else name,
                "steps": config.get("steps"), "step": int(last["step"]), "images": int(last["images"]),
                "seconds": float(last["seconds"]) if last.get("seconds") else None,
                "status": liveness(status), "lastHistoryRow": status.get("updated"),
                "grid": os.path.basename(grids[-1]) if grids else None, "phases": phases,
                "eval": config.get("eval", {}),
                "note": R.RECIPES[name].get("curve_note") if name in R.RECIPES else None}
    atomic_copy(json.dumps(progress, indent=2) + "\n", os.path.join(CURVES, f"{name}.json"))
    print(f"{name}: step {progress['step']:,} of {progress['steps']:,}, {len(rows)} scored rows -> "
          f"{os.path.relpath(CURVES, ROOT)}/{name}.csv (then: environment/repro/reproduce.py report)")


def evaluates(name):
    return bool(R.RECIPES[name]["config"].get("eval", {}).get("metrics"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("snapshot")
    s.add_argument("name", nargs="?")
    s.add_argument("--all", action="store_true",
                   help="every recipe that scores during training and whose run exists under --work-root")
    s.add_argument("--work", help="the run's work folder (default build/zoo/NAME)")
    s.add_argument("--work-root", default=os.path.join(ROOT, "build", "zoo"))
    a = ap.parse_args()
    if a.all:
        for n in R.RECIPES:
            if evaluates(n) and os.path.exists(os.path.join(a.work_root, n, "run", "metrics.csv")):
                snapshot(n, os.path.join(a.work_root, n))
        return
    if a.name not in R.RECIPES:
        raise SystemExit(f"no recipe '{a.name}' (known: {', '.join(R.RECIPES)})")
    if not evaluates(a.name):
        raise SystemExit(f"recipe '{a.name}' does not score during training (no eval.metrics): no curve to copy")
    snapshot(a.name, os.path.abspath(a.work) if a.work else os.path.join(ROOT, "build", "zoo", a.name))


if __name__ == "__main__":
    main()
