#!/usr/bin/python3
"""Parameter counts and output shapes of FastGAN as its official code builds it, for GAN Lab's tests.

Run with Debian's interpreter (python3-torch):

    /usr/bin/python3 environment/reference/make_fastgan_fixtures.py lib/src/test/resources/fastgan

The networks below are written for this script from the published architecture of Liu et al.,
ICLR 2021 (official code odegeasslbc/FastGAN-pytorch, models.py), layer by layer: widths from the
code's nfc tables, no biases, spectral norm on every conv (torch's spectral_norm keeps the weight's
size as the parameter 'weight_orig' and its power-iteration vectors as buffers, so they do not
count), batch-norm scale and shift counted, running statistics not (buffers). The generator's first
layer is the official 4x4 transposed convolution of the latent viewed as (N, nz, 1, 1).

It writes params.json: for each configuration (resolution, ngf, ndf, nz, image channels) the
trainable parameter count of G and of D, and the shapes of G's two outputs and D's logits for a
batch of 2, from a forward pass of the torch networks.
"""
import json
import os
import sys

import torch
import torch.nn as nn
from torch.nn.utils import spectral_norm

OUT = sys.argv[1] if len(sys.argv) > 1 else "lib/src/test/resources/fastgan"
os.makedirs(OUT, exist_ok=True)

G_MULT = {4: 16, 8: 8, 16: 4, 32: 2, 64: 2, 128: 1, 256: 0.5, 512: 0.25, 1024: 0.125}
D_MULT = {4: 16, 8: 16, 16: 8, 32: 4, 64: 2, 128: 1, 256: 0.5, 512: 0.25, 1024: 0.125}


def widths(mult, base):
    return {k: int(v * base) for k, v in mult.items()}


def sn_conv(cin, cout, k, s, p):
    return spectral_norm(nn.Conv2d(cin, cout, k, s, p, bias=False))


class Glu(nn.Module):
    def forward(self, x):
        half = x.shape[1] // 2
        return x[:, :half] * torch.sigmoid(x[:, half:])


class Noise(nn.Module):
    def __init__(self):
        super().__init__()
        self.strength = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        n, _, h, w = x.shape
        return x + self.strength * torch.randn(n, 1, h, w)


def up(cin, cout, two_convs):
    layers = [nn.Upsample(scale_factor=2, mode="nearest"), sn_conv(cin, 2 * cout, 3, 1, 1)]
    if two_convs:
        layers += [Noise(), nn.BatchNorm2d(2 * cout), Glu(), sn_conv(cout, 2 * cout, 3, 1, 1), Noise()]
    layers += [nn.BatchNorm2d(2 * cout), Glu()]
    return nn.Sequential(*layers)


class Excite(nn.Module):
    """Skip-layer excitation: pool to 4, conv 4x4 to 1x1, swish, conv 1x1, sigmoid gate."""

    def __init__(self, cin, cout):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(4)
        self.a = sn_conv(cin, cout, 4, 1, 0)
        self.b = sn_conv(cout, cout, 1, 1, 0)

    def forward(self, low, high):
        g = self.a(self.pool(low))
        g = g * torch.sigmoid(g)
        return high * torch.sigmoid(self.b(g))


class Gen(nn.Module):
    def __init__(self, ngf, nz, nc, size):
        super().__init__()
        c = widths(G_MULT, ngf)
        self.size = size
        self.first = nn.Sequential(spectral_norm(nn.ConvTranspose2d(nz, 2 * c[4], 4, 1, 0, bias=False)),
                                   nn.BatchNorm2d(2 * c[4]), Glu())
        # two-conv blocks at 8, 32, 128, 512; one-conv blocks at 16, 64, 256, 1024
        self.ups = nn.ModuleDict()
        r = 8
        while r <= size:
            self.ups[str(r)] = up(c[r // 2], c[r], r in (8, 32, 128, 512))
            r *= 2
        self.excite = nn.ModuleDict({str(hi): Excite(c[lo], c[hi])
                                     for hi, lo in ((64, 4), (128, 8), (256, 16), (512, 32)) if hi <= size})
        self.to_small = sn_conv(c[128], nc, 1, 1, 0)
        self.to_big = sn_conv(c[size], nc, 3, 1, 1)

    def forward(self, z):
        maps = {4: self.first(z.view(z.shape[0], -1, 1, 1))}
        r = 8
        while r <= self.size:
            x = self.ups[str(r)](maps[r // 2])
            if str(r) in self.excite:
                x = self.excite[str(r)](maps[{64: 4, 128: 8, 256: 16, 512: 32}[r]], x)
            maps[r] = x
            r *= 2
        return self.to_big(maps[self.size]), self.to_small(maps[128])


class DownComp(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.main = nn.Sequential(sn_conv(cin, cout, 4, 2, 1), nn.BatchNorm2d(cout), nn.LeakyReLU(0.2),
                                  sn_conv(cout, cout, 3, 1, 1), nn.BatchNorm2d(cout), nn.LeakyReLU(0.2))
        self.skip = nn.Sequential(nn.AvgPool2d(2, 2), sn_conv(cin, cout, 1, 1, 0), nn.BatchNorm2d(cout),
                                  nn.LeakyReLU(0.2))

    def forward(self, x):
        return (self.main(x) + self.skip(x)) / 2


def decoder(cin, nc):
    c = widths(G_MULT, 32)
    return nn.Sequential(nn.AdaptiveAvgPool2d(8), up(cin, c[16], False), up(c[16], c[32], False),
                         up(c[32], c[64], False), up(c[64], c[128], False), sn_conv(c[128], nc, 3, 1, 1),
                         nn.Tanh())


class Disc(nn.Module):
    def __init__(self, ndf, nc, size):
        super().__init__()
        c = widths(D_MULT, ndf)
        self.size = size
        if size == 1024:
            self.stem = nn.Sequential(sn_conv(nc, c[1024], 4, 2, 1), nn.LeakyReLU(0.2),
                                      sn_conv(c[1024], c[512], 4, 2, 1), nn.BatchNorm2d(c[512]), nn.LeakyReLU(0.2))
        elif size == 512:
            self.stem = nn.Sequential(sn_conv(nc, c[512], 4, 2, 1), nn.LeakyReLU(0.2))
        else:
            self.stem = nn.Sequential(sn_conv(nc, c[512], 3, 1, 1), nn.LeakyReLU(0.2))
        # maps named by the official code's scale: feat_2 (256 px) down to feat_64 (8 px)
        self.downs = nn.ModuleList([DownComp(c[512], c[256]), DownComp(c[256], c[128]), DownComp(c[128], c[64]),
                                    DownComp(c[64], c[32]), DownComp(c[32], c[16])])
        self.excite = nn.ModuleList([Excite(c[512], c[64]), Excite(c[256], c[32]), Excite(c[128], c[16])])
        self.head_big = nn.Sequential(sn_conv(c[16], c[8], 1, 1, 0), nn.BatchNorm2d(c[8]), nn.LeakyReLU(0.2),
                                      sn_conv(c[8], 1, 4, 1, 0))
        self.small = nn.Sequential(sn_conv(nc, c[256], 4, 2, 1), nn.LeakyReLU(0.2),
                                   sn_conv(c[256], c[128], 4, 2, 1), nn.BatchNorm2d(c[128]), nn.LeakyReLU(0.2),
                                   sn_conv(c[128], c[64], 4, 2, 1), nn.BatchNorm2d(c[64]), nn.LeakyReLU(0.2),
                                   sn_conv(c[64], c[32], 4, 2, 1), nn.BatchNorm2d(c[32]), nn.LeakyReLU(0.2))
        self.head_small = sn_conv(c[32], 1, 4, 1, 0)
        self.dec_big = decoder(c[16], nc)
        self.dec_part = decoder(c[32], nc)
        self.dec_small = decoder(c[32], nc)

    def forward(self, big, small):
        f = [self.stem(big)]
        for i, d in enumerate(self.downs):
            x = d(f[-1])
            if i >= 2:
                x = self.excite[i - 2](f[i - 2], x)
            f.append(x)
        s = self.small(small)
        quarter = f[4][:, :, :8, :8]
        recs = (self.dec_big(f[5]), self.dec_part(quarter), self.dec_small(s))
        return torch.cat([self.head_big(f[5]).view(-1), self.head_small(s).view(-1)]), recs


def count(m):
    return sum(p.numel() for p in m.parameters() if p.requires_grad)


def main():
    torch.manual_seed(0)
    configs = [
        {"resolution": 256, "ngf": 64, "ndf": 64, "nz": 256, "channels": 3},
        {"resolution": 256, "ngf": 8, "ndf": 8, "nz": 32, "channels": 3},
        {"resolution": 512, "ngf": 8, "ndf": 8, "nz": 32, "channels": 1},
        {"resolution": 1024, "ngf": 8, "ndf": 8, "nz": 32, "channels": 3},
    ]
    out = []
    for cfg in configs:
        g = Gen(cfg["ngf"], cfg["nz"], cfg["channels"], cfg["resolution"])
        d = Disc(cfg["ndf"], cfg["channels"], cfg["resolution"])
        g.train()
        d.train()
        with torch.no_grad():
            big, small = g(torch.randn(2, cfg["nz"]))
            logits, recs = d(big, small)
        row = dict(cfg)
        row.update({
            "g_params": count(g), "d_params": count(d),
            "g_outputs": [list(big.shape), list(small.shape)],
            "d_logits": list(logits.shape),
            "d_reconstructions": [list(r.shape) for r in recs],
        })
        out.append(row)
        print(row)
    with open(os.path.join(OUT, "params.json"), "w") as fh:
        json.dump({"source": "environment/reference/make_fastgan_fixtures.py", "configs": out}, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
