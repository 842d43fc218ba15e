#!/usr/bin/python3
"""Chooses notebook 06's quick-profile budget by measurement: trains each conditioning method with the notebook's
quick recipe at the given budgets (one seed) and scores it with `ganlab metrics-conditional` (mean intra-class FID
and mean classifier accuracy, raw and EMA generators, 200 images per class against fashion-mnist:test).

    environment/conditional/quick_budget.py [--budgets 200x40,400x40] [--seed 1] [--threads 1]

A budget is STEPSxBATCH; the widths are the notebook's quick ones (generator 32, discriminator 16, latent 64).
Results are appended to lib/reproduction/conditional/quick-budget.jsonl, one line per budget and method, with the
commit and the jar's hash; a budget and method already there for this seed is skipped, so the command continues
where it stopped. Run folders stay in
build/conditional/quick-budget/ (git-ignored). Training time is recorded but is the wall time of this process on a
shared machine: the notebook's own time is in lib/BENCHMARKS.md's notebook table.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import time

import measure  # this folder: the jar copy the conditional measurements share

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
BUILD = os.path.join(ROOT, "build", "conditional", "quick-budget")
RESULTS = os.path.join(ROOT, "lib", "reproduction", "conditional", "quick-budget.jsonl")
METHODS = ["concat", "acgan", "projection"]
# Notebook 06's quick profile (its parameters cell): DCGAN layout at 28 px, non-saturating loss, class-balanced
# batches, generator width 32, discriminator width 16, latent 64; no scoring inside the run.
# Measured without weight decay, before the dcgan preset took the DCGAN code's 1e-5: pinned, so that a rerun
# measures what lib/reproduction/conditional holds.
RECIPE = ["--model", "dcgan", "--data", "fashion-mnist", "--loss", "ns", "--class-balanced",
          "--set", "dcgan.gWidth=32", "--set", "dcgan.dWidth=16", "--set", "dcgan.latentDim=64", "--set", "eval.metrics=",
          "--set", "optG.weightDecay=0", "--set", "optD.weightDecay=0"]


def fresh_jar():
    """measure.py's private copy of the jar and its lib/, made anew at each start: rebuilding the checkout while
    this job runs does not change it, and a later start uses the newer build."""
    shutil.rmtree(os.path.join(measure.BUILD, "jar-quick-budget"), ignore_errors=True)
    return measure.frozen_jar(os.path.join(ROOT, "lib", "target", "ganlab.jar"), "quick-budget")


def provenance(jar):
    """The checkout's commit and the jar's sha256, recorded with every row."""
    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    with open(jar, "rb") as f:
        return {"commit": commit, "jar_sha256": hashlib.sha256(f.read()).hexdigest()[:16]}


def done():
    if not os.path.exists(RESULTS):
        return set()
    with open(RESULTS) as f:
        return {(r["budget"], r["method"], r["seed"]) for r in map(json.loads, f)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--budgets", default="200x40,400x40")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    jar = fresh_jar()
    built = provenance(jar)
    env = dict(os.environ, GANLAB_THREADS=str(a.threads), OMP_NUM_THREADS=str(a.threads))
    java = ["java", "-Xmx1g", "-jar", jar]
    finished = done()
    for budget in a.budgets.split(","):
        steps, batch = (int(v) for v in budget.split("x"))
        for method in METHODS:
            if (budget, method, a.seed) in finished:
                continue
            run = os.path.join(BUILD, f"{budget}-{method}-seed{a.seed}")
            shutil.rmtree(run, ignore_errors=True)
            t0 = time.time()
            subprocess.run(java + ["train"] + RECIPE + ["--batch", str(batch), "--steps", str(steps), "--cond", method,
                                                        "--seed", str(a.seed), "--out", run],
                           check=True, stdout=subprocess.DEVNULL, env=env)
            row = {"budget": budget, "steps": steps, "batch": batch, "method": method, "seed": a.seed,
                   "train_wall_s": round(time.time() - t0, 1), **built}
            for generator in ("raw", "ema"):
                out = os.path.join(run, generator + ".json")
                subprocess.run(java + ["metrics-conditional", "--run", run, "--real", "fashion-mnist:test", "--n", "200",
                                       "--seed", "0", "--json", out] + (["--raw"] if generator == "raw" else []),
                               check=True, stdout=subprocess.DEVNULL, env=env)
                with open(out) as f:
                    s = json.load(f)
                row[generator] = {"scored": s["generator"], "mean_intra_fid": round(s["mean_fid"], 2),
                                  "mean_accuracy": round(s["mean_accuracy"], 4)}
            with open(RESULTS, "a") as f:
                f.write(json.dumps(row) + "\n")
            print(budget, method, row["raw"], row["ema"], flush=True)


if __name__ == "__main__":
    main()
