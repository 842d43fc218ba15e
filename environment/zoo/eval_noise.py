#!/usr/bin/python3
"""Measures one evaluation's noise for a reference model's curve: scores one generator again and again with other
seeds, so the report can say whether the curve's last moves are larger than that (lib/zoo/README.md's rule: a
budget is converged when the last evaluations move by less than one evaluation's own noise).

    environment/zoo/eval_noise.py NAME [--seeds 8] [--from DIR] [--threads 2]
    then: environment/repro/reproduce.py report      # shows the spread under NAME's curve

During training a recipe's evaluation draws its fakes from the same latents and projects SWD along the same
directions at every step, so the curve's differences are the weights'. A score of the same generator with other
latents and projections (the exported model's final scoring, another machine's evaluation) differs by the
spread measured here. Seed s draws the fakes with `ganlab sample --seed s` and scores them with
`ganlab metrics --seed s` (SWD's projections and any subsets), with the recipe's own count, real set, metrics,
features and generator (EMA or raw), read from the run's config.json, or, for a model that scored nothing while it
trained (the 20,000-step DCGAN of 2026-12-01), from its curve run's snapshot (lib/reproduction/curves/CURVE.json, CURVE
the recipe's "curve" in environment/zoo/recipes.py, else NAME-curve).

The generator is the exported model's (lib/zoo/NAME), else the carried run's newest checkpoint
(lib/zoo/training/NAME), else build/zoo/NAME/run's, or --from DIR. Resumable: each seed's report is kept in
build/zoo/noise/NAME/step-N-KEY/ (KEY: the folder and settings) and not recomputed; the summary goes to lib/reproduction/noise/NAME.json.
"""
import argparse
import glob
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import recipes as R  # noqa: E402  a recipe may name the curve run that scores it (its "curve")
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
NOISE = os.path.join(ROOT, "lib", "reproduction", "noise")
JAR = os.path.join(ROOT, "lib", "target", "ganlab.jar")


def read_json(path):
    with open(path) as fh:
        return json.load(fh)


def source(name, given):
    """The folder whose generator is scored, and its step."""
    candidates = [given] if given else [os.path.join(ROOT, "lib", "zoo", name),
                                        os.path.join(ROOT, "lib", "zoo", "training", name),
                                        os.path.join(ROOT, "build", "zoo", name, "run")]
    in_parts = None
    for folder in candidates:
        scores = os.path.join(folder, "scores.json")
        if os.path.exists(scores):  # an exported reference model
            return folder, int(read_json(scores)["step"])
        steps = [int(m.group(1)) for p in glob.glob(os.path.join(folder, "checkpoints", "step-*"))
                 if (m := re.search(r"step-(\d+)\.ckpt", os.path.basename(p)))]
        if steps:
            step = max(steps)
            if os.path.exists(os.path.join(folder, "checkpoints", f"step-{step:08d}.ckpt")):
                return folder, step
            # carried in parts: a run restored from them (the next candidate) is scored instead, if there is one
            in_parts = in_parts or (f"{folder}: the step-{step} checkpoint is carried in parts; restore the run with"
                                    f" environment/zoo/train-reference.sh {name} (it joins them into"
                                    f" build/zoo/{name}/run) and pass --from build/zoo/{name}/run")
    if in_parts:
        raise SystemExit(in_parts)
    raise SystemExit(f"{name}: no generator in {' or '.join(candidates)} (an exported model's scores.json or a"
                     " run's checkpoints/step-N.ckpt)")


def run(cmd, log):
    with open(log, "w") as fh:
        done = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed (exit {done.returncode}); its output: {log}")


def sampled_step(log, step):
    """Refuses fakes drawn at another step than the one the summary will name (the loader falls back to an older
    checkpoint when the newest cannot be read, and says so only in its output)."""
    with open(log) as fh:
        said = re.search(r"images of \S+ step (\d+)", fh.read())
    if said is None or int(said.group(1)) != step:
        raise SystemExit(f"{log}: the fakes were not drawn at step {step}"
                         f" ({'step ' + said.group(1) if said else 'no step said'}): see that log")


def spread(values):
    return {"mean": statistics.fmean(values), "sd": statistics.stdev(values) if len(values) > 1 else None,
            "min": min(values), "max": max(values), "values": values}


def evaluation(name, folder, config):
    """The evaluation whose noise is measured, and where it was read: the run's own (config.json's eval), else,
    for a model that scored nothing while it trained, its recipe's curve run's (the recipe's "curve", else
    NAME-curve), as the curve's snapshot in lib/reproduction/curves records it."""
    ev = config.get("eval") or {}
    if ev.get("metrics"):
        return ev, os.path.relpath(os.path.join(folder, "config.json"), ROOT)
    curves = os.path.join(ROOT, "lib", "reproduction", "curves")
    named = R.RECIPES.get(name, {}).get("curve")  # a curve run of another name that trains this model's recipe
    for curve in ([named] if named else []) + [f"{name}-curve", name]:
        path = os.path.join(curves, f"{curve}.json")
        ev = (read_json(path).get("eval") or {}) if os.path.exists(path) else {}
        if ev.get("metrics"):
            return ev, os.path.relpath(path, ROOT)
    raise SystemExit(f"{folder}/config.json: no eval.metrics, and no {named + '.json, ' if named else ''}"
                     f"{name}-curve.json or {name}.json in"
                     f" {os.path.relpath(curves, ROOT)} with one, so no curve whose noise to measure")


def measure(name, folder, step, seeds, threads):
    config = read_json(os.path.join(folder, "config.json"))
    ev, ev_from = evaluation(name, folder, config)
    n, real, metrics = int(ev["n"]), ev.get("real") or config["data"], ev["metrics"]
    if "resolution=" not in real and config.get("resolution"):
        # the trainer scores against the real images brought to its fakes' size (RunEvaluation); the CLI
        # would take them at the set's own size (Fashion-MNIST's 28 px against 32 px fakes: another number)
        real += ("&" if "?" in real else "?") + f"resolution={int(config['resolution'])}"
    features, ema = ev.get("features", "fmnist"), bool(ev.get("ema", True))
    # kept scorings are reused only for the same generator and settings (another folder at the same step, such
    # as a run trained on another platform, or another count or real set, starts afresh)
    key = json.dumps([os.path.realpath(folder), n, real, metrics, features, ema])
    work = os.path.join(ROOT, "build", "zoo", "noise", name,
                        f"step-{step}-{hashlib.sha256(key.encode()).hexdigest()[:10]}")
    os.makedirs(work, exist_ok=True)
    java = ["java", "-jar", JAR]
    reports = []
    for s in range(1, seeds + 1):
        report = os.path.join(work, f"seed-{s}.json")
        if not os.path.exists(report):
            fakes = os.path.join(work, f"fakes-{s}")
            run(java + ["sample", "--run", folder, "--n", str(n), "--seed", str(s), "--threads", str(threads),
                        "--out", fakes] + (["--ema"] if ema else []), os.path.join(work, f"sample-{s}.log"))
            sampled_step(os.path.join(work, f"sample-{s}.log"), step)
            run(java + ["metrics", "--real", real, "--fake", fakes, "--n", str(n), "--metrics", metrics,
                        "--features", features, "--seed", str(s), "--threads", str(threads),
                        "--json", report + ".tmp"], os.path.join(work, f"metrics-{s}.log"))
            os.replace(report + ".tmp", report)
        reports.append(read_json(report))
        shown = {k: round(v, 4) for k, v in reports[-1]["metrics"].items() if k in ("swd_x1e3", "fid_fmnist")}
        print(f"{name} step {step:,} seed {s}: {shown}", flush=True)
    keys = [k for k in reports[0]["metrics"] if all(isinstance(r["metrics"].get(k), (int, float)) for r in reports)]
    summary = {"name": name, "step": step, "source": os.path.relpath(folder, ROOT),
               "generator": "ema" if ema else "raw", "fakes": n, "real": real, "features": features,
               "evaluationFrom": ev_from,
               "seeds": list(range(1, seeds + 1)),
               "how": "seed s: ganlab sample --seed s (latents), ganlab metrics --seed s (projections, subsets)",
               "metrics": {k: spread([r["metrics"][k] for r in reports]) for k in keys}}
    os.makedirs(NOISE, exist_ok=True)
    out = os.path.join(NOISE, f"{name}.json")
    with open(out + ".tmp", "w") as fh:
        fh.write(json.dumps(summary, indent=2) + "\n")
    os.replace(out + ".tmp", out)
    swd = summary["metrics"].get("swd_x1e3")
    said = f": SWD x1e3 {swd['mean']:.2f} sd {swd['sd']:.2f}" if swd and swd["sd"] is not None else ""
    print(f"wrote {os.path.relpath(out, ROOT)}{said} (then: environment/repro/reproduce.py report)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("name", help="a recipe's name, e.g. progan-emoji32 or progan-emoji32-long")
    ap.add_argument("--seeds", type=int, default=8, help="how many scorings (at least 2 for a spread)")
    ap.add_argument("--from", dest="folder", help="an exported model's or a run's folder")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    if a.seeds < 2:
        raise SystemExit(f"--seeds {a.seeds}: a spread needs at least 2 scorings")
    if not os.path.exists(JAR):
        raise SystemExit(f"{JAR}: not built (bash environment/setup.sh builds it)")
    folder, step = source(a.name, os.path.abspath(a.folder) if a.folder else None)
    measure(a.name, folder, step, a.seeds, a.threads)


if __name__ == "__main__":
    sys.exit(main())
