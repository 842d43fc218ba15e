#!/usr/bin/python3
"""Why the main command runs two notebooks at a time on a CPU: step times of the quick profiles' own runs with
two engine threads, with one, and as two one-thread runs side by side (two lanes on the same cores).

    environment/bench/thread_lanes.py [--runs build/runs/quick] [--steps 100]

Each workload is a run folder the last main command wrote (its config.json, resolved), trained afresh into a
temporary folder with `ganlab train --config ... --threads N` and no evaluations, samples or checkpoints along
the way. The step time is taken from the run's own clock (metrics.csv) between step 20 and the last step, so
start-up and the first steps' warm-up are left out. Run it on an otherwise idle machine; it prints a Markdown
table for lib/BENCHMARKS.md ("Notebook wall times").
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
JAR = os.path.join(ROOT, "lib", "target", "ganlab.jar")
QUIET = ["--set", "sampleEvery=1000000", "--set", "checkpointEvery=1000000", "--set", "eval.every=0",
         "--set", "eval.metrics=", "--set", "logEvery=10"]
# (label, run folder under --runs, extra settings): the notebooks' trainings, by notebook.
WORKLOADS = [
    ("01 original GAN (fully connected)", "01-gan", []),
    ("01 DCGAN baseline, 28 px", "01-dcgan-ns", []),
    ("01 ring, 2-D mixture", "01-ring-plain", []),
    ("02 ProGAN at 4 px (first phase)", "02-progan-emoji", []),
    ("02 ProGAN at 32 px (phases of 16 images)", "02-progan-emoji",
     ["--set", "progan.fadeInImages=16", "--set", "progan.stabiliseImages=16"]),
    ("03 FastGAN 64 px, width 8", "fastgan-plain", []),
    ("06 conditional DCGAN (projection)", "06-projection", []),
]


def start(config, out, steps, threads, extra):
    cmd = ["java", "-jar", JAR, "train", "--config", config, "--out", out, "--steps", str(steps),
           "--threads", str(threads)] + QUIET + extra
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def seconds_per_step(proc, out, steps):
    _, err = proc.communicate()
    if proc.returncode != 0:
        sys.exit(f"thread_lanes: training into {out} failed:\n{err[-2000:]}")
    with open(os.path.join(out, "metrics.csv"), encoding="utf-8") as f:
        clock = {int(r["step"]): float(r["seconds"]) for r in csv.DictReader(f)}
    if 20 not in clock or steps not in clock:
        sys.exit(f"thread_lanes: {out}/metrics.csv has no row for step 20 or {steps}")
    return (clock[steps] - clock[20]) / (steps - 20)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", default=os.path.join(ROOT, "build", "runs", "quick"))
    ap.add_argument("--steps", type=int, default=100)
    args = ap.parse_args()
    if args.steps <= 20 or args.steps % 10:
        sys.exit(f"thread_lanes: --steps {args.steps}: use a multiple of 10 above 20")
    if not os.path.isfile(JAR):
        sys.exit(f"thread_lanes: no {JAR}; build it with environment/setup.sh")
    work = tempfile.mkdtemp(prefix="thread-lanes-")
    print("| workload | 2 threads | 1 thread | two 1-thread runs side by side, each | two lanes' work per second"
          " against one lane of 2 threads |")
    print("|---|---:|---:|---:|---:|")
    try:
        for i, (label, folder, extra) in enumerate(WORKLOADS):
            config = os.path.join(args.runs, folder, "config.json")
            if not os.path.isfile(config):
                sys.exit(f"thread_lanes: no {config}: run environment/run-main.sh first (or give --runs)")
            out = lambda name: os.path.join(work, f"{i}-{name}")
            t2 = seconds_per_step(start(config, out("t2"), args.steps, 2, extra), out("t2"), args.steps)
            t1 = seconds_per_step(start(config, out("t1"), args.steps, 1, extra), out("t1"), args.steps)
            pair = [start(config, out(f"side{k}"), args.steps, 1, extra) for k in (0, 1)]
            side = max(seconds_per_step(p, out(f"side{k}"), args.steps) for k, p in enumerate(pair))
            print(f"| {label} | {t2 * 1000:.1f} ms | {t1 * 1000:.1f} ms | {side * 1000:.1f} ms | {2 * t2 / side:.2f}x |",
                  flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
