#!/usr/bin/python3
"""Step-time peer for GAN Lab's FastGAN in Python PyTorch (Debian's python3-torch): the networks and
the training step of `ganlab bench --model fastgan`, written as a PyTorch user writes them, timed the
same way on random images, so the Java/Python ratio compares equal work at equal threads.

    fastgan_peer.py --resolution 64 --channels 3 --batch 8 --steps 20 --warmup 10 --threads 2
                    [--expect-params G,D] [--summary] [--json OUT]

GAN Lab's FastGAN (Liu et al., ICLR 2021, laid out as the official models.py) with its defaults, at
64 px here (the peer builds 64 and 128 px, the sizes GAN Lab adds below the official 256):
widths ngf = ndf = 64, decoder width 32, latent 256; no biases, weights N(0, 0.02), batch-norm scales
N(1, 0.02); spectral norm (one power iteration per training forward) on every conv and linear layer
of both networks.

* G: linear 256 -> 2 c4 4 4, BN, GLU (the official 4x4 transposed conv of a 1x1 input is this
  linear map); up blocks 8..S, two convs with noise at 8, 32, 128 px and one without at 16, 64
  (nearest upsample, conv 3x3 to twice the channels, [noise], BN, GLU); SLE 4 -> 64 (adaptive pool 4,
  conv 4x4, Swish, conv 1x1, sigmoid); conv 3x3 of the S map to the image and conv 1x1 of the S/2
  map to the small image; no tanh below 1024 px (official forward).
* D: conv 3x3 to ndf, LeakyReLU 0.2; down blocks to 32, 16, 8 (mean of [conv 4x4 s2, BN, lrelu, conv
  3x3, BN, lrelu] and [avg pool 2, conv 1x1, BN, lrelu]); SLE from the 64 px map onto the 8 px map;
  logits conv 1x1 to 16 ndf, BN, lrelu, conv 4x4 -> 5x5 patch scores; the small branch on the S/2
  image (conv 4x4 s2, lrelu, conv 4x4 s2, BN, lrelu, conv 4x4 -> 5x5 scores); three decoders (pool
  to 8, [upsample, conv 3x3, BN, GLU] blocks, conv 3x3, tanh) of the 8 px map, of a random quadrant of
  the 16 px map and of the small branch's map.

The step (GanStep with FastGAN's preset): DiffAugment color,translation on reals and on each
generated view; the critic scores reals (their small view the image subsampled by 2, nearest) and the
detached fakes in two passes; hinge loss with margins drawn from U(0.8, 1) per score, plus the
reconstruction loss on reals: for the full image, the quadrant and the small image, 4 x the mean
squared error per image summed over the batch (GAN Lab's default mse, sum); Adam 2e-4 (0.5, 0.999);
then the generator's update (loss -E[D(G(z))] on the same augmented images, generated once per step with
their graph as train.py does: GAN Lab's generatorFakes=reuse) through the frozen critic in training mode; EMA of G
(decay min(0.999, (1 + t) / (10 + t)), batch-norm buffers copied); the logged scalars read back.

What differs from GAN Lab, on purpose (the peer is PyTorch as its users write it): upsampling is
F.interpolate (nearest) followed by the convolution, where GAN Lab's Conv2d.optUpsample2x computes
the same function as one 4x4 transposed convolution of the small input; spectral norm is
torch.nn.utils.spectral_norm; translation is a padded gather written here. Random draws differ.
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import spectral_norm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_bench  # noqa: E402

LATENT = 256
G_CHANNELS = {4: 16, 8: 8, 16: 4, 32: 2, 64: 2, 128: 1, 256: 0.5, 512: 0.25, 1024: 0.125}
D_CHANNELS = {512: 0.125, 256: 0.25, 128: 0.5, 64: 1, 32: 2, 16: 4, 8: 8}
DECODER_CHANNELS = {16: 4, 32: 2, 64: 2, 128: 1, 256: 0.5}
NGF, NDF, NDEC = 64, 64, 32


def conv(c_in, c_out, k, s=1, p=0):
    return spectral_norm(nn.Conv2d(c_in, c_out, k, s, p, bias=False))


def bn(c):
    return nn.BatchNorm2d(c)


def lrelu():
    return nn.LeakyReLU(0.2)


def init_weights(m):
    if isinstance(m, (nn.Conv2d, nn.Linear)):
        nn.init.normal_(m.weight_orig if hasattr(m, "weight_orig") else m.weight, 0.0, 0.02)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


class Glu(nn.Module):
    def forward(self, x):
        return F.glu(x, dim=1)


class Noise(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        n, _, h, w = x.shape
        return x + self.weight * torch.randn(n, 1, h, w)


class Up(nn.Module):
    def __init__(self, c_in, c_out, convs, noise):
        super().__init__()
        layers = [nn.Upsample(scale_factor=2, mode="nearest")]
        for i in range(convs):
            layers.append(conv(c_in if i == 0 else c_out, 2 * c_out, 3, 1, 1))
            if noise:
                layers.append(Noise())
            layers += [bn(2 * c_out), Glu()]
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return self.body(x)


class Sle(nn.Module):
    def __init__(self, c_low, c_high):
        super().__init__()
        self.squeeze = conv(c_low, c_high, 4)
        self.excite = conv(c_high, c_high, 1)

    def forward(self, low, high):
        h = self.squeeze(F.adaptive_avg_pool2d(low, 4))
        return high * torch.sigmoid(self.excite(F.silu(h)))


class Generator(nn.Module):
    def __init__(self, resolution, channels):
        super().__init__()
        gc = {r: int(m * NGF) for r, m in G_CHANNELS.items()}
        self.c4 = gc[4]
        self.init = spectral_norm(nn.Linear(LATENT, 2 * gc[4] * 16, bias=False))
        self.init_bn = bn(2 * gc[4])
        self.ups = nn.ModuleDict()
        r = 8
        while r <= resolution:
            comp = (r.bit_length() - 1) % 2 == 1      # two convs with noise at 8, 32, 128, 512 px
            self.ups[str(r)] = Up(gc[r // 2], gc[r], 2 if comp else 1, comp)
            r *= 2
        self.sle = nn.ModuleDict({f"{s}_{t}": Sle(gc[s], gc[t]) for t, s in ((64, 4), (128, 8), (256, 16), (512, 32))
                                  if t <= resolution})
        self.resolution = resolution
        self.small = resolution // 2 if resolution < 256 else 128
        self.to_image = conv(gc[resolution], channels, 3, 1, 1)
        self.to_small = conv(gc[self.small], channels, 1)

    def forward(self, z):
        x = F.glu(self.init_bn(self.init(z).view(-1, 2 * self.c4, 4, 4)), dim=1)
        maps = {4: x}
        for r, up in self.ups.items():
            x = up(x)
            for key, gate in self.sle.items():
                s, t = map(int, key.split("_"))
                if t == int(r):
                    x = gate(maps[s], x)
            maps[int(r)] = x
        return self.to_image(x), self.to_small(maps[self.small])

    def named_layers(self):
        yield "init", nn.ModuleList([self.init, self.init_bn])
        for r, up in self.ups.items():
            yield "up_" + r, up
        for k, s in self.sle.items():
            yield "sle_" + k, s
        yield "to_image", self.to_image
        yield "to_small", self.to_small


class Down(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.main = nn.Sequential(conv(c_in, c_out, 4, 2, 1), bn(c_out), lrelu(),
                                  conv(c_out, c_out, 3, 1, 1), bn(c_out), lrelu())
        self.direct = nn.Sequential(nn.AvgPool2d(2), conv(c_in, c_out, 1), bn(c_out), lrelu())

    def forward(self, x):
        return (self.main(x) + self.direct(x)) / 2


def decoder(c_in, size, channels):
    layers, c, r = [nn.AdaptiveAvgPool2d(8)], c_in, 16
    while r <= size:
        c_out = int(DECODER_CHANNELS[r] * NDEC)
        layers.append(Up(c, c_out, 1, False))
        c, r = c_out, r * 2
    layers += [conv(c, channels, 3, 1, 1), nn.Tanh()]
    return nn.Sequential(*layers)


class Discriminator(nn.Module):
    def __init__(self, resolution, channels):
        super().__init__()
        if resolution not in (64, 128):
            raise SystemExit(f"--resolution {resolution}: the peer builds FastGAN at 64 and 128 px")
        dc = {r: int(m * NDF) for r, m in D_CHANNELS.items()}
        self.from_image = nn.Sequential(conv(channels, dc[resolution], 3, 1, 1), lrelu())
        self.downs = nn.ModuleDict()
        r = resolution // 2
        while r >= 8:
            self.downs[str(r)] = Down(dc[2 * r], dc[r])
            r //= 2
        self.sle = nn.ModuleDict({f"{s}_{t}": Sle(dc[s], dc[t]) for t, s in ((32, 256), (16, 128), (8, 64))
                                  if s <= resolution})
        self.logits = nn.Sequential(conv(dc[8], 16 * NDF, 1), bn(16 * NDF), lrelu(), conv(16 * NDF, 1, 4))
        self.small = resolution // 2
        self.decoder_full = decoder(dc[8], min(128, resolution), channels)
        self.decoder_part = decoder(dc[16], min(128, resolution // 2), channels)
        layers = [conv(channels, dc[self.small], 4, 2, 1), lrelu()]
        m = self.small // 4
        while m >= 8:
            layers += [conv(dc[4 * m], dc[2 * m], 4, 2, 1), bn(dc[2 * m]), lrelu()]
            m //= 2
        self.from_small = nn.Sequential(*layers)
        self.c_small = dc[16]
        self.logits_small = conv(self.c_small, 1, 4)
        self.decoder_small = decoder(self.c_small, min(128, self.small), channels)
        self.resolution = resolution

    def features(self, x, small):
        h = self.from_image(x)
        maps = {self.resolution: h}
        for r, down in self.downs.items():
            h = down(h)
            for key, gate in self.sle.items():
                s, t = map(int, key.split("_"))
                if t == int(r):
                    h = gate(maps[s], h)
            maps[int(r)] = h
        if small is None:
            small = x[:, :, ::2, ::2]                 # nearest resize to the small side
        return maps[8], maps[16], self.from_small(small)

    def scores(self, map8, small8):
        return torch.cat([self.logits(map8).reshape(-1), self.logits_small(small8).reshape(-1)])

    def named_layers(self):
        yield "from_image", self.from_image
        for r, d in self.downs.items():
            yield "down_" + r, d
        for k, s in self.sle.items():
            yield "sle_" + k, s
        for name in ("logits", "decoder_full", "decoder_part", "from_small", "logits_small", "decoder_small"):
            yield name, getattr(self, name)


# ---- DiffAugment color,translation (Zhao et al., 2020), one draw per image -----------------------

def diff_augment(x):
    n = x.shape[0]
    x = x + (torch.rand(n, 1, 1, 1) - 0.5)                                      # brightness
    m = x.mean(dim=1, keepdim=True)
    x = (x - m) * (torch.rand(n, 1, 1, 1) * 2) + m                              # saturation
    m = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - m) * (torch.rand(n, 1, 1, 1) + 0.5) + m                            # contrast
    _, c, h, w = x.shape
    sh, sw = int(h * 0.125 + 0.5), int(w * 0.125 + 0.5)
    dy = torch.randint(-sh, sh + 1, (n, 1, 1))
    dx = torch.randint(-sw, sw + 1, (n, 1, 1))
    rows = (torch.arange(h).view(1, h, 1) + dy + 1).clamp(0, h + 1)             # into the 1-padded image
    cols = (torch.arange(w).view(1, 1, w) + dx + 1).clamp(0, w + 1)
    padded = F.pad(x, (1, 1, 1, 1))
    batch = torch.arange(n).view(n, 1, 1)
    return padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)   # zeros beyond the border


def recon(a, b):
    """GAN Lab's reconstruction distance 'mse' with reduction 'sum': 4 x per-image MSE, summed."""
    return (a - b).square().flatten(1).mean(dim=1).mul(4).sum()


def quadrant(x, q):
    h, w = x.shape[2] // 2, x.shape[3] // 2
    r, c = (q // 2) * h, (q % 2) * w
    return x[:, :, r:r + h, c:c + w]


class Fastgan:
    def __init__(self, resolution, channels):
        self.g = Generator(resolution, channels)
        self.d = Discriminator(resolution, channels)
        for m in (self.g, self.d):
            m.apply(init_weights)
        self.ema = Generator(resolution, channels)
        self.ema.load_state_dict(self.g.state_dict())
        for p in self.ema.parameters():
            p.requires_grad_(False)
        adam = dict(lr=2e-4, betas=(0.5, 0.999), eps=1e-8)
        self.opt_g = torch.optim.Adam(self.g.parameters(), **adam)
        self.opt_d = torch.optim.Adam(self.d.parameters(), **adam)
        self.t = 0

    def step(self, reals):
        batch = reals.shape[0]
        # one generator forward per iteration (FastGAN's train.py): the critic scores its images detached,
        # the generator's loss the same augmented images through the updated critic
        fake, fake_small = self.g(torch.randn(batch, LATENT))
        g_in, g_small_in = diff_augment(fake), diff_augment(fake_small)
        # critic: reals with reconstruction, then fakes
        x = diff_augment(reals)
        map8, map16, small8 = self.d.features(x, None)
        r = self.d.scores(map8, small8)
        q = int(torch.randint(0, 4, (1,)))
        target = x.detach()
        rec = (recon(self.d.decoder_full(map8), target)
               + recon(self.d.decoder_part(quadrant(map16, q)), quadrant(target, q))
               + recon(self.d.decoder_small(small8), target[:, :, ::2, ::2]))
        f8, _, fs8 = self.d.features(g_in.detach(), g_small_in.detach())
        f = self.d.scores(f8, fs8)
        hinge = (F.relu(torch.rand_like(r) * 0.2 + 0.8 - r).mean()
                 + F.relu(torch.rand_like(f) * 0.2 + 0.8 + f).mean())
        loss_d = hinge + rec
        self.opt_d.zero_grad(set_to_none=False)
        loss_d.backward()
        self.opt_d.step()
        # generator through the frozen critic (training mode, as GAN Lab)
        for p in self.d.parameters():
            p.requires_grad_(False)
        g8, _, gs8 = self.d.features(g_in, g_small_in)
        loss_g = -self.d.scores(g8, gs8).mean()
        self.opt_g.zero_grad(set_to_none=False)
        loss_g.backward()
        self.opt_g.step()
        for p in self.d.parameters():
            p.requires_grad_(True)
        peer_bench.ema_update(self.ema, self.g, self.t)
        self.t += 1
        return [hinge.item(), r.mean().item(), f.mean().item(), loss_g.item(), rec.item()]


def layer_counts(net):
    rows = [(name, sum(p.numel() for p in m.parameters())) for name, m in net.named_layers()]
    total = sum(p.numel() for p in net.parameters())
    if total != sum(n for _, n in rows):
        raise SystemExit(f"{type(net).__name__}: the layer groups miss parameters")
    return rows, total


def main():
    peer_bench.run(Fastgan, layer_counts, name_width=14, resolution=64, channels=3, batch=8, steps=20, warmup=10)


if __name__ == "__main__":
    main()
