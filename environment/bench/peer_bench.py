"""What every Python step-time peer shares (progan_peer.py, fastgan_peer.py; dcgan_peer.py's bench mode):
the timing loop over random images, the JSON line `ganlab bench` reads, the C allocator report, the
thread settings and the check of the peer's parameter counts against GAN Lab's.

A peer times `step(reals)` exactly as GAN Lab's TrainStepBenchmark times GanTrainer.step1: `warmup`
untimed steps, then `steps` timed ones, batches cycling through max(4 batch, 64) random images in
[-1, 1]; mean and median in milliseconds. GAN Lab reads six logged scalars back per step; a peer's
step calls .item() on its logged values likewise, which also waits for the step to finish.
"""
import argparse
import json
import time

import torch


def allocator():
    """The C allocator of this process, as GAN Lab's NativeAllocator reports it for the Java side."""
    try:
        with open("/proc/self/maps") as fh:
            maps = fh.read().lower()
    except OSError:
        return "unknown"
    if "libtcmalloc" in maps:
        return "tcmalloc"
    return "jemalloc" if "libjemalloc" in maps else "glibc malloc"


def set_threads(threads):
    """Intra-op threads as GAN Lab's engine (GanLab.threads()), one inter-op thread as it sets."""
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)


def parameter_counts(named_modules):
    """{name: parameter count} of each (name, module) pair, and their total."""
    counts = {name: sum(p.numel() for p in m.parameters()) for name, m in named_modules}
    return counts, sum(counts.values())


def check_total(what, got, expected):
    """Refuses a peer whose network does not have GAN Lab's parameter count (same architecture)."""
    if expected is not None and got != expected:
        raise SystemExit(f"{what}: {got:,} parameters, GAN Lab's `ganlab summary` has {expected:,}:"
                         " the peer does not build the same network")


def time_steps(step, images, batch, steps, warmup):
    """Milliseconds of each of `steps` timed calls of step(reals) after `warmup` untimed ones."""
    pos = 0

    def one():
        nonlocal pos
        idx = torch.arange(pos, pos + batch) % images.shape[0]
        pos += batch
        step(images[idx])

    for _ in range(warmup):
        one()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        one()
        times.append((time.perf_counter() - start) * 1000)
    return times


def trace(step, images, batch, steps, path):
    """Runs `steps` more steps under the PyTorch profiler and writes its chrome trace to path (compare
    with `ganlab bench --trace` per operator: environment/bench/trace_ops.py)."""
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for i in range(steps):
            idx = torch.arange(i * batch, (i + 1) * batch) % images.shape[0]
            step(images[idx])
    prof.export_chrome_trace(path)


def ema_update(ema, g, t, decay=0.999):
    """GAN Lab's generator average after step t: decay ramped up as min(decay, (1 + t) / (10 + t)) over the
    parameters; buffers (batch-norm statistics) copied from the generator."""
    beta = min(decay, (1 + t) / (10 + t))
    with torch.no_grad():
        for pe, pg in zip(ema.parameters(), g.parameters()):
            pe.mul_(beta).add_(pg, alpha=1 - beta)
        for be, bg in zip(ema.buffers(), g.buffers()):
            be.copy_(bg)


def random_images(batch, channels, resolution):
    torch.manual_seed(7)
    return torch.rand(max(4 * batch, 64), channels, resolution, resolution) * 2 - 1


def report(times, batch, json_path, extra=None):
    """Prints the one JSON line `ganlab bench` reads (the last line of the output) and writes it to json_path."""
    mean = sum(times) / len(times)
    median = sorted(times)[len(times) // 2]
    cfg = torch.__config__.show()
    backends = [k for k, on in (("MKL", torch.backends.mkl.is_available()),
                                 ("MKLDNN", torch.backends.mkldnn.is_available()),
                                 ("OPENMP", torch.backends.openmp.is_available())) if on]
    blas = next((part.strip() for part in cfg.replace("\n", ",").split(",") if "BLAS_INFO" in part),
                "BLAS_INFO unknown")
    out = {"engine": "PyTorch " + torch.__version__, "threads": torch.get_num_threads(), "msPerStep": mean,
           "msPerStepMedian": median, "imagesPerSecond": batch * 1000 / mean, "backends": "+".join(backends),
           "blas": blas, "allocator": allocator()}
    out.update(extra or {})
    print(json.dumps(out))
    if json_path:
        with open(json_path, "w") as fh:
            json.dump(out, fh, indent=2)


def run(make_model, layer_counts, name_width, resolution, channels, batch, steps, warmup):
    """The command line of a step-time peer: make_model(resolution, channels) (torch seeded 1) whose
    .g and .d give layer_counts(net) -> ([(layer group, parameters)], total); --summary prints the groups
    (names in name_width columns) and stops, otherwise the totals are checked against --expect-params,
    model.step is timed (and traced with --trace) and the JSON line reported, its totals included.
    The other arguments are the command line's defaults."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--resolution", type=int, default=resolution)
    ap.add_argument("--channels", type=int, default=channels)
    ap.add_argument("--batch", type=int, default=batch)
    ap.add_argument("--steps", type=int, default=steps)
    ap.add_argument("--warmup", type=int, default=warmup)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--expect-params", help="G,D: GAN Lab's parameter totals; the peer refuses other counts")
    ap.add_argument("--summary", action="store_true", help="print the parameters of each layer group and stop")
    ap.add_argument("--json")
    ap.add_argument("--trace", help="after the timed steps, profile --profile-steps more and write the trace here")
    ap.add_argument("--profile-steps", type=int, default=2)
    a = ap.parse_args()
    set_threads(a.threads)
    torch.manual_seed(1)
    model = make_model(a.resolution, a.channels)
    (g_rows, g_total), (d_rows, d_total) = layer_counts(model.g), layer_counts(model.d)
    if a.summary:
        for what, rows, total in (("generator", g_rows, g_total), ("discriminator", d_rows, d_total)):
            print(what)
            for name, n in rows:
                print(f"  {name:<{name_width}} {n:>12,}")
            print(f"  {'total':<{name_width}} {total:>12,}")
        return
    expect = [int(s) for s in a.expect_params.split(",")] if a.expect_params else [None, None]
    check_total("generator", g_total, expect[0])
    check_total("discriminator", d_total, expect[1])
    images = random_images(a.batch, a.channels, a.resolution)
    times = time_steps(model.step, images, a.batch, a.steps, a.warmup)
    if a.trace:
        trace(model.step, images, a.batch, a.profile_steps, a.trace)
    report(times, a.batch, a.json, {"generatorParameters": g_total, "discriminatorParameters": d_total,
                                    "parametersChecked": a.expect_params is not None})
