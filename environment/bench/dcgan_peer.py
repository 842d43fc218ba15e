#!/usr/bin/python3
"""Reference peer for GAN Lab's DCGAN in Python PyTorch (Debian's python3-torch), in three modes.

Bench (what `ganlab bench --model dcgan` runs): the same DCGAN and the same training step, timed the
same way on random images, so the Java/Python ratio compares equal work at equal threads.

    dcgan_peer.py --resolution 32 --channels 1 --batch 64 --steps 50 --warmup 10 --threads 2 [--json OUT]

Train (environment/repro/reproduce.py): the same recipe on the real Fashion-MNIST idx files for a step
budget, resumable, so its samples can be scored next to GAN Lab's with `ganlab metrics`:

    dcgan_peer.py --train --recipe RECIPE.json --run DIR --steps 1000 [--keep 1000,5000] [--threads 1]
    dcgan_peer.py --sample --run DIR --at-step 1000 --n 10000 --out DIR [--generator ema|raw] [--sample-seed 1]

RECIPE.json is a GAN Lab TrainConfig (the `config.json` of a run): every setting the peer implements is
read from it, and any setting it does not implement (another loss, a penalty, a trick) is refused by
name, so "the same recipe" is checked, not assumed.

The step mirrors GAN Lab's GanTrainer with the DCGAN defaults: generator Linear(100 -> 128*(s/4)^2),
BN, [nearest 2x upsample, conv3x3, BN, LeakyReLU 0.2] x 2 (128, 64 channels), conv3x3, tanh;
discriminator four [conv3x3 stride 2, LeakyReLU 0.2, Dropout2d 0.25, BN (not on the first)] blocks of
16..128 channels and Linear -> 1; batch-norm eps 1e-5, momentum 0.1; weights N(0, 0.02), biases 0, BN
scales N(1, 0.02). One discriminator update on reals and fakes scored in one batch (non-saturating
loss, fakes generated without a graph but with the generator in training mode), one generator update
through the frozen discriminator (again with the same reals in the batch), Adam 2e-4 (0.5, 0.999) for
both, an EMA of the generator (decay min(0.999, (1+t)/(10+t)), batch-norm buffers copied), and the
same six scalars read back per step.

What cannot be the same: the random numbers. GAN Lab draws initial weights, latents, dropout masks
and the data order from its own seeded streams (the engine's generator reseeded per step and phase,
SplittableRandom permutations); the peer draws them from torch's and NumPy's generators seeded with
the run's seed. Same distributions, different draws, so seeds are comparable only as a population.
"""
import argparse
import glob
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_bench  # noqa: E402
import peer_data  # noqa: E402


def init_weights(m):
    if isinstance(m, (nn.Conv2d, nn.Linear)):
        nn.init.normal_(m.weight, 0.0, 0.02)
        nn.init.zeros_(m.bias)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


class Generator(nn.Module):
    def __init__(self, res, channels, latent=100, width=128):
        super().__init__()
        self.s = res // 4
        self.width = width
        self.fc = nn.Linear(latent, width * self.s * self.s)
        self.body = nn.Sequential(
            nn.BatchNorm2d(width),
            nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Conv2d(width, width, 3, 1, 1), nn.BatchNorm2d(width), nn.LeakyReLU(0.2),
            nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Conv2d(width, width // 2, 3, 1, 1), nn.BatchNorm2d(width // 2), nn.LeakyReLU(0.2),
            nn.Conv2d(width // 2, channels, 3, 1, 1), nn.Tanh())

    def forward(self, z):
        return self.body(self.fc(z).view(z.shape[0], self.width, self.s, self.s))


class Discriminator(nn.Module):
    def __init__(self, res, channels, width=16, dropout=0.25):
        super().__init__()
        layers, c_in, c = [], channels, width
        size = res
        for i in range(4):
            layers += [nn.Conv2d(c_in, c, 3, 2, 1), nn.LeakyReLU(0.2)]
            if dropout > 0:
                layers.append(nn.Dropout2d(dropout))
            if i > 0:
                layers.append(nn.BatchNorm2d(c))
            c_in, c = c, c * 2
            size = (size + 2 - 3) // 2 + 1
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(c_in * size * size, 1)

    def forward(self, x):
        return self.head(self.features(x).flatten(1)).view(-1)


class Dcgan:
    """Networks, optimisers and the training step (GanTrainer.step1 with the DCGAN recipe)."""

    def __init__(self, res, channels, latent=100, g_width=128, d_width=16, dropout=0.25, opt_g=None, opt_d=None,
                 ema_decay=0.999):
        opt_g = opt_g or {"lr": 2e-4, "beta1": 0.5, "beta2": 0.999, "eps": 1e-8}
        opt_d = opt_d or opt_g
        self.latent = latent
        self.g = Generator(res, channels, latent, g_width)
        self.d = Discriminator(res, channels, d_width, dropout)
        self.ema = Generator(res, channels, latent, g_width) if ema_decay > 0 else None
        self.ema_decay = ema_decay
        for m in (self.g, self.d):
            m.apply(init_weights)
        if self.ema is not None:
            self.ema.load_state_dict(self.g.state_dict())
        self.opt_g = torch.optim.Adam(self.g.parameters(), lr=opt_g["lr"], betas=(opt_g["beta1"], opt_g["beta2"]),
                                      eps=opt_g["eps"])
        self.opt_d = torch.optim.Adam(self.d.parameters(), lr=opt_d["lr"], betas=(opt_d["beta1"], opt_d["beta2"]),
                                      eps=opt_d["eps"])
        self.t = 0

    def step(self, reals):
        batch = reals.shape[0]
        z = torch.randn(batch, self.latent)
        with torch.no_grad():
            fakes = self.g(z)
        scores = self.d(torch.cat([reals, fakes]))
        r, f = scores[:batch], scores[batch:]
        loss_d = F.softplus(-r).mean() + F.softplus(f).mean()
        self.opt_d.zero_grad(set_to_none=False)
        loss_d.backward()
        self.opt_d.step()
        for p in self.d.parameters():
            p.requires_grad_(False)
        z = torch.randn(batch, self.latent)
        f = self.d(torch.cat([reals, self.g(z)]))[batch:]
        loss_g = F.softplus(-f).mean()
        self.opt_g.zero_grad(set_to_none=False)
        loss_g.backward()
        self.opt_g.step()
        for p in self.d.parameters():
            p.requires_grad_(True)
        if self.ema is not None:
            peer_bench.ema_update(self.ema, self.g, self.t, self.ema_decay)
        self.t += 1
        # the values GanTrainer reads back each step
        return [loss_d.item(), r.mean().item(), f.mean().item(), loss_g.item(), 0.0, 0.0]

    def state(self):
        s = {"g": self.g.state_dict(), "d": self.d.state_dict(), "opt_g": self.opt_g.state_dict(),
             "opt_d": self.opt_d.state_dict(), "t": self.t}
        if self.ema is not None:
            s["ema"] = self.ema.state_dict()
        return s

    def load(self, s):
        self.g.load_state_dict(s["g"])
        self.d.load_state_dict(s["d"])
        self.opt_g.load_state_dict(s["opt_g"])
        self.opt_d.load_state_dict(s["opt_d"])
        if self.ema is not None:
            self.ema.load_state_dict(s["ema"])
        self.t = s["t"]


def bench(a):
    torch.manual_seed(1)
    model = Dcgan(a.resolution, a.channels)
    # drawn from seed 1's stream after the model (the other peers use peer_bench.random_images, seed 7)
    images = torch.rand(max(4 * a.batch, 64), a.channels, a.resolution, a.resolution) * 2 - 1
    times = peer_bench.time_steps(model.step, images, a.batch, a.steps, a.warmup)
    peer_bench.report(times, a.batch, a.json)


# ---- Training on real data -----------------------------------------------------------------------

# Settings of a GAN Lab TrainConfig that the peer implements, with the values it can take (None: any).
# Everything else in the recipe must be bookkeeping (IGNORED) or is refused.
SUPPORTED = {
    "model": {"dcgan"}, "data": {"fashion-mnist", "fashion-mnist:train"}, "channels": {1, None},
    "dataLimit": {0}, "hflip": {False}, "nCritic": {1}, "loss": {"ns"}, "penalty": {"none"},
    "penaltyWeight": {0}, "drift": {0}, "clip": {0}, "augment": {""},
    "tricks.labelSmoothing": {1}, "tricks.instanceNoise": {0}, "tricks.featureMatching": {0},
    "tricks.featureMatchingOnly": {False}, "tricks.minibatchDiscrimination": {0}, "tricks.replayBuffer": {0},
    "tricks.historicalAveraging": {0},
    "dcgan.variant": {"dcgan"}, "dcgan.discriminator": {"pytorchgan"}, "dcgan.dNorm": {"batch"},
    "dcgan.minibatchKernels": {0},
    "dcgan.generator": {"pytorchgan"}, "dcgan.latent": {"normal"}, "emaBatchNormLatents": {0},
    "optG.type": {"adam"}, "optD.type": {"adam"},
    # PyTorch-GAN's Adam has no weight decay; the peer refuses any other value (and a resume ignores the key,
    # which runs recorded before GAN Lab had the setting lack).
    "optG.weightDecay": {0}, "optD.weightDecay": {0},
}
USED = {"seed", "steps", "batch", "resolution", "emaDecay", "dcgan.latentDim", "dcgan.gWidth", "dcgan.dWidth",
        "dcgan.dDropout", "optG.lr", "optG.beta1", "optG.beta2", "optG.eps", "optD.lr", "optD.beta1", "optD.beta2",
        "optD.eps"}
IGNORED_PREFIXES = ("logEvery", "sampleEvery", "checkpointEvery", "keepCheckpoints", "sampleCount",
                    "collapseThreshold", "eval.", "progan.", "fastgan.", "hingeMargin", "penaltyEvery",
                    "tricks.instanceNoiseSteps", "tricks.replayFraction", "dcgan.minibatchKernelDim", "optG.alpha",
                    "optG.momentum", "optD.alpha", "optD.momentum", "optG.weightDecay", "optD.weightDecay")


def flatten(d, prefix=""):
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(flatten(v, prefix + k + "."))
        else:
            out[prefix + k] = v
    return out


def shaping(flat):
    """The settings that shape training (not the length, not bookkeeping): what a resume must keep."""
    return {k: v for k, v in flat.items() if k != "steps" and not k.startswith(IGNORED_PREFIXES)}


def check_recipe(recipe):
    """The flattened recipe, after refusing any setting the peer does not implement."""
    flat = flatten(recipe)
    for key, value in flat.items():
        if key in SUPPORTED:
            if value not in SUPPORTED[key]:
                raise SystemExit(f"recipe: {key}={value!r} is not implemented by the peer "
                                 f"(it implements {sorted(map(str, SUPPORTED[key]))})")
        elif key not in USED and not key.startswith(IGNORED_PREFIXES):
            raise SystemExit(f"recipe: unknown setting {key}={value!r}; the peer cannot tell whether it changes"
                             " the recipe (add it to SUPPORTED, USED or IGNORED_PREFIXES)")
    if flat.get("resolution") is None:
        flat["resolution"] = 28
    return flat


def build(flat):
    opt = {w: {k: flat[f"{w}.{k}"] for k in ("lr", "beta1", "beta2", "eps")} for w in ("optG", "optD")}
    return Dcgan(flat["resolution"], 1, flat["dcgan.latentDim"], flat["dcgan.gWidth"], flat["dcgan.dWidth"],
                 flat["dcgan.dDropout"], opt["optG"], opt["optD"], flat["emaDecay"])


def checkpoints(run):
    return sorted(glob.glob(os.path.join(run, "checkpoints", "step-*.pt")))


def save_checkpoint(run, model, position, seconds, keep):
    path = os.path.join(run, "checkpoints", f"step-{model.t:08d}.pt")
    tmp = path + ".tmp"
    torch.save({"model": model.state(), "position": position, "seconds": seconds,
                "rng": torch.get_rng_state()}, tmp)
    os.replace(tmp, path)
    for old in checkpoints(run)[:-1]:
        if int(os.path.basename(old)[5:13]) not in keep:
            os.remove(old)


def train(a):
    os.makedirs(os.path.join(a.run, "checkpoints"), exist_ok=True)
    with open(a.recipe) as fh:
        recipe = json.load(fh)
    flat = check_recipe(recipe)
    stored = os.path.join(a.run, "recipe.json")
    if os.path.exists(stored):
        with open(stored) as fh:
            old = flatten(json.load(fh))
        if shaping(old) != shaping(flatten(recipe)):
            raise SystemExit(f"{a.run} was started with another recipe ({stored}); use another --run folder")
    else:
        with open(stored, "w") as fh:
            json.dump(recipe, fh, indent=2)
    torch.manual_seed(flat["seed"])
    model = build(flat)
    images = peer_data.resize_area(peer_data.read_idx_images("train"), flat["resolution"])
    data = torch.from_numpy(peer_data.to_symmetric(images))
    order = peer_data.EpochOrder(len(data), flat["seed"])
    position, seconds = 0, 0.0
    found = checkpoints(a.run)
    if found:
        ck = torch.load(found[-1])
        model.load(ck["model"])
        position, seconds = ck["position"], ck["seconds"]
        torch.set_rng_state(ck["rng"])
        print(f"resumed {a.run} at step {model.t}", flush=True)
    batch = flat["batch"]
    # the log as of the checkpoint: rows of steps after it (written before a stop) are dropped
    log_path = os.path.join(a.run, "metrics.csv")
    header = "step,images,seconds,d_loss,d_real,d_fake,g_loss\n"
    kept = []
    if model.t > 0 and os.path.exists(log_path):
        kept = [r for r in open(log_path).readlines()[1:] if r.strip() and int(r.split(",")[0]) <= model.t]
    with open(log_path, "w") as fh:
        fh.write(header + "".join(kept))
    log = open(log_path, "a")
    sums, count = np.zeros(4), 0
    while model.t < a.steps:
        start = time.perf_counter()
        reals = data[order.indices(position, batch)]
        position += batch
        values = model.step(reals)
        seconds += time.perf_counter() - start
        if not all(np.isfinite(values)):
            # no checkpoint of the diverged state: a resume continues from the last good one
            with open(os.path.join(a.run, "status.json"), "w") as fh:
                json.dump({"step": model.t, "status": "diverged", "values": str(values)}, fh)
            raise SystemExit(f"diverged at step {model.t}: {values}")
        sums += values[:4]
        count += 1
        if model.t % a.log_every == 0 or model.t == a.steps:
            m = sums / count
            log.write(f"{model.t},{position},{seconds:.3f},{m[0]:.6f},{m[1]:.6f},{m[2]:.6f},{m[3]:.6f}\n")
            log.flush()
            print(f"step {model.t}/{a.steps}  {1000 * seconds / model.t:.0f} ms/step (mean so far)"
                  f"  d_loss {m[0]:.3f}  g_loss {m[3]:.3f}", flush=True)
            sums, count = np.zeros(4), 0
        if model.t % a.checkpoint_every == 0 or model.t == a.steps:
            save_checkpoint(a.run, model, position, seconds, a.keep)
    log.close()
    with open(os.path.join(a.run, "status.json"), "w") as fh:
        json.dump({"step": model.t, "images": position, "seconds": seconds, "status": "finished",
                   "engine": "PyTorch " + torch.__version__, "threads": torch.get_num_threads(),
                   "allocator": peer_bench.allocator()}, fh)


def sample(a):
    with open(os.path.join(a.run, "recipe.json")) as fh:
        flat = check_recipe(json.load(fh))
    path = os.path.join(a.run, "checkpoints", f"step-{a.at_step:08d}.pt")
    if not os.path.exists(path):
        raise SystemExit(f"no checkpoint {path} (have: {[os.path.basename(p) for p in checkpoints(a.run)]})")
    model = build(flat)
    model.load(torch.load(path)["model"])
    g = model.ema if a.generator == "ema" else model.g
    if g is None:
        raise SystemExit(f"--generator ema: {a.run} was trained without EMA (emaDecay 0)")
    g.eval()  # batch norm from running statistics, as GAN Lab's sampling (training=false)
    os.makedirs(a.out, exist_ok=True)
    gen = torch.Generator().manual_seed(a.sample_seed)
    digits = max(6, len(str(a.n - 1)))
    first = None
    with torch.no_grad():
        for i in range(0, a.n, 500):
            z = torch.randn(min(500, a.n - i), model.latent, generator=gen)
            pics = peer_data.to_uint8(g(z).numpy())
            if first is None:
                first = pics[:64]
            for k, pic in enumerate(pics):
                peer_data.write_png(os.path.join(a.out, f"{i + k:0{digits}d}.png"), pic)
    if a.grid:
        peer_data.write_png(a.grid, peer_data.grid(first))
    print(f"wrote {a.n} images of {a.run} step {a.at_step} ({a.generator}) to {a.out}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", action="store_true", help="train on Fashion-MNIST with --recipe into --run")
    ap.add_argument("--sample", action="store_true", help="write --n samples of --run at --at-step to --out")
    ap.add_argument("--resolution", type=int, default=32)
    ap.add_argument("--channels", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--json")
    ap.add_argument("--recipe", help="GAN Lab TrainConfig JSON (train)")
    ap.add_argument("--run", help="run folder: recipe.json, checkpoints/, metrics.csv")
    ap.add_argument("--checkpoint-every", type=int, default=250)
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--keep", default="", help="steps whose checkpoints are kept, e.g. 1000,5000")
    ap.add_argument("--at-step", type=int)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--out")
    ap.add_argument("--grid", help="also write the first 64 samples as one grid PNG here")
    ap.add_argument("--generator", choices=("ema", "raw"), default="ema")
    ap.add_argument("--sample-seed", type=int, default=1)
    a = ap.parse_args()
    peer_bench.set_threads(a.threads)
    a.keep = {int(s) for s in a.keep.split(",") if s.strip()}
    if a.train:
        if not a.recipe or not a.run:
            ap.error("--train needs --recipe and --run")
        train(a)
    elif a.sample:
        if not a.run or a.at_step is None or not a.out:
            ap.error("--sample needs --run, --at-step and --out")
        sample(a)
    else:
        bench(a)


if __name__ == "__main__":
    main()
