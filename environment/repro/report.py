"""Writes lib/REPRODUCTION.md from the results in lib/reproduction/ (reproduce.py report)."""
import datetime
import glob
import json
import os
import statistics
import subprocess

from curves_section import write_curves

# Scores shown, as (key in the metrics report, label, lower is better).
SHOWN = (("fid", "FID", True), ("kid", "KID", True), ("is", "IS", False), ("precision", "precision", False),
         ("recall", "recall", False))


def flatten(d, prefix=""):
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(flatten(v, prefix + k + "."))
        else:
            out[prefix + k] = v
    return out


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "load1": round(os.getloadavg()[0], 2)}


def metric(res, gen, key):
    """A score of a result (gen: ema or raw; None for a floor, which has one report)."""
    rep = res["scores"] if gen is None else res["scores"][gen]
    m = rep.get("metrics", rep)
    # Scores made with the project's Fashion-MNIST network carry the suffix _fmnist since the metrics were
    # renamed (so they cannot pass for Inception scores); results scored before the rename have plain keys.
    v = m.get(key)
    if v is None:
        v = m.get(key + "_fmnist")
    return v


def fmt(v):
    return f"{v:.3g}" if abs(v) < 1 else f"{v:.2f}"


def summary(values):
    """'mean ± sd (a, b, c)' over seeds; sd is the sample standard deviation."""
    vals = [v for v in values if v is not None]
    if not vals:
        return "pending"
    each = ", ".join(fmt(v) for v in vals)
    if len(vals) == 1:
        return f"{fmt(vals[0])} (1 seed)"
    return f"{fmt(statistics.mean(vals))} ± {fmt(statistics.stdev(vals))} ({each})"


def verdict(ours, ref, lower_better=True):
    """GAN Lab against the reference: a difference counts only when it exceeds both spreads."""
    if len(ours) < 2 or len(ref) < 2:
        return "too few seeds yet"
    mo, mr = statistics.mean(ours), statistics.mean(ref)
    spread = max(statistics.stdev(ours), statistics.stdev(ref))
    worse = (mo - mr) if lower_better else (mr - mo)
    if worse > 2 * spread:
        return f"**GAN Lab worse** by {fmt(abs(mo - mr))} (> 2 x the larger seed spread, {fmt(spread)})"
    if -worse > 2 * spread:
        return f"GAN Lab better by {fmt(abs(mo - mr))} (> 2 x the larger seed spread, {fmt(spread)})"
    return f"no difference beyond the seed spread (difference {fmt(mo - mr)}; larger sd {fmt(spread)})"


def reference_models(root, rec):
    """The recipe's reference models (rec['reference_models']: (name, what its rows are) pairs, each lib/zoo/NAME,
    the same recipe trained longer), each shaped as a result with where it is and what it is, in the order of their
    steps; one named but not exported is an error naming it."""
    out = []
    for name, note in rec.get("reference_models", ()):
        path = os.path.join(root, "lib", "zoo", name, "scores.json")
        if not os.path.exists(path):
            raise SystemExit(f"{path}: reference model named by environment/repro/jobs.py but not exported")
        s = json.load(open(path))
        out.append({"step": s["step"], "scores": s["generators"], "note": note,
                    "where": f"reference model `lib/zoo/{name}`"})
    return sorted(out, key=lambda r: r["step"])


def running_units(jobs, build, results_dir):
    """Units without a committed result, with the last progress line of their log in build/ if any.

    A unit is done when its result is in lib/reproduction (what a fresh clone has; build/ is not kept) or
    when build/ holds its 'recorded' marker."""
    out = []
    for j in jobs.JOBS:
        for b in j["budgets"]:
            done = os.path.join(build, "done", j["id"], f"step{b}.recorded")
            result = os.path.join(results_dir, j["recipe"], f"{j['impl']}-seed{j['seed']}-step{b}.json")
            log = os.path.join(build, "logs", j["id"], f"step{b}.log")
            if os.path.exists(done) or os.path.exists(result):
                continue
            last = "not started"
            if os.path.exists(log):
                lines = [x for x in open(log).read().splitlines() if "step" in x and "/" in x and "+" not in x[:2]]
                last = "started; " + (lines[-1].strip()[:100] if lines else "no progress line yet")
            out.append((f"{j['id']}/step{b}", last))
    return out


def write_report(jobs, results_dir, build, root):
    res = []
    floors = {}
    for f in sorted(glob.glob(os.path.join(results_dir, "*", "*.json"))):
        folder = os.path.basename(os.path.dirname(f))
        if folder == "conditional":
            continue  # environment/conditional/measure.py's results, reported in lib/BENCHMARKS.md
        if folder in ("curves", "noise"):
            continue  # the long runs' curves and their evaluation noise (environment/zoo/), a section of their own
        r = json.load(open(f))
        if folder == "floors":
            floors[r["data"]] = r
        else:
            res.append(r)
    L = []
    w = L.append
    w("# GAN Lab reproduction")
    w("")
    w("Generated by `environment/repro/reproduce.py report` from the results in `lib/reproduction/` (one JSON"
      " per recipe, implementation, seed and step budget, with the exact commands, the checkout, the full"
      " metrics reports and a 64-sample grid PNG beside it). `environment/repro/reproduce.py run` makes them:"
      " the job table is `environment/repro/jobs.py`; each unit is resumable (see the script's help).")
    w("")
    w(f"Report written {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC.")
    w("")
    w("## How every number here is made")
    w("")
    s = jobs.SCORING
    w(f"* **Training**: each implementation trains the pinned recipe below for the step budget, one engine"
      f" thread per run (`--threads 1`, `torch.set_num_threads(1)`), at most two runs at once on a shared"
      f" 2-core machine. A 5k-step result continues the 1k run of the same seed (for these recipes no"
      f" setting depends on the run's length, and GAN Lab's resume is exact).")
    w(f"* **Samples**: {s['n']:,} images per generator (latent seed {s['sample_seed']}), from the EMA"
      f" generator and from the raw generator, both in inference mode (batch norm from running statistics)."
      f" GAN Lab: `ganlab sample`; PyTorch: `dcgan_peer.py --sample`; both quantise to 8 bits as"
      f" round((x + 1) x 127.5) and write grey PNGs.")
    w(f"* **Scores**: `ganlab metrics --real {s['real']} --fake DIR --features {s['features']} --n {s['n']}"
      f" --metrics {s['metrics']} --seed {s['seed']}` on both sample sets: the same feature network (GAN Lab's"
      f" Fashion-MNIST CNN, the domain FID of the notebooks), the same real set (the whole test split,"
      f" 10,000 images, so no subset noise on the real side) and the same count of fakes (FID is biased by"
      f" the sample count; equal counts keep the bias equal).")
    w("* **Spread**: mean ± sample standard deviation over seeds, the per-seed values in brackets. A"
      " difference between implementations is called only when it exceeds twice the larger of the two"
      " spreads; with three seeds that is a coarse test, and says so.")
    w("")
    by = {}
    for r in res:
        by.setdefault((r["recipe"], r["steps"]), {}).setdefault(r["impl"], []).append(r)
    for name, rec in jobs.RECIPES.items():
        if "grid" in rec:
            continue  # one section for the whole grid, below
        w(f"## {rec['title']}")
        w("")
        w(rec["why"])
        w("")
        budgets = sorted({b for j in jobs.JOBS if j["recipe"] == name for b in j["budgets"]})
        seeds = sorted({j["seed"] for j in jobs.JOBS if j["recipe"] == name})
        peer = rec.get("reference", "peer") is not None
        w(f"Budgets: {', '.join(f'{b:,}' for b in budgets)} steps (batch {rec['config']['batch']}); seeds"
          f" {', '.join(map(str, seeds))}. "
          + ("Reference: the same recipe in Python PyTorch (Debian python3-torch), `environment/bench/dcgan_peer.py"
             " --train`." if peer else "No other implementation trains this recipe here: the seeds' spread and the"
             " real data's floor are what the row is read against."))
        w("")
        if not peer:
            write_own_rows(w, jobs, name, rec, budgets, by, floors)
            write_unpinned(w, res, name, rec.get("irrelevant", ()))
            continue
        for gen in jobs.GENERATORS:
            w(f"### Scores of the {'EMA' if gen == 'ema' else 'raw'} generator")
            w("")
            w("| steps | score | GAN Lab | PyTorch peer (reference) | GAN Lab against the reference | real data |"
              " GAN Lab on glibc malloc (diagnostic) |")
            w("|---:|---|---|---|---|---|---|")
            for b in budgets:
                cell = by.get((name, b), {})
                for key, label, lower in SHOWN:
                    ours = [metric(r, gen, key) for r in sorted(cell.get("ganlab", []), key=lambda r: r["seed"])]
                    ref = [metric(r, gen, key) for r in sorted(cell.get("pytorch", []), key=lambda r: r["seed"])]
                    ours = [v for v in ours if v is not None]
                    ref = [v for v in ref if v is not None]
                    fl = floors.get(rec["config"]["data"])
                    fv = metric(fl, None, key) if fl else None
                    glibc = [metric(r, gen, key) for r in sorted(cell.get("ganlab-glibc", []), key=lambda r: r["seed"])]
                    planned = any(j["recipe"] == name and j["impl"] == "ganlab-glibc" and b in j["budgets"]
                                  for j in jobs.JOBS)
                    w(f"| {b:,} | {label} | {summary(ours)} | {summary(ref)} | {verdict(ours, ref, lower)} |"
                      f" {'pending' if fv is None else fmt(fv)} | {summary(glibc) if planned else 'not run'} |")
            longer = [z for z in reference_models(root, rec) if z["step"] > max(budgets)]
            for zoo in longer:
                for key, label, lower in SHOWN:
                    v = metric(zoo, gen, key)
                    fl = floors.get(rec["config"]["data"])
                    fv = metric(fl, None, key) if fl else None
                    w(f"| {zoo['step']:,} | {label} | {'-' if v is None else fmt(v)} (seed 1: {zoo['where']})"
                      f" | not trained | - | {'pending' if fv is None else fmt(fv)} | not run |")
            w("")
            for zoo in longer:
                w(f"The {zoo['step']:,}-step rows are the {zoo['where']}: {zoo['note']}")
                w("")
        w("### Training time")
        w("")
        w("Milliseconds per training step (each run's own clock; GAN Lab's includes its sample grids and"
          " checkpoints, the peer's counts the steps only; the machine is shared with other work, so this is"
          " context, not a benchmark: see lib/BENCHMARKS.md for timings on an idle machine).")
        w("")
        w("| steps | GAN Lab ms/step | PyTorch peer ms/step |")
        w("|---:|---|---|")
        for b in budgets:
            cell = by.get((name, b), {})
            g = [r["msPerStep"] for r in cell.get("ganlab", []) if r.get("msPerStep")]
            p = [r["msPerStep"] for r in cell.get("pytorch", []) if r.get("msPerStep")]
            w(f"| {b:,} | {summary(g)} | {summary(p)} |")
        w("")
        w("### Pinned recipe")
        w("")
        w("Every setting is written out (GAN Lab `--config`; the peer reads the same file and refuses any"
          " setting it does not implement); `seed` and `steps` are set per run.")
        w("")
        w("```json")
        w("{")
        items = list(rec["config"].items())
        for i, (k, v) in enumerate(items):
            w(f"  {json.dumps(k)}: {json.dumps(v)}{',' if i < len(items) - 1 else ''}")
        w("}")
        w("```")
        w("")
        write_unpinned(w, res, name, rec.get("irrelevant", ()))
        if name == "dcgan-fmnist28-ns":
            w(DCGAN_DIFFERENCES)
            w("")
    write_grid(w, jobs, by)
    write_curves(w, root)
    findings = os.path.join(os.path.dirname(os.path.abspath(__file__)), "findings.md")
    if os.path.exists(findings):
        w(open(findings).read().rstrip())
        w("")
    w("## Runs")
    w("")
    w("\"real data\" above: the first 10,000 Fashion-MNIST training images scored as if generated, against the"
      " same test split with the same features: the floor a generator matching the data would reach.")
    w("")
    w("| unit | seed | steps | checkout | finished | NaN restarts | machine |")
    w("|---|---:|---:|---|---|---|---|")
    for r in sorted(res, key=lambda r: (r["recipe"], r["steps"], r["impl"], r["seed"])):
        m = r["machine"]
        nans = "; ".join(f"step {x['step']}" for x in r.get("divergences", [])) or "none"
        w(f"| {r['recipe']}/{r['impl']} | {r['seed']} | {r['steps']:,} | {r['checkout'][:10]} | {r['finished']} |"
          f" {nans} | {m['cpus']} x {m['cpu']}, load {m['load1']} |")
    w("")
    pend = running_units(jobs, build, results_dir)
    w("## Pending")
    w("")
    if pend:
        w("Units of the job table without a result yet (state when this report was written):")
        w("")
        for u, state in pend:
            w(f"* `{u}`: {state}")
    else:
        w("Nothing: every unit of the job table has a result.")
    w("")
    w("Commands that made the results are in each result's `commands` list; an example unit:")
    w("")
    if res:
        w("```")
        for c in res[0]["commands"]:
            w(c.replace(root + "/", ""))
        w("```")
    w("")
    text = "\n".join(L)
    path = os.path.join(root, "lib", "REPRODUCTION.md")
    with open(path + ".tmp", "w") as fh:
        fh.write(text)
    os.replace(path + ".tmp", path)


def write_unpinned(w, res, name, irrelevant=()):
    """The settings the runs resolved that the recipe does not pin, other models' blocks left out."""
    unp = {}
    ran = [r for r in res if r["recipe"] == name]
    for r in ran:
        unp.update({k: v for k, v in r.get("unpinned", {}).items() if not k.startswith(tuple(irrelevant))})
    if not ran:
        return
    if unp:
        w("Settings of the jar the recipe does not pin (defaults at the time of the run): "
          + ", ".join(f"`{k}={v}`" for k, v in sorted(unp.items())))
    else:
        w("The runs' resolved configs held no setting outside the recipe (besides other models' blocks).")
    w("")


def write_own_rows(w, jobs, name, rec, budgets, by, floors):
    """A recipe trained by GAN Lab alone: each generator's scores over seeds, the floor, the training time, and
    the target a notebook takes from these seeds (mean plus two standard deviations), when the recipe names one."""
    fl = floors.get(rec["config"]["data"])
    w("| steps | score | GAN Lab, EMA generator | GAN Lab, raw generator | real data |")
    w("|---:|---|---|---|---|")
    for b in budgets:
        rs = sorted(by.get((name, b), {}).get("ganlab", []), key=lambda r: r["seed"])
        for key, label, _ in SHOWN:
            fv = metric(fl, None, key) if fl else None
            w(f"| {b:,} | {label} | {summary([metric(r, 'ema', key) for r in rs])} |"
              f" {summary([metric(r, 'raw', key) for r in rs])} | {'pending' if fv is None else fmt(fv)} |")
    w("")
    t = rec.get("target")
    if t:
        b = max(budgets)
        rs = by.get((name, b), {}).get("ganlab", [])
        vals = [v for v in (metric(r, t["generator"], t["metric"]) for r in rs) if v is not None]
        if len(vals) >= 2:
            target = statistics.mean(vals) + 2 * statistics.stdev(vals)
            w(f"Target of `{t['notebook']}` for this recipe: {t['metric'].upper()} of the {t['generator'].upper()}"
              f" generator at most {fmt(target)} after {b:,} steps (mean {fmt(statistics.mean(vals))} plus twice the"
              f" seeds' standard deviation {fmt(statistics.stdev(vals))}); the notebook computes it from these"
              f" results and scores its own run with the same count of images, real set and features.")
        else:
            w(f"Target of `{t['notebook']}`: not set until two seeds have a result.")
        w("")
    g = [r["msPerStep"] for b in budgets for r in by.get((name, b), {}).get("ganlab", []) if r.get("msPerStep")]
    w(f"Milliseconds per training step (each run's own clock, on a shared machine): {summary(g)}.")
    w("")
    w("Pinned recipe (`seed` and `steps` set per run): `" + json.dumps(rec["config"], separators=(",", ":")) + "`")
    w("")


def write_grid(w, jobs, by):
    """The loss x regulariser grid: FID per cell over seeds, and which cells the seeds can tell apart."""
    cells = {rec["grid"]: name for name, rec in jobs.RECIPES.items() if "grid" in rec}
    if not cells:
        return
    losses = list(jobs.GRID_LOSSES)
    regs = list(jobs.GRID_REGULARISERS)
    b = jobs.GRID_BUDGET
    w("## Loss x regulariser grid")
    w("")
    w(f"Kurach et al. (\"A Large-Scale Study on Regularization and Normalization in GANs\", ICML 2019) found"
      f" the non-saturating loss a sound default and spectral normalisation and gradient penalties the"
      f" regularisers worth trying first, with many differences between losses within the spread over seeds."
      f" Here the same question at small scale: the DCGAN recipe above with each loss ({', '.join(losses)})"
      f" and each regulariser (none: batch norm in D; sn: spectral normalisation instead; r1: the R1 penalty,"
      f" weight 10, with layer norm in D), the generator narrowed to width {jobs.GRID_G_WIDTH} for the CPU,"
      f" {b:,} steps, seeds {', '.join(map(str, jobs.GRID_SEEDS))}, scored as every row here (FID on"
      f" {jobs.SCORING['n']:,} samples, Fashion-MNIST features).")
    w("")
    for gen in jobs.GENERATORS:
        vals = {}
        for (loss, reg), name in cells.items():
            rs = sorted(by.get((name, b), {}).get("ganlab", []), key=lambda r: r["seed"])
            vals[(loss, reg)] = [v for v in (metric(r, gen, "fid") for r in rs) if v is not None]
        w(f"### FID of the {'EMA' if gen == 'ema' else 'raw'} generator at {b:,} steps")
        w("")
        w("| loss | " + " | ".join(regs) + " |")
        w("|---|" + "---|" * len(regs))
        for loss in losses:
            w(f"| {loss} | " + " | ".join(summary(vals[(loss, reg)]) for reg in regs) + " |")
        w("")
        for line in grid_readout(vals, losses, regs):
            w(line)
        w("")


def grid_readout(vals, losses, regs):
    """What the grid can and cannot tell: each cell against the best, the regularisers within each loss
    and the losses within each regulariser, a difference counting only beyond twice the larger spread."""
    measured = {k: v for k, v in vals.items() if len(v) >= 2}
    if not measured:
        return ["Readout: too few seeds yet (a cell needs two to have a spread)."]
    best = min(measured, key=lambda k: statistics.mean(measured[k]))
    out = [f"Readout (cells with two or more seeds; difference called beyond twice the larger seed sd):",
           "",
           f"* best mean: loss {best[0]}, regulariser {best[1]} ({fmt(statistics.mean(measured[best]))})."]
    apart = [k for k in measured if k != best and separated(measured[k], measured[best])]
    tied = [k for k in measured if k != best and k not in apart]
    out.append(f"* worse than it beyond the spread: {names(apart) or 'none'}; within the spread: {names(tied) or 'none'}.")
    for loss in losses:
        ks = [(loss, r) for r in regs if (loss, r) in measured]
        out.append(f"* loss {loss}, regularisers: {ordering(ks, measured, 1)}")
    for reg in regs:
        ks = [(l, reg) for l in losses if (l, reg) in measured]
        out.append(f"* regulariser {reg}, losses: {ordering(ks, measured, 0)}")
    return out


def separated(a, b):
    spread = max(statistics.stdev(a), statistics.stdev(b))
    return abs(statistics.mean(a) - statistics.mean(b)) > 2 * spread


def names(keys):
    return ", ".join(f"{l}/{r}" for l, r in sorted(keys))


def ordering(keys, measured, part):
    """'a < b ~ c': cells by mean FID; '<' where neighbours differ beyond the spread, '~' where not."""
    if not keys:
        return "no cell with two seeds yet"
    ks = sorted(keys, key=lambda k: statistics.mean(measured[k]))
    text = f"{ks[0][part]} ({fmt(statistics.mean(measured[ks[0]]))})"
    for prev, k in zip(ks, ks[1:]):
        text += f" {'<' if separated(measured[prev], measured[k]) else '~'} {k[part]} ({fmt(statistics.mean(measured[k]))})"
    return text


DCGAN_DIFFERENCES = """### What differs between the two implementations

Same architecture, initialisation, loss, optimiser, batch, EMA and data, not the same numbers:

* **Random streams.** GAN Lab seeds its engine per step and phase from (seed, step, salt) and orders the
  data with SplittableRandom permutations; the peer draws weights, latents, dropout masks (torch) and
  the epoch permutations (NumPy) from generators seeded with the run's seed. Same distributions,
  different draws: seed 1 of one side has nothing to do with seed 1 of the other, so only the seed
  populations are compared.
* **Upsampling convolution arithmetic.** GAN Lab computes each nearest-2x-upsample-then-3x3-conv as one
  4x4 transposed convolution of the small input (`Conv2d.optUpsample2x`; until 2026-11-30 evening as four
  2x2 phase convolutions); the peer upsamples then convolves.
  The same function; float rounding differs.
* **Adam.** GAN Lab's runs in this table ran the engine's fused Adam with the learning rate and eps
  rescaled to give PyTorch's bias-corrected update exactly (`GanOptimizer`; since 2026-12-01 the library
  makes the same update in place with a TorchScript module, `adam_update.pt`, checked against
  `torch.optim.Adam`); the peer runs `torch.optim.Adam`. The same update up to float rounding.
* **Engine versions.** GAN Lab runs libtorch 2.3.1 through DJL; the peer Debian's python3-torch 1.13.1.
* **Sampled latents for scoring** come from each side's own generator with seed 1 (different draws).

Both score the EMA generator (decay min(0.999, (1+t)/(10+t)), batch-norm running statistics copied from
the raw generator each step, as GAN Lab's `Ema` in this checkout) and the raw generator."""
