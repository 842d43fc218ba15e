#!/usr/bin/python3
"""Reference values for GAN Lab's ResNet19 and virtual batch normalisation, built in PyTorch/numpy.

Run with Debian's interpreter (python3-torch):

    /usr/bin/python3 environment/reference/make_resnet19_fixtures.py lib/src/test/resources

Written from the sources' descriptions, not from GAN Lab's Java code. What it writes:

* models/resnet19_reference.json: trainable and non-trainable value counts and per-block output shapes
  of ResNet19 (Kurach et al. 2019; compare_gan's resnet5_arch: architectures/resnet5.py and
  resnet_ops.py) for 128 px RGB with every discriminator normaliser of the study (none, batch, layer,
  spectral), for 32 px grey (G: 3 up-sampling blocks of 5; D: the last pooling sees 1x1 and keeps it,
  as TensorFlow's 'SAME' average pool), and for ch = 4. The generator: dense z -> 4x4x8ch, blocks
  (8,8), (8,4), (4,4), (4,2), (2,1) x ch, each: shortcut unpool+conv3x3, residual BN-ReLU-unpool+conv3x3
  -BN-ReLU-conv3x3; then BN, ReLU, conv3x3 to the colours. unpool is compare_gan's: each value in the
  top-left corner of a 2x2 block of zeros. The discriminator: blocks (C,1), (1,2), (2,4), (4,4), (4,8),
  (8,8) x ch, each: shortcut conv3x3 + 2x2 average pool, residual norm-ReLU-conv3x3-norm-ReLU-conv3x3
  + pool; then ReLU, mean over positions, dense -> 1. Layer norm is tf.contrib.layers.layer_norm on
  NHWC: statistics over (H, W, C) per example, scale and shift per channel. Spectral norm is
  torch.nn.utils.spectral_norm on every conv and the dense layer (buffers u, v: non-trainable).
  Non-trainable values: batch-norm running mean/var, spectral-norm u and v (num_batches_tracked left out).
* models/resnet19_reference.json["unpool_conv_vs_conv_transpose"]: the largest difference between
  compare_gan's unpool + 3x3 'SAME' conv and conv_transpose2d(stride 2, padding 1, output padding 1)
  with the kernel flipped and in/out swapped, on random data: the identity GAN Lab's up-blocks rely on.
* nn/vbn.json: virtual batch normalisation (Salimans et al. 2016; openai/improved-gan imagenet/model.py
  class VBN) of a (N + R, C, H, W) and a (N + R, F) input whose last R rows are the reference batch:
  reference rows normalised by the reference's own per-channel mean and mean of squares; each other
  example by a = 1/(R+1) of its own per-channel mean / mean of squares over positions plus (1 - a) of
  the reference's; y = gamma (x - m) / sqrt(eps + q - m^2) + beta, eps 1e-5. Values in float64 with
  numpy, and the gradient of sum(y * w) for a fixed random w with respect to x, gamma and beta from
  torch autograd on the same formula (float64).
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = sys.argv[1] if len(sys.argv) > 1 else "lib/src/test/resources"
os.makedirs(os.path.join(OUT, "models"), exist_ok=True)
os.makedirs(os.path.join(OUT, "nn"), exist_ok=True)
torch.manual_seed(0)


# ---------------------------------------------------------------- ResNet19
def unpool(x):
    """compare_gan's unpool: value at (2i, 2j), zeros elsewhere."""
    n, c, h, w = x.shape
    out = x.new_zeros(n, c, 2 * h, 2 * w)
    out[:, :, ::2, ::2] = x
    return out


class Unpool(nn.Module):
    def forward(self, x):
        return unpool(x)


class SamePool(nn.Module):
    """tf.nn.pool AVG 'SAME' 2x2 stride 2 on power-of-two maps: plain pooling, 1x1 stays."""
    def forward(self, x):
        return x if x.shape[2] < 2 else F.avg_pool2d(x, 2)


class TfLayerNorm(nn.Module):
    """tf.contrib.layers.layer_norm of NHWC: moments over all but the batch, params on channels."""
    def __init__(self, c):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(c))
        self.beta = nn.Parameter(torch.zeros(c))

    def forward(self, x):
        m = x.mean(dim=(1, 2, 3), keepdim=True)
        v = ((x - m) ** 2).mean(dim=(1, 2, 3), keepdim=True)
        return (x - m) / torch.sqrt(v + 1e-12) * self.gamma[None, :, None, None] + self.beta[None, :, None, None]


def conv(i, o, sn):
    c = nn.Conv2d(i, o, 3, padding=1)
    return nn.utils.spectral_norm(c) if sn else c


def norm(kind, c):
    if kind == "batch":
        return [nn.BatchNorm2d(c)]
    if kind == "layer":
        return [TfLayerNorm(c)]
    return []


class Block(nn.Module):
    def __init__(self, residual, shortcut):
        super().__init__()
        self.residual = nn.Sequential(*residual)
        self.shortcut = nn.Sequential(*shortcut)

    def forward(self, x):
        return self.residual(x) + self.shortcut(x)


def generator(ch, colours, size, z_dim=128):
    up_layers = int(np.log2(size // 4))
    mult = [8, 8, 4, 4, 2, 1]
    layers = [nn.Linear(z_dim, ch * 8 * 16), nn.Unflatten(1, (ch * 8, 4, 4))]
    for b in range(5):
        i, o = ch * mult[b], ch * mult[b + 1]
        up = [Unpool()] if b < up_layers else []
        layers.append(Block([nn.BatchNorm2d(i), nn.ReLU()] + up + [conv(i, o, False), nn.BatchNorm2d(o), nn.ReLU(),
                             conv(o, o, False)], up + [conv(i, o, False)]))
    layers += [nn.BatchNorm2d(ch), nn.ReLU(), conv(ch, colours, False), nn.Sigmoid()]
    return nn.Sequential(*layers)


def discriminator(ch, colours, kind):
    sn = kind == "spectral"
    mult = [1, 2, 4, 4, 8, 8]
    chans = [colours] + [ch * m for m in mult]
    layers = []
    for b in range(6):
        i, o = chans[b], chans[b + 1]
        layers.append(Block(norm(kind, i) + [nn.ReLU(), conv(i, o, sn)] + norm(kind, o) + [nn.ReLU(), conv(o, o, sn),
                                                                                         SamePool()],
                            [conv(i, o, sn), SamePool()]))
    head = nn.Linear(ch * 8, 1)
    return nn.Sequential(*layers), (nn.utils.spectral_norm(head) if sn else head)


def counts(*modules):
    trainable = sum(p.numel() for m in modules for p in m.parameters() if p.requires_grad)
    state = sum(b.numel() for m in modules for name, b in m.named_buffers()
                if not name.endswith("num_batches_tracked"))
    return trainable, state


def block_shapes(seq, x):
    shapes = []
    for m in seq:
        x = m(x)
        if isinstance(m, Block):
            shapes.append(list(x.shape[1:]))
    return shapes, x


def resnet19(ch, colours, size):
    g = generator(ch, colours, size).eval()
    with torch.no_grad():
        g_shapes, img = block_shapes(g, torch.rand(2, 128) * 2 - 1)
    entry = {"generator": counts(g)[0], "generator_state": counts(g)[1], "generator_blocks": g_shapes,
             "image": list(img.shape[1:]), "discriminator": {}, "discriminator_state": {}}
    for kind in ["none", "batch", "layer", "spectral"]:
        feats, head = discriminator(ch, colours, kind)
        feats.eval()
        head.eval()
        with torch.no_grad():
            d_shapes, f = block_shapes(feats, torch.rand(2, colours, size, size))
        entry["discriminator"][kind] = counts(feats, head)[0]
        entry["discriminator_state"][kind] = counts(feats, head)[1]
        entry["discriminator_blocks"] = d_shapes
    return entry


def unpool_identity():
    x = torch.randn(2, 5, 6, 7, dtype=torch.float64)
    w = torch.randn(4, 5, 3, 3, dtype=torch.float64)               # conv weight (out, in, 3, 3)
    b = torch.randn(4, dtype=torch.float64)
    a = F.conv2d(unpool(x), w, b, padding=1)
    t = F.conv_transpose2d(x, w.flip(2, 3).transpose(0, 1), b, stride=2, padding=1, output_padding=1)
    return float((a - t).abs().max())


reference = {
    "rgb128": resnet19(64, 3, 128),
    "grey32": resnet19(64, 1, 32),
    "rgb32_ch4": resnet19(4, 3, 32),
    "unpool_conv_vs_conv_transpose": unpool_identity(),
}
assert reference["unpool_conv_vs_conv_transpose"] < 1e-12
with open(os.path.join(OUT, "models", "resnet19_reference.json"), "w") as f:
    json.dump(reference, f, indent=1)
    f.write("\n")


# ---------------------------------------------------------------- virtual batch norm
def vbn_numpy(x, r, gamma, beta, eps=1e-5):
    """x: (N + R, C, H, W) float64, reference = the last r rows."""
    live, ref = x[:-r], x[-r:]
    ref_mean = ref.mean(axis=(0, 2, 3), keepdims=True)
    ref_sq = (ref ** 2).mean(axis=(0, 2, 3), keepdims=True)
    a = 1.0 / (r + 1.0)
    m = a * live.mean(axis=(2, 3), keepdims=True) + (1 - a) * ref_mean
    q = a * (live ** 2).mean(axis=(2, 3), keepdims=True) + (1 - a) * ref_sq
    g, b = gamma[None, :, None, None], beta[None, :, None, None]
    y_live = (live - m) / np.sqrt(eps + q - m ** 2) * g + b
    y_ref = (ref - ref_mean) / np.sqrt(eps + ref_sq - ref_mean ** 2) * g + b
    return np.concatenate([y_live, y_ref], axis=0)


def vbn_torch(x, r, gamma, beta, eps=1e-5):
    live, ref = x[:-r], x[-r:]
    ref_mean = ref.mean(dim=(0, 2, 3), keepdim=True)
    ref_sq = (ref ** 2).mean(dim=(0, 2, 3), keepdim=True)
    a = 1.0 / (r + 1.0)
    m = a * live.mean(dim=(2, 3), keepdim=True) + (1 - a) * ref_mean
    q = a * (live ** 2).mean(dim=(2, 3), keepdim=True) + (1 - a) * ref_sq
    g, b = gamma[None, :, None, None], beta[None, :, None, None]
    return torch.cat([(live - m) / torch.sqrt(eps + q - m ** 2) * g + b,
                      (ref - ref_mean) / torch.sqrt(eps + ref_sq - ref_mean ** 2) * g + b], dim=0)


def vbn_case(rng, n, r, c, h, w, flat):
    x = rng.normal(0.5, 2.0, size=(n + r, c, h, w))
    gamma = rng.normal(1.0, 0.3, size=c)
    beta = rng.normal(0.0, 0.3, size=c)
    wt = rng.normal(size=(n + r, c, h, w))
    y = vbn_numpy(x, r, gamma, beta)
    xt = torch.tensor(x, requires_grad=True)
    gt = torch.tensor(gamma, requires_grad=True)
    bt = torch.tensor(beta, requires_grad=True)
    yt = vbn_torch(xt, r, gt, bt)
    assert np.abs(yt.detach().numpy() - y).max() < 1e-10
    (yt * torch.tensor(wt)).sum().backward()
    shape = [n + r, c] if flat else [n + r, c, h, w]
    return {"shape": shape, "reference": r, "x": x.ravel().tolist(), "gamma": gamma.tolist(), "beta": beta.tolist(),
            "w": wt.ravel().tolist(), "y": y.ravel().tolist(), "dx": xt.grad.numpy().ravel().tolist(),
            "dgamma": gt.grad.numpy().tolist(), "dbeta": bt.grad.numpy().tolist()}


rng = np.random.default_rng(12)
vbn = {"conv": vbn_case(rng, 3, 4, 2, 3, 3, False), "dense": vbn_case(rng, 2, 5, 6, 1, 1, True)}
with open(os.path.join(OUT, "nn", "vbn.json"), "w") as f:
    json.dump(vbn, f)
    f.write("\n")
print("wrote", os.path.join(OUT, "models", "resnet19_reference.json"), "and", os.path.join(OUT, "nn", "vbn.json"))
