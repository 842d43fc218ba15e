#!/usr/bin/python3
"""Reference values for GAN Lab's transposed convolution and DCGAN-family tests, computed with PyTorch.

Run with Debian's interpreter (python3-torch):

    /usr/bin/python3 environment/reference/make_conv_transpose_fixtures.py lib/src/test/resources

Everything is drawn from torch's generator with a fixed seed, so a rerun rewrites identical files
(same torch build). What it writes:

* nn/conv_transpose.json: cases of torch.nn.functional.conv_transpose2d (stride, padding, output
  padding, kernel, with and without bias, batch 1 and 2, non-square inputs). Each case holds the input
  x (N, C_in, H, W), weight w (C_in, C_out, k, k), bias b (or null), an upstream gradient g shaped like
  the output, and the results: y, and the gradients of sum(y * g) with respect to x, w and b.
  Arrays are flat lists in row-major order next to their shapes.
* nn/conv_transpose_spectral.json: ConvTranspose2d wrapped in torch.nn.utils.spectral_norm (which
  uses dim=1, the output channels, for transposed convolutions) with a given start vector u: one
  training-mode forward (one power-iteration step), its output, the updated u, and the gradients of
  sum(y * g) with respect to x, the unnormalised weight (weight_orig) and the bias.
* models/dcgan_param_counts.json: trainable parameter counts of the reference networks, built here in
  torch layer by layer from their sources (read, not copied):
  - "sndcgan": compare_gan's SNDCGAN (compare_gan/architectures/sndcgan.py; arch_ops.py): G = dense
    z(128) -> (s/8)^2*512 with bias, batch norm over those features (before the reshape), ReLU, three
    4x4 stride-2 deconvolutions 512->256->128->64 with bias, each with batch norm and ReLU, a 3x3
    stride-1 deconvolution to the image channels with bias (same parameters as a 3x3 conv), tanh;
    D = convs 3x3/64, 4x4 s2/128, 3x3/128, 4x4 s2/256, 3x3/256, 4x4 s2/512, 3x3/512 ('SAME'
    padding, i.e. 1), all with bias and spectral norm, LeakyReLU 0.1, a linear layer to 1 with bias.
    Spectral norm's u is a buffer, not a trained parameter.
  - "dcgan_paper": the DCGAN generator of Radford et al.'s official code (Newmu/dcgan_code,
    faces/train_uncond_dcgan.py): dense z(100) -> s0^2 * C0 without bias, batch norm over those
    features, ReLU, reshape, then 5x5 stride-2 deconvolutions ('same' padding 2, output twice the
    input: output_padding 1) without bias, batch norm and ReLU on all but the last, tanh. Widths
    halve per layer down to 128 in the last hidden layer (1024, 512, 256, 128 at 64 px, as the code);
    s0 = the resolution halved while the result stays even and >= 4 (4 for 32 and 64 px, 7 for 28 px,
    as the official MNIST model's 7x7 start).
  - "dcgan_pytorchgan": eriklindernoren/PyTorch-GAN's dcgan.py generator (dense z(100) -> 128 (s/4)^2
    with bias, BatchNorm2d(128), [upsample, conv 3x3, BN, LeakyReLU 0.2] with 128 then 64 channels,
    conv 3x3 to the image, tanh) and discriminator (four conv 3x3 s2 p1 blocks of 16, 32, 64, 128
    channels, BN on all but the first, a linear layer to 1 on the flattened map, its size taken from
    a forward pass).
  Keys are "<net>_<G|D>_<channels>x<resolution>".
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = sys.argv[1] if len(sys.argv) > 1 else "lib/src/test/resources"
torch.manual_seed(20261130)


def flat(t):
    return None if t is None else [float(v) for v in t.detach().reshape(-1).tolist()]


def conv_transpose_case(name, n, cin, cout, h, w, k, stride, padding, output_padding, bias):
    x = torch.randn(n, cin, h, w, dtype=torch.float64, requires_grad=True)
    wt = torch.randn(cin, cout, k, k, dtype=torch.float64, requires_grad=True)
    b = torch.randn(cout, dtype=torch.float64, requires_grad=True) if bias else None
    y = F.conv_transpose2d(x, wt, b, stride=stride, padding=padding, output_padding=output_padding)
    g = torch.randn_like(y)
    (y * g).sum().backward()
    return {
        "name": name, "stride": stride, "padding": padding, "outputPadding": output_padding, "kernel": k,
        "xShape": list(x.shape), "wShape": list(wt.shape), "yShape": list(y.shape),
        "x": flat(x), "w": flat(wt), "b": flat(b), "g": flat(g), "y": flat(y),
        "dx": flat(x.grad), "dw": flat(wt.grad), "db": None if b is None else flat(b.grad),
    }


cases = [
    conv_transpose_case("k4 s2 p1, batch 2, non-square, bias", 2, 3, 5, 4, 6, 4, 2, 1, 0, True),
    conv_transpose_case("k4 s2 p1, batch 1, no bias", 1, 2, 3, 3, 5, 4, 2, 1, 0, False),
    conv_transpose_case("k5 s2 p2 op1 (DCGAN official), bias", 2, 3, 2, 4, 3, 5, 2, 2, 1, True),
    conv_transpose_case("k5 s3 p1 op2, non-square", 2, 2, 3, 3, 4, 5, 3, 1, 2, True),
    conv_transpose_case("k3 s1 p1 (stride 1)", 2, 3, 2, 5, 4, 3, 1, 1, 0, True),
    conv_transpose_case("k3 s2 p0, odd output", 1, 2, 2, 3, 3, 3, 2, 0, 0, True),
    conv_transpose_case("k4 s2 p0 op1, padding below the grid", 1, 2, 2, 2, 3, 4, 2, 0, 1, False),
]
os.makedirs(os.path.join(OUT, "nn"), exist_ok=True)
with open(os.path.join(OUT, "nn", "conv_transpose.json"), "w") as f:
    json.dump({"cases": cases}, f)

# ---------------------------------------------------------------- spectral norm on a transposed conv
layer = nn.ConvTranspose2d(3, 4, 4, stride=2, padding=1).double()
layer = torch.nn.utils.spectral_norm(layer)   # dim=1 for ConvTranspose2d: C_out rows
with torch.no_grad():
    layer.weight_orig.copy_(torch.randn_like(layer.weight_orig))
    layer.bias.copy_(torch.randn_like(layer.bias))
    u0 = torch.randn(4, dtype=torch.float64)
    u0 = u0 / u0.norm()
    layer.weight_u.copy_(u0)
w_orig = layer.weight_orig.detach().clone()
layer.train()
x = torch.randn(2, 3, 3, 5, dtype=torch.float64, requires_grad=True)
y = layer(x)
g = torch.randn_like(y)
(y * g).sum().backward()
wm = w_orig.transpose(0, 1).reshape(4, -1)
spectral = {
    "xShape": list(x.shape), "wShape": list(w_orig.shape), "yShape": list(y.shape),
    "x": flat(x), "w": flat(w_orig), "b": flat(layer.bias), "u0": flat(u0), "g": flat(g),
    "y": flat(y), "u": flat(layer.weight_u), "sigma": float(torch.dot(layer.weight_u, wm @ layer.weight_v)),
    "sigmaExact": float(torch.linalg.svdvals(wm)[0]),
    "sigmaExactInChannelRows": float(torch.linalg.svdvals(w_orig.reshape(3, -1))[0]),
    "dx": flat(x.grad), "dw": flat(layer.weight_orig.grad), "db": flat(layer.bias.grad),
}
with open(os.path.join(OUT, "nn", "conv_transpose_spectral.json"), "w") as f:
    json.dump(spectral, f)


# ---------------------------------------------------------------- parameter counts
def trainable(*nets):
    return sum(p.numel() for net in nets for p in net.parameters() if p.requires_grad)


def sndcgan_g(c, s):
    s8 = s // 8
    return [nn.Linear(128, s8 * s8 * 512), nn.BatchNorm1d(s8 * s8 * 512),
            nn.ConvTranspose2d(512, 256, 4, 2, 1), nn.BatchNorm2d(256),
            nn.ConvTranspose2d(256, 128, 4, 2, 1), nn.BatchNorm2d(128),
            nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64),
            nn.Conv2d(64, c, 3, 1, 1)]


def sndcgan_d(c, s):
    sn = torch.nn.utils.spectral_norm
    widths = [(c, 64, 3, 1), (64, 128, 4, 2), (128, 128, 3, 1), (128, 256, 4, 2), (256, 256, 3, 1),
              (256, 512, 4, 2), (512, 512, 3, 1)]
    layers = [sn(nn.Conv2d(i, o, k, st, 1)) for i, o, k, st in widths]
    return layers + [sn(nn.Linear(512 * (s // 8) ** 2, 1))]


def dcgan_paper_start(s):
    s0 = s
    while s0 % 2 == 0 and s0 // 2 >= 4:
        s0 //= 2
    return s0


def dcgan_paper_g(c, s):
    s0 = dcgan_paper_start(s)
    n = (s // s0).bit_length() - 1          # number of stride-2 layers
    widths = [128 * 2 ** (n - 1 - i) for i in range(n)]   # ..., 256, 128
    layers = [nn.Linear(100, widths[0] * s0 * s0, bias=False), nn.BatchNorm1d(widths[0] * s0 * s0)]
    for i in range(n - 1):
        layers += [nn.ConvTranspose2d(widths[i], widths[i + 1], 5, 2, 2, output_padding=1, bias=False),
                   nn.BatchNorm2d(widths[i + 1])]
    layers.append(nn.ConvTranspose2d(widths[-1], c, 5, 2, 2, output_padding=1, bias=False))
    return layers


def pytorchgan_g(c, s):
    s4 = s // 4
    return [nn.Linear(100, 128 * s4 * s4), nn.BatchNorm2d(128), nn.Conv2d(128, 128, 3, 1, 1), nn.BatchNorm2d(128),
            nn.Conv2d(128, 64, 3, 1, 1), nn.BatchNorm2d(64), nn.Conv2d(64, c, 3, 1, 1)]


def pytorchgan_d(c, s):
    convs = nn.Sequential(nn.Conv2d(c, 16, 3, 2, 1), nn.Conv2d(16, 32, 3, 2, 1), nn.Conv2d(32, 64, 3, 2, 1),
                          nn.Conv2d(64, 128, 3, 2, 1))
    features = convs(torch.zeros(1, c, s, s)).numel()
    return [convs, nn.BatchNorm2d(32), nn.BatchNorm2d(64), nn.BatchNorm2d(128), nn.Linear(features, 1)]


counts = {}
for c, s in [(3, 32), (3, 64), (1, 32)]:
    counts["sndcgan_G_%dx%d" % (c, s)] = trainable(*sndcgan_g(c, s))
    counts["sndcgan_D_%dx%d" % (c, s)] = trainable(*sndcgan_d(c, s))
for c, s in [(3, 32), (3, 64), (1, 28)]:
    counts["dcgan_paper_G_%dx%d" % (c, s)] = trainable(*dcgan_paper_g(c, s))
    counts["dcgan_pytorchgan_G_%dx%d" % (c, s)] = trainable(*pytorchgan_g(c, s))
    counts["dcgan_pytorchgan_D_%dx%d" % (c, s)] = trainable(*pytorchgan_d(c, s))
os.makedirs(os.path.join(OUT, "models"), exist_ok=True)
with open(os.path.join(OUT, "models", "dcgan_param_counts.json"), "w") as f:
    json.dump(counts, f, indent=1, sort_keys=True)
print(json.dumps(counts, indent=1, sort_keys=True))
