#!/usr/bin/python3
"""Copies a reference model's training curve into lib/reproduction/curves/ while it trains (issue 17:
"ProGAN and FastGAN at the largest budget this machine allows, with their curves").

    environment/zoo/curves.py snapshot NAME [--work DIR]   # e.g. progan-emoji32; DIR defaults to build/zoo/NAME
    environment/zoo/curves.py snapshot --all [--work-root DIR]

A reference run (environment/zoo/train-reference.sh NAME) scores its EMA generator during training
(the recipe's `eval` block); those scores are rows of the run's metrics.csv. A snapshot keeps the rows that
carry a score (every column), the run's progress (status.json's step, status and elapsed seconds) and its
newest sample grid, so the report (environment/repro/reproduce.py report) can show a curve of a run that
has not finished, and a session that ends mid-run loses nothing of it once committed. Writes atomically;
running it again replaces the previous snapshot of that run.
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
import recipes as R  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CURVES = os.path.join(ROOT, "lib", "reproduction", "curves")


def scored(row):
    """Whether a history row carries an evaluation (a SWD or FID column with a value)."""
    return any(v not in ("", None) and (k.startswith("swd_") or k.startswith("fid")) for k, v in row.items())


def atomic_write(path, text):
    with open(path + ".tmp", "w") as fh:
        fh.write(text)
    os.replace(path + ".tmp", path)


def snapshot(name, work):
    run = os.path.join(work, "run")
    history = os.path.join(run, "metrics.csv")
    if not os.path.exists(history):
        raise SystemExit(f"{history}: no history yet (has {name} started training?)")
    with open(history, newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [r for r in reader if scored(r)]
        columns = reader.fieldnames
    status = json.load(open(os.path.join(run, "status.json")))
    last = None
    with open(history, newline="") as fh:
        for last in csv.DictReader(fh):
            pass
    os.makedirs(CURVES, exist_ok=True)
    lines = [",".join(columns)] + [",".join(r.get(c) or "" for c in columns) for r in rows]
    atomic_write(os.path.join(CURVES, f"{name}.csv"), "\n".join(lines) + "\n")
    grids = sorted(glob.glob(os.path.join(run, "samples", "step-*.png")))
    grids = [g for g in grids if not g.endswith("-raw.png")]
    progress = {"name": name, "title": R.RECIPES[name]["title"], "steps": R.RECIPES[name]["config"]["steps"],
                "step": status.get("step"), "status": status.get("status"),
                "seconds": float(last["seconds"]) if last and last.get("seconds") else None,
                "started": status.get("started"), "updated": status.get("updated"),
                "grid": os.path.basename(grids[-1]) if grids else None,
                "eval": R.RECIPES[name]["config"].get("eval", {})}
    if grids:
        shutil.copyfile(grids[-1], os.path.join(CURVES, f"{name}-latest.png.tmp"))
        os.replace(os.path.join(CURVES, f"{name}-latest.png.tmp"), os.path.join(CURVES, f"{name}-latest.png"))
    atomic_write(os.path.join(CURVES, f"{name}.json"), json.dumps(progress, indent=2) + "\n")
    print(f"{name}: step {progress['step']:,} of {progress['steps']:,}, {len(rows)} scored rows -> "
          f"{os.path.relpath(CURVES, ROOT)}/{name}.csv")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("snapshot")
    s.add_argument("name", nargs="?")
    s.add_argument("--all", action="store_true", help="every recipe whose run folder exists under --work-root")
    s.add_argument("--work", help="the run's work folder (default build/zoo/NAME)")
    s.add_argument("--work-root", default=os.path.join(ROOT, "build", "zoo"))
    a = ap.parse_args()
    if a.all:
        names = [n for n in R.RECIPES if os.path.exists(os.path.join(a.work_root, n, "run", "metrics.csv"))]
        for n in names:
            snapshot(n, os.path.join(a.work_root, n))
        return
    if a.name not in R.RECIPES:
        raise SystemExit(f"no recipe '{a.name}' (known: {', '.join(R.RECIPES)})")
    snapshot(a.name, os.path.abspath(a.work) if a.work else os.path.join(ROOT, "build", "zoo", a.name))


if __name__ == "__main__":
    main()
