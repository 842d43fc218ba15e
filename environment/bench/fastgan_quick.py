#!/usr/bin/python3
"""Which FastGAN sizes learn fastest per CPU second, for notebook 03's quick profile (issue 17, item 3:
"choose recipes and sizes for the quick profile that learn fast on a CPU (measure, do not guess)").

    python3 environment/bench/fastgan_quick.py [--threads 2] [--work build/fastgan-quick]

Each variant is notebook 03's quick recipe (FastGAN, the 100-smiley subset at 64 px, batch 8, SLE and
DiffAugment on, seed 1) at one width and latent size, trained with `ganlab train` for the variant's steps. The
raw generator is scored every EVERY steps during training (SWD x1e3 against the 100 reals, 200 fakes: the
notebook's quick count), so one run gives the curve of score against the run's clock; at the end both
generators are sampled (500 fakes) and scored again, EMA beside raw. The variants run one after another on an
otherwise idle machine, so their clocks compare. A finished variant (status.json says finished at its length)
is not run again. Prints a markdown table; the run folders stay under --work.
"""
import argparse
import csv
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
JAR = os.path.join(ROOT, "lib", "target", "ganlab.jar")
REAL = "emoji:smileys?limit=100"
EVERY = 100
# (name, G and D width = decoder width, latent, steps): the quick profile as it stands (8, 64), twice its
# width, and the reference model's size (32, 256: lib/zoo/fastgan-smileys64), each long enough to pass the
# quick profile's present cost several times over
VARIANTS = [("w8-z64", 8, 64, 1000), ("w16-z64", 16, 64, 600), ("w32-z256", 32, 256, 300)]


def ganlab(args, threads, log):
    cmd = ["java", "-Xmx1g", "-jar", JAR, *args, "--threads", str(threads)]
    with open(log, "a") as fh:
        fh.write("+ " + " ".join(cmd) + "\n")
        fh.flush()
        if subprocess.call(cmd, stdout=fh, stderr=subprocess.STDOUT) != 0:
            raise SystemExit(f"failed: {' '.join(cmd)} (log {log})")


def finished(run, steps):
    path = os.path.join(run, "status.json")
    if not os.path.exists(path):
        return False
    s = json.load(open(path))
    return s.get("status") == "finished" and s.get("step") == steps


def final_swd(work, run, gen, threads, log):
    out = os.path.join(work, f"scores-{gen}.json")
    if not os.path.exists(out):
        samples = os.path.join(work, f"samples-{gen}")
        ganlab(["sample", "--run", run, "--n", "500", "--seed", "1", "--out", samples,
                *(["--ema"] if gen == "ema" else [])], threads, log)
        ganlab(["metrics", "--real", REAL, "--fake", samples, "--metrics", "swd", "--n", "500", "--seed", "0",
                "--json", out + ".tmp"], threads, log)
        os.replace(out + ".tmp", out)
    return find_number(json.load(open(out)), "swd_x1e3")


def find_number(tree, key):
    if isinstance(tree, dict):
        for k, v in tree.items():
            if k == key and isinstance(v, (int, float)):
                return v
            found = find_number(v, key)
            if found is not None:
                return found
    if isinstance(tree, list):
        for v in tree:
            found = find_number(v, key)
            if found is not None:
                return found
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "fastgan-quick"))
    a = ap.parse_args()
    rows = []
    for name, width, latent, steps in VARIANTS:
        work = os.path.join(a.work, name)
        run = os.path.join(work, "run")
        log = os.path.join(work, "log.txt")
        os.makedirs(work, exist_ok=True)
        if not finished(run, steps):
            resume = ["--resume"] if os.path.isdir(os.path.join(run, "checkpoints")) else []
            sets = {"dataLimit": 100, "fastgan.gWidth": width, "fastgan.dWidth": width,
                    "fastgan.decoderWidth": width, "fastgan.latentDim": latent, "eval.metrics": "swd",
                    "eval.every": EVERY, "eval.n": 200, "eval.ema": "false", "eval.real": REAL,
                    "sampleEvery": EVERY, "checkpointEvery": EVERY}
            args = ["train", "--model", "fastgan", "--data", "emoji:smileys", "--resolution", "64", "--steps",
                    str(steps), "--seed", "1", "--out", run, *resume]
            for k, v in sets.items():
                args += ["--set", f"{k}={v}"]
            print(f"training {name} ({steps} steps) -> {run}", file=sys.stderr, flush=True)
            ganlab(args, a.threads, log)
        with open(os.path.join(run, "metrics.csv"), newline="") as fh:
            curve = [(int(r["step"]), float(r["seconds"]), float(r["swd_x1e3"]))
                     for r in csv.DictReader(fh) if r.get("swd_x1e3")]
        rows.append((name, curve, final_swd(work, run, "raw", a.threads, log),
                     final_swd(work, run, "ema", a.threads, log)))
    print("| variant | step: seconds, raw SWD x1e3 (200 fakes) | end: raw / EMA SWD x1e3 (500 fakes) |")
    print("|---|---|---|")
    for name, curve, raw, ema in rows:
        points = "; ".join(f"{s}: {sec:.0f} s, {swd:.1f}" for s, sec, swd in curve)
        print(f"| {name} | {points} | {raw:.1f} / {ema:.1f} |")


if __name__ == "__main__":
    main()
