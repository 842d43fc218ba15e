#!/usr/bin/python3
"""Step-time peer for GAN Lab's ProGAN in Python PyTorch (Debian's python3-torch): the network and the
training step of `ganlab bench --model progan`, written as a PyTorch user writes them, timed the
same way on random images, so the Java/Python ratio compares equal work at equal threads.

    progan_peer.py --resolution 32 --channels 3 --batch 16 --steps 6 --warmup 3 --threads 2
                   [--expect-params G,D] [--summary] [--json OUT]

The bench configuration (TrainStepBenchmark.config, ProganPreset.fullSizeFromStart): the networks
of Karras et al. (ICLR 2018, table 2) built for the target resolution T, trained at T from the start
(alpha = 1, no fade-in layers in the step); feature maps nf(r) = min(8192 / r * 2, 512) (512 up to
32 px), latent 512, leaky ReLU 0.2, pixel norm after every generator activation, minibatch stddev
with groups of 4, every conv and dense layer with the equalized learning rate (weights N(0, 1) times
gain / sqrt(fan in) at run time, zero biases; gain sqrt(2), sqrt(2)/4 for the latent dense layer, 1
for toRGB and the score). The toRGB and fromRGB layers of the lower resolutions exist (GAN Lab
builds them for the growth) but take no part in a step at T.

The step (GanStep with ProGAN's preset): fakes generated without a graph; the critic scores reals
and fakes in two passes; WGAN loss E[D(fake)] - E[D(real)], gradient penalty 10 E[(|grad D(x)| -
1)^2] at random interpolates (a third pass, input gradient with a graph for the double backward),
drift 0.001 E[D(real)^2]; one backward, Adam lr 0.001, betas (0, 0.99), eps 1e-8; then the
generator's update through the frozen critic (loss -E[D(G(z))]), Adam likewise; EMA of the generator
(decay min(0.999, (1 + t) / (10 + t))); the logged scalars read back.

What differs from GAN Lab, on purpose (the peer is PyTorch as its users write it): the generator's
upsampling is F.interpolate (nearest) followed by the 3x3 convolution, where GAN Lab's
Conv2d.optUpsample2x computes the same function as one 4x4 transposed convolution of the small
input; the penalty's input gradient is torch.autograd.grad, which GAN Lab calls through a TorchScript
function. Random draws differ (own seeds).
"""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_bench  # noqa: E402

LATENT = 512
SLOPE = 0.2
RELU_GAIN = math.sqrt(2)
EPS = 1e-8


def feature_maps(resolution):
    """nf at a resolution: min(fmap_base / 2^stage, fmap_max) with stage = log2(r) - 1 (official code)."""
    stage = int(math.log2(resolution)) - 1
    return min(8192 // 2 ** stage, 512)


class EqConv(nn.Module):
    def __init__(self, c_in, c_out, kernel, gain=RELU_GAIN, upsample=False):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(c_out, c_in, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(c_out))
        self.scale = gain / math.sqrt(c_in * kernel * kernel)
        self.upsample = upsample

    def forward(self, x):
        if self.upsample:
            x = F.interpolate(x, scale_factor=2, mode="nearest")
        return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.weight.shape[-1] // 2)


class EqLinear(nn.Module):
    def __init__(self, n_in, n_out, gain=RELU_GAIN, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_out, n_in))
        self.bias = nn.Parameter(torch.zeros(n_out)) if bias else None
        self.scale = gain / math.sqrt(n_in)

    def forward(self, x):
        return F.linear(x, self.weight * self.scale, self.bias)


def pixel_norm(x):
    return x * torch.rsqrt(x.square().mean(dim=1, keepdim=True) + EPS)


def act_norm(x):
    """PN(lrelu(x)): the generator's activation (official code)."""
    return pixel_norm(F.leaky_relu(x, SLOPE))


class Generator(nn.Module):
    def __init__(self, resolution, channels):
        super().__init__()
        nf4 = feature_maps(4)
        self.nf4 = nf4
        self.dense = EqLinear(LATENT, nf4 * 16, gain=RELU_GAIN / 4, bias=False)
        self.dense_bias = nn.Parameter(torch.zeros(nf4))   # per channel after the reshape, as GAN Lab
        self.conv4 = EqConv(nf4, nf4, 3)
        self.to_rgb = nn.ModuleDict({"4": EqConv(nf4, channels, 1, gain=1.0)})
        self.blocks = nn.ModuleDict()
        r = 8
        while r <= resolution:
            c_in, c = feature_maps(r // 2), feature_maps(r)
            self.blocks[str(r)] = nn.ModuleList([EqConv(c_in, c, 3, upsample=True), EqConv(c, c, 3)])
            self.to_rgb[str(r)] = EqConv(c, channels, 1, gain=1.0)
            r *= 2
        self.resolution = resolution

    def forward(self, z):
        x = self.dense(pixel_norm(z)).view(-1, self.nf4, 4, 4) + self.dense_bias.view(1, -1, 1, 1)
        x = act_norm(self.conv4(act_norm(x)))
        for up, conv in self.blocks.values():
            x = act_norm(conv(act_norm(up(x))))
        return self.to_rgb[str(self.resolution)](x)

    def named_layers(self):
        yield "stem", nn.ModuleList([self.dense, self.conv4]), self.dense_bias.numel()
        for r, b in self.blocks.items():
            yield "block" + r, b, 0
        for r, t in self.to_rgb.items():
            yield "toRGB" + r, t, 0


def minibatch_stddev(x, group=4):
    n, c, h, w = x.shape
    g = min(group, n)
    y = x.view(g, n // g, c, h, w)
    y = (y - y.mean(dim=0)).square().mean(dim=0).add(EPS).sqrt()   # (M, C, H, W)
    y = y.mean(dim=(1, 2, 3), keepdim=True).repeat(g, 1, h, w)      # (N, 1, H, W): sample i -> group i mod M
    return torch.cat([x, y], dim=1)


class Discriminator(nn.Module):
    def __init__(self, resolution, channels):
        super().__init__()
        self.from_rgb = nn.ModuleDict()
        self.blocks = nn.ModuleDict()
        r = resolution
        while r >= 8:
            self.from_rgb[str(r)] = EqConv(channels, feature_maps(r), 1)
            self.blocks[str(r)] = nn.ModuleList([EqConv(feature_maps(r), feature_maps(r), 3),
                                                 EqConv(feature_maps(r), feature_maps(r // 2), 3)])
            r //= 2
        self.from_rgb["4"] = EqConv(channels, feature_maps(4), 1)
        nf4 = feature_maps(4)
        self.conv4 = EqConv(nf4 + 1, nf4, 3)
        self.dense = EqLinear(nf4 * 16, feature_maps(2))
        self.head = EqLinear(feature_maps(2), 1, gain=1.0)
        self.resolution = resolution

    def forward(self, x):
        x = F.leaky_relu(self.from_rgb[str(self.resolution)](x), SLOPE)
        for a, b in self.blocks.values():
            x = F.avg_pool2d(F.leaky_relu(b(F.leaky_relu(a(x), SLOPE)), SLOPE), 2)
        x = F.leaky_relu(self.conv4(minibatch_stddev(x)), SLOPE)
        x = F.leaky_relu(self.dense(x.flatten(1)), SLOPE)
        return self.head(x).view(-1)

    def named_layers(self):
        for r, f in self.from_rgb.items():
            yield "fromRGB" + r, f, 0
        for r, b in self.blocks.items():
            yield "block" + r, b, 0
        yield "final4", nn.ModuleList([self.conv4, self.dense]), 0
        yield "head", self.head, 0


class Progan:
    def __init__(self, resolution, channels):
        self.g = Generator(resolution, channels)
        self.d = Discriminator(resolution, channels)
        self.ema = Generator(resolution, channels)
        self.ema.load_state_dict(self.g.state_dict())
        for p in self.ema.parameters():
            p.requires_grad_(False)
        adam = dict(lr=0.001, betas=(0.0, 0.99), eps=1e-8)
        self.opt_g = torch.optim.Adam(self.g.parameters(), **adam)
        self.opt_d = torch.optim.Adam(self.d.parameters(), **adam)
        self.t = 0

    def step(self, reals):
        batch = reals.shape[0]
        with torch.no_grad():
            fakes = self.g(torch.randn(batch, LATENT))
        r, f = self.d(reals), self.d(fakes)
        wgan = f.mean() - r.mean()
        e = torch.rand(batch, 1, 1, 1)
        x = (reals * e + fakes * (1 - e)).requires_grad_(True)
        grad, = torch.autograd.grad(self.d(x).sum(), x, create_graph=True)
        norms = grad.square().sum(dim=(1, 2, 3)).add(1e-12).sqrt()
        penalty = (norms - 1).square().mean() * 10
        drift = r.square().mean() * 0.001
        loss_d = wgan + penalty + drift
        self.opt_d.zero_grad(set_to_none=False)
        loss_d.backward()
        self.opt_d.step()
        for p in self.d.parameters():
            p.requires_grad_(False)
        loss_g = -self.d(self.g(torch.randn(batch, LATENT))).mean()
        self.opt_g.zero_grad(set_to_none=False)
        loss_g.backward()
        self.opt_g.step()
        for p in self.d.parameters():
            p.requires_grad_(True)
        peer_bench.ema_update(self.ema, self.g, self.t)  # ProGAN's generator has no buffers
        self.t += 1
        return [wgan.item(), r.mean().item(), f.mean().item(), loss_g.item(), penalty.item(), norms.mean().item(),
                drift.item()]


def layer_counts(net):
    rows = [(name, sum(p.numel() for p in m.parameters()) + extra) for name, m, extra in net.named_layers()]
    return rows, sum(n for _, n in rows)


def main():
    peer_bench.run(Progan, layer_counts, name_width=10, resolution=32, channels=3, batch=16, steps=6, warmup=3)


if __name__ == "__main__":
    main()
