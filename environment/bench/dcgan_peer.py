#!/usr/bin/python3
"""Reference peer for `ganlab bench --model dcgan`: the same DCGAN and the same training step in
Python PyTorch (Debian's python3-torch), timed the same way, so the Java/Python ratio compares equal
work at equal threads.

The step mirrors GAN Lab's GanTrainer with the DCGAN defaults: generator Linear(100 -> 128*(s/4)^2),
BN, [nearest 2x upsample, conv3x3, BN, LeakyReLU 0.2] x 2 (128, 64 channels), conv3x3, tanh;
discriminator four [conv3x3 stride 2, LeakyReLU 0.2, Dropout2d 0.25, BN (not on the first)] blocks of
16..128 channels and Linear -> 1; batch-norm eps 1e-5, momentum 0.1; weights N(0, 0.02), BN scales
N(1, 0.02). One discriminator update on reals and fakes scored in one batch (non-saturating loss,
fakes generated without a graph), one generator update through the frozen discriminator (again with
reals in the batch), Adam 2e-4 (0.5, 0.999) for both, an EMA of the generator (decay with warm-up),
and the same six scalars read back per step.

    dcgan_peer.py --resolution 32 --channels 1 --batch 64 --steps 50 --warmup 10 --threads 2 [--json OUT]
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


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
    def __init__(self, res, channels, width=16):
        super().__init__()
        layers, c_in, c = [], channels, width
        size = res
        for i in range(4):
            layers += [nn.Conv2d(c_in, c, 3, 2, 1), nn.LeakyReLU(0.2), nn.Dropout2d(0.25)]
            if i > 0:
                layers.append(nn.BatchNorm2d(c))
            c_in, c = c, c * 2
            size = (size + 2 - 3) // 2 + 1
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(c_in * size * size, 1)

    def forward(self, x):
        return self.head(self.features(x).flatten(1)).view(-1)


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--resolution", type=int, default=32)
    ap.add_argument("--channels", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--json")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(1)
    g, d = Generator(a.resolution, a.channels), Discriminator(a.resolution, a.channels)
    ema = Generator(a.resolution, a.channels)
    for m in (g, d):
        m.apply(init_weights)
    ema.load_state_dict(g.state_dict())
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    images = torch.rand(max(4 * a.batch, 64), a.channels, a.resolution, a.resolution) * 2 - 1
    pos = 0
    t = 0

    def step():
        nonlocal pos, t
        idx = torch.arange(pos, pos + a.batch) % images.shape[0]
        pos += a.batch
        reals = images[idx]
        z = torch.randn(a.batch, 100)
        with torch.no_grad():
            fakes = g(z)
        scores = d(torch.cat([reals, fakes]))
        r, f = scores[:a.batch], scores[a.batch:]
        loss_d = F.softplus(-r).mean() + F.softplus(f).mean()
        opt_d.zero_grad(set_to_none=False)
        loss_d.backward()
        opt_d.step()
        for p in d.parameters():
            p.requires_grad_(False)
        z = torch.randn(a.batch, 100)
        f = d(torch.cat([reals, g(z)]))[a.batch:]
        loss_g = F.softplus(-f).mean()
        opt_g.zero_grad(set_to_none=False)
        loss_g.backward()
        opt_g.step()
        for p in d.parameters():
            p.requires_grad_(True)
        beta = min(0.999, (1 + t) / (10 + t))
        with torch.no_grad():
            for pe, pg in zip(ema.parameters(), g.parameters()):
                pe.mul_(beta).add_(pg, alpha=1 - beta)
            for be, bg in zip(ema.buffers(), g.buffers()):
                be.copy_(bg)
        t += 1
        # the values GanTrainer reads back each step
        return [loss_d.item(), r.mean().item(), f.mean().item(), loss_g.item(), 0.0, 0.0]

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.steps):
        s = time.perf_counter()
        step()
        times.append((time.perf_counter() - s) * 1000)
    mean = sum(times) / len(times)
    median = sorted(times)[len(times) // 2]
    cfg = torch.__config__.show()
    backends = [k for k, on in (("MKL", torch.backends.mkl.is_available()),
                                 ("MKLDNN", torch.backends.mkldnn.is_available()),
                                 ("OPENMP", torch.backends.openmp.is_available())) if on]
    blas = next((part.strip() for part in cfg.replace("\n", ",").split(",") if "BLAS_INFO" in part),
                "BLAS_INFO unknown")
    out = {"engine": "PyTorch " + torch.__version__, "threads": torch.get_num_threads(), "msPerStep": mean,
           "msPerStepMedian": median, "imagesPerSecond": a.batch * 1000 / mean, "backends": "+".join(backends),
           "blas": blas, "allocator": allocator()}
    print(json.dumps(out))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(out, fh, indent=2)


if __name__ == "__main__":
    main()
