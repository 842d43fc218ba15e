"""The report's section on the long ProGAN and FastGAN runs: their curves from lib/reproduction/curves/
(written by environment/zoo/curves.py snapshot while the reference models train), a table and an SVG
chart per run, and the run's newest sample grid."""
import csv
import glob
import html
import json
import math
import os
import textwrap

# The curve's columns shown, as (column of metrics.csv, label); the first is the chart's.
SCORES = (("swd_x1e3", "SWD x1e3"), ("fid_fmnist", "FID (Fashion-MNIST net)"))


def number(v):
    """A finite float, or None (empty cells, NaN and the infinities Java writes as 'Infinity')."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def fmt(v):
    return f"{v:.3g}" if abs(v) < 10 else f"{v:.2f}"


def nice_ticks(lo, hi, count=5):
    """Round tick values covering [lo, hi]."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=10 * mag)
    first = math.floor(lo / step) * step
    digits = max(0, 3 - int(math.floor(math.log10(step))))
    ticks = [round(first, digits)]
    # the last tick at or above hi, so no point falls off the chart (at most a few more than count)
    while ticks[-1] < hi - step * 1e-9 and len(ticks) < 3 * count:
        ticks.append(round(first + len(ticks) * step, digits))
    return ticks


def svg_chart(title, xlabel, ylabel, segments, marks=()):
    """A line chart with axes and ticks as SVG text. segments: lists of (x, y), each drawn as one line
    (a staged model's resolutions are not joined); marks: (x, label) vertical lines (phase changes)."""
    # a long title (a curve run's) wraps onto more lines rather than running past the chart's edges
    lines = [html.escape(t) for t in textwrap.wrap(title, 88, break_on_hyphens=False)] or [""]
    xlabel, ylabel = html.escape(xlabel), html.escape(ylabel)
    xs = [x for seg in segments for x, _ in seg]
    ys = [y for seg in segments for _, y in seg]
    extra = 16 * (len(lines) - 1)
    W, H, L, R, T, B = 600, 300 + extra, 60, 20, 30 + extra, 45
    xt = nice_ticks(0, max(xs))
    yt = nice_ticks(min(0.0, min(ys)), max(ys))
    x0, x1, y0, y1 = xt[0], xt[-1], yt[0], yt[-1]

    def px(x):
        return L + (x - x0) / (x1 - x0) * (W - L - R)

    def py(y):
        return H - B - (y - y0) / (y1 - y0) * (H - T - B)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif"'
           f' font-size="11">', f'<rect width="{W}" height="{H}" fill="white"/>',
           *(f'<text x="{W / 2}" y="{18 + 16 * i}" text-anchor="middle" font-size="13">{t}</text>'
             for i, t in enumerate(lines))]
    for t in xt:
        out.append(f'<line x1="{px(t):.1f}" y1="{T}" x2="{px(t):.1f}" y2="{H - B}" stroke="#eee"/>')
        out.append(f'<text x="{px(t):.1f}" y="{H - B + 15}" text-anchor="middle">{t:g}</text>')
    for t in yt:
        out.append(f'<line x1="{L}" y1="{py(t):.1f}" x2="{W - R}" y2="{py(t):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{L - 6}" y="{py(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
    for i, (x, label) in enumerate(marks):
        out.append(f'<line x1="{px(x):.1f}" y1="{T}" x2="{px(x):.1f}" y2="{H - B}" stroke="#bbb"'
                   f' stroke-dasharray="4 3"/>')
        # labels on alternating rows, so neighbouring phases do not print over each other
        anchor, dx = ("end", -3) if px(x) > W - R - 90 else ("start", 3)  # labels stay inside the frame
        out.append(f'<text x="{px(x) + dx:.1f}" y="{T + 11 + 13 * (i % 2)}" fill="#777"'
                   f' text-anchor="{anchor}">{html.escape(label)}</text>')
    out.append(f'<rect x="{L}" y="{T}" width="{W - L - R}" height="{H - T - B}" fill="none" stroke="#444"/>')
    for seg in segments:
        pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in seg)
        out.append(f'<polyline points="{pts}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
    for x, y in zip(xs, ys):
        out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="2.5" fill="#1f77b4"/>')
    out.append(f'<text x="{(L + W - R) / 2}" y="{H - 8}" text-anchor="middle">{xlabel}</text>')
    out.append(f'<text transform="translate(14,{(T + H - B) / 2}) rotate(-90)" text-anchor="middle">{ylabel}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def read_curve(folder, name):
    with open(os.path.join(folder, f"{name}.csv"), newline="") as fh:
        return list(csv.DictReader(fh))


def phase(row):
    """ProGAN's phase from its history columns ('16 px fade-in'); '' for models without stages."""
    res, alpha = number(row.get("resolution")), number(row.get("alpha"))
    if res is None or alpha is None:
        return ""
    return f"{res:.0f} px " + ("fade-in" if alpha < 1 else "stabilise")


INTRO = ("The longest runs these models get here are the reference models' runs"
         " (`environment/zoo/train-reference.sh NAME`, recipes in `environment/zoo/recipes.py`), trained in the"
         " background at the lowest priority, in one sitting or over several sessions, resumed exactly from their"
         " checkpoints; a finished run's exported model is scored once more, its table under the curve. Each"
         " budget was sized to the CPU time this project had (one to several sittings of 2 cores), not run until"
         " the score stopped falling: where a curve's last evaluations still fall by more than one evaluation's"
         " noise, the budget, not convergence, ended it (or the recipe stops where an earlier, longer run of it"
         " was best, as SNDCGAN's does, or where an earlier, longer run of it levelled off, as DCGAN's 30,000"
         " steps do). That noise is measured where a curve shows it"
         " (`environment/zoo/eval_noise.py NAME`: one generator scored with several seeds of its latents and"
         " projections), and the curve's last net move is set against it."
         " Each scores its EMA generator during training (the recipe's `eval` block: SWD on the pixels as the"
         " ProGAN paper measures it, and FID in GAN Lab's Fashion-MNIST network on a grey 28 px copy, a rough"
         " second opinion on colour images); `environment/zoo/curves.py snapshot` copies those rows here while"
         " the run goes on. One seed each: three seeds of these runs would cost more CPU days than the machine"
         " has, so no spread is given. There is no published number for these data sets (the papers train"
         " CelebA-HQ, LSUN and the few-shot sets at 256-1024 px), so the curve is read against itself: whether"
         " the score falls as the phases and steps go on. ProGAN's scores before its last phase compare its"
         " smaller images with the emoji at that size (SWD over fewer pyramid levels), so its curve is"
         " comparable within a resolution, not across one; the chart does not join resolutions.")


def write_curves(w, root):
    folder = os.path.join(root, "lib", "reproduction", "curves")
    # by name, so a run carried on past a reference (NAME-long, NAME-curve) follows the reference's own section
    runs = sorted(glob.glob(os.path.join(folder, "*.json")), key=lambda p: os.path.basename(p)[:-len(".json")])
    w("## The reference models' long runs and their curves")
    w("")
    w(INTRO)
    w("")
    if not runs:
        w("No run has been snapshotted yet.")
        w("")
    for path in runs:
        try:
            write_run(w, folder, json.load(open(path)))
        except (OSError, ValueError, KeyError, TypeError, IndexError) as e:  # one bad snapshot, not the report
            w(f"Snapshot `{os.path.basename(path)}` unreadable: {type(e).__name__}: {e}")
            w("")


# The reference model's final scores shown, as (key of its ganlab metrics report, label).
FINAL = (("swd_x1e3", "SWD x1e3"), ("fid_fmnist", "FID"), ("kid_fmnist", "KID"), ("precision_fmnist", "precision"),
         ("recall_fmnist", "recall"))


def write_reference(w, zoo, step):
    """The exported reference model's scores (lib/zoo/NAME/scores.json), when the run has been exported; a
    scores file that cannot be read is said as such (the curve and samples above and below still show)."""
    path = os.path.join(zoo, "scores.json")
    if not os.path.exists(path):
        return
    name = os.path.basename(os.path.normpath(zoo))
    try:
        with open(path) as fh:
            s = json.load(fh)
        gens, best = s["generators"], s["best"]
        setups = {g: gens[g]["setup"] for g in gens}
        shown = [(k, label) for k, label in FINAL if any(k in gens[g]["metrics"] for g in gens)]
        ranked = dict(FINAL).get(s["rankedBy"], s["rankedBy"])
        counts = " and ".join(sorted({f"{st['fakeCount']:,}" for st in setups.values()}))
        reals = " and ".join(sorted({f"`{st['real']}`" for st in setups.values()}))
        features = " and ".join(sorted({st["features"] for st in setups.values()}))
        rows = [(g, [fmt(number(gens[g]["metrics"].get(k))) if number(gens[g]["metrics"].get(k)) is not None
                     else "-" for k, _ in shown]) for g in sorted(gens)]
        exported = int(s["step"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        w(f"`lib/zoo/{name}/scores.json` unreadable: {type(e).__name__}: {e}")
        w("")
        return
    same = "" if exported == step else (f" (the curve above is of a run at step {step:,}, not the exported one:"
                                        " their numbers are not of one run)")
    w(f"Exported as the reference model `lib/zoo/{name}` at step {exported:,}{same}; "
      f"{' and '.join('EMA' if g == 'ema' else g for g in sorted(gens))} scored with {counts} images each against "
      f"{reals} (`ganlab metrics`, {features} features), ranked by {ranked}: the "
      f"{'EMA' if best == 'ema' else best} generator is the better.")
    w("")
    w("| generator | " + " | ".join(label for _, label in shown) + " |")
    w("|---|" + "---:|" * len(shown))
    for g, vals in rows:
        w(f"| {'EMA' if g == 'ema' else g}{' (better)' if g == best else ''} | " + " | ".join(vals) + " |")
    w("")


def last_moves(rows, key, count=3):
    """The last `count` scores of the curve's final stage (a staged model's resolutions are not compared), as
    (step, score) pairs; fewer when the stage has fewer."""
    scored = [r for r in rows if number(r.get(key)) is not None]
    if not scored:
        return []
    stage = number(scored[-1].get("resolution"))
    same = [r for r in scored if number(r.get("resolution")) == stage]
    return [(int(number(r["step"])), number(r[key])) for r in same[-count:]]


def noise_of(folder, name):
    """The run's own noise measurement; else a model's measured with this run's evaluation (its summary's
    evaluationFrom names this curve: a model that scored nothing while it trained, under a name of its own); else
    its recipe's exported model's (a curve run NAME-curve or NAME-long trains the recipe of the reference NAME). The
    paragraph names the generator that was measured."""
    own = os.path.join(folder, f"{name}.json")
    if os.path.exists(own):
        return own
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        try:
            with open(path) as fh:
                ev_from = json.load(fh).get("evaluationFrom") or ""
        except (OSError, ValueError, AttributeError):
            continue  # write_noise says so where the file is the run's own
        if os.path.basename(ev_from) == f"{name}.json" and "curves" in ev_from:
            return path
    for suffix in ("-curve", "-long"):
        if name.endswith(suffix):
            return os.path.join(folder, f"{name[:-len(suffix)]}.json")
    return own


def write_noise(w, path, rows):
    """One evaluation's noise (environment/zoo/eval_noise.py) and what it says of the curve's last moves."""
    if not os.path.exists(path):
        return
    try:
        with open(path) as fh:
            n = json.load(fh)
        shown = [(k, label, n["metrics"][k]) for k, label in SCORES if n["metrics"].get(k, {}).get("sd") is not None]
        seeds, step = n["seeds"], int(n["step"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        w(f"`{os.path.relpath(path, os.path.join(path, '..', '..', '..', '..'))}` unreadable: {type(e).__name__}: {e}")
        w("")
        return
    if not shown:
        return
    gen = "EMA" if n.get("generator") == "ema" else "raw"
    spreads = "; ".join(f"{label} mean {fmt(m['mean'])}, sd {fmt(m['sd'])} ({fmt(m['min'])} to {fmt(m['max'])})"
                        for _, label, m in shown)
    ev_from = n.get("evaluationFrom") or ""
    # a model that scored nothing while it trained is scored as its curve run's evaluations were
    borrowed = f", as the curve's evaluation scores (settings from `{ev_from}`)," if "curves" in ev_from else ""
    w(f"One evaluation's noise, measured (`environment/zoo/eval_noise.py {n['name']}`): the step-{step:,} {gen}"
      f" generator ({n.get('source', '?')}){borrowed} scored {len(seeds)} times, each with other latents and another"
      f" metric seed (SWD's projections, KID's subsets; seeds {seeds[0]}-{seeds[-1]}, {int(n['fakes']):,} fakes each): {spreads}. Along the curve"
      " every evaluation draws the same latents and projections, so its steps compare weights; a score drawn with"
      " other seeds (such as an exported model's final scoring) differs from the curve's by about this spread.")
    key, label, m = shown[0]
    last = last_moves(rows, key)
    if len(last) >= 2:
        # the net move, not the range: a flat curve's points scatter, its ends do not drift apart
        move = last[-1][1] - last[0][1]
        verdict = ("less than one sd: flat within one evaluation's noise" if abs(move) < m["sd"] else
                   f"{abs(move) / m['sd']:.1f} sd: more than one evaluation's noise")
        w("")
        w(f"The curve's last {len(last)} evaluations at its final stage (steps {last[0][0]:,} to {last[-1][0]:,}: "
          + ", ".join(fmt(v) for _, v in last) + f") moved its {label} by {move:+.2f}, {verdict}.")
    w("")


def write_run(w, folder, p):
    name = p["name"]
    ev = p.get("eval") or {}
    rows = [r for r in read_curve(folder, name) if any(number(r.get(k)) is not None for k, _ in SCORES)]
    w(f"### {p.get('title', name)}")
    w("")
    hours = f", {p['seconds'] / 3600:.1f} h on the run's clock (wall time, pauses included)" if p.get("seconds") else ""
    when = f" (its history last written {p['lastHistoryRow'][:16].replace('T', ' ')} UTC)" if p.get("lastHistoryRow") else ""
    # a kept earlier run of a recipe is snapshotted under a name of its own and names its recipe
    w(f"Recipe `{p.get('recipe', name)}`: at the last snapshot the run was at step {p.get('step') or 0:,} of {p.get('steps') or 0:,}"
      f"{when}, {p.get('status', '?')}{hours}. Its EMA generator is scored every {ev.get('every', 0):,} steps with"
      f" {ev.get('n', 0):,} fakes against `{ev.get('real', '')}` ({ev.get('metrics', '')}).")
    w("")
    if p.get("note"):  # the recipe's word on the run's provenance (recipes.py's curve_note)
        w(p["note"])
        w("")
    shown = [(k, label) for k, label in SCORES if any(number(r.get(k)) is not None for r in rows)]
    staged = bool(p.get("phases"))
    if not shown:
        why = " (ProGAN's phases below 16 px are too small for SWD)" if staged else ""
        w(f"No evaluation yet{why}; the first is due at step {ev.get('every', 0):,}.")
        w("")
        if os.path.exists(os.path.join(folder, f"{name}.svg")):
            os.remove(os.path.join(folder, f"{name}.svg"))  # a chart of an older snapshot
    else:
        w("| step | images | " + ("phase | " if staged else "") + " | ".join(label for _, label in shown) + " |")
        w("|---:|---:|" + ("---|" if staged else "") + "---:|" * len(shown))
        for r in rows:
            vals = " | ".join("-" if number(r.get(k)) is None else fmt(number(r.get(k))) for k, _ in shown)
            w(f"| {int(number(r['step'])):,} | {int(number(r['images'])):,} | " + (f"{phase(r)} | " if staged else "")
              + f"{vals} |")
        w("")
        key, label = shown[0]
        segments, last = [], None
        for r in rows:
            y = number(r.get(key))
            if y is None:
                continue
            res = number(r.get("resolution"))
            if not segments or res != last:
                segments.append([])
            segments[-1].append((number(r["images"]) / 1000, y))
            last = res
        right = max(x for seg in segments for x, _ in seg)
        marks = [(ph["images"] / 1000, ph["phase"]) for ph in p.get("phases", [])[1:] if ph["images"] / 1000 <= right]
        svg = os.path.join(folder, f"{name}.svg")
        tmp = f"{svg}.{os.getpid()}.tmp"
        with open(tmp, "w") as fh:
            fh.write(svg_chart(f"{p.get('title', name)}: {label} of the EMA generator (lower is better)",
                               "thousands of real images shown", label, segments, marks))
        os.replace(tmp, svg)
        w(f"![{label} against images shown](reproduction/curves/{name}.svg)")
        w("")
    write_noise(w, noise_of(os.path.join(folder, "..", "noise"), name), rows)
    write_reference(w, os.path.join(folder, "..", "..", "zoo", name), int(p.get("step") or 0))
    if p.get("grid"):
        w(f"The EMA generator's fixed-latent samples at the last snapshot (`{p['grid']}`):")
        w("")
        w(f"![samples](reproduction/curves/{name}-latest.png)")
        w("")
