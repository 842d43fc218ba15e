#!/usr/bin/python3
"""Parameter counts and layer output shapes of reference GAN architectures, built in PyTorch.

Run with Debian's interpreter (python3-torch):

    /usr/bin/python3 environment/reference/make_model_fixtures.py lib/src/test/resources/models

GAN Lab's model summary (`ganlab summary`, dev.ganlab.models.ModelSummary) and its models are
checked against these numbers. Each architecture is written here from its source's description, not
from GAN Lab's Java code:

* gan: the fully connected GAN of PyTorch-GAN implementations/gan/gan.py (G: latent 100 -> 128 ->
  256 -> 512 -> 1024 -> C*H*W with BatchNorm1d(out, eps 0.8) on all hidden layers but the first; D:
  C*H*W -> 512 -> 256 -> 1), and D with torch.nn.utils.spectral_norm on every Linear.
* gan_..._goodfellow2014: the networks of Goodfellow et al. 2014's mnist.yaml (goodfeli/adversarial):
  G 100 -> ReLU 1200 -> ReLU 1200 -> 784; D two maxout layers of 240 units x 5 pieces (pylearn2's
  Maxout: a Linear to 1200 values, max over each unit's 5 consecutive values), then 1; dropout has no
  values and changes no shape.
* dcgan: PyTorch-GAN implementations/dcgan/dcgan.py as laid out today (BN on D blocks 2-4), with its
  transposed-free generator (Upsample + Conv 3x3); D's last Linear takes the real flattened size
  found by a forward pass (at 28 px that is 128*2*2, where dcgan.py's img_size // 16 would say 128*1*1).
* progan: G_paper / D_paper of tkarras/progressive_growing_of_gans (networks.py): nf(stage) =
  min(8192 / 2^stage, 512), latent 512, dense 4x4 layer with a per-channel bias after the reshape,
  toRGB / fromRGB 1x1 convs at every resolution, minibatch stddev adding one channel, D's dense layers
  nf(0) then 1; all with bias. Equalized learning rate does not change the counts.
* sndcgan (recorded, not yet tested): the "standard CNN" of Miyato et al. 2018, table 3 (a), for 32 px,
  as the authors' chainer code builds it: G's batch norm after the dense layer normalises all
  4*4*512 values (BatchNormalization(bottom_width * bottom_width * ch)), D spectrally normalised.

Trainable values are parameters with requires_grad; non-trainable values are batch-norm running
mean/var and spectral-norm u, v buffers (num_batches_tracked is PyTorch bookkeeping, left out).
For gan and dcgan, 'layers' lists each module that holds values, in registration order, with its
output shape (batch axis dropped) from a forward hook and its trainable count.
"""
import json
import os
import sys

import torch
import torch.nn as nn

OUT = sys.argv[1] if len(sys.argv) > 1 else "lib/src/test/resources/models"
os.makedirs(OUT, exist_ok=True)


def counts(module):
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    state = sum(b.numel() for name, b in module.named_buffers() if not name.endswith("num_batches_tracked"))
    return trainable, state


def layers(module, example):
    """Modules with values, in registration order, with output shapes of one forward pass."""
    shapes = {}
    hooks = []
    for name, m in module.named_modules():
        own = list(m.parameters(recurse=False)) + list(m.buffers(recurse=False))
        if own:
            hooks.append(m.register_forward_hook(
                lambda mod, inp, out, name=name: shapes.__setitem__(name, list(out.shape[1:]))))
    module.eval()
    with torch.no_grad():
        module(example)
    for h in hooks:
        h.remove()
    out = []
    for name, m in module.named_modules():
        if name in shapes:
            out.append({"name": name, "type": type(m).__name__, "output": shapes[name],
                        "parameters": sum(p.numel() for p in m.parameters(recurse=False) if p.requires_grad)})
    return out


def describe(g, d, latent, c, r, with_layers):
    z = torch.zeros(2, latent)
    x = torch.zeros(2, c, r, r)
    gt, gs = counts(g)
    dt, ds = counts(d)
    entry = {"generator": {"parameters": gt, "nonTrainable": gs},
             "discriminator": {"parameters": dt, "nonTrainable": ds}}
    if with_layers:
        entry["generator"]["layers"] = layers(g, z)
        entry["discriminator"]["layers"] = layers(d, x)
    return entry


class View(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)


# ---------------------------------------------------------------- gan (PyTorch-GAN gan.py)
def mlp_gan(c, r, spectral=False):
    pixels = c * r * r
    g_layers = []
    width_in = 100
    for i, w in enumerate([128, 256, 512, 1024]):
        g_layers.append(nn.Linear(width_in, w))
        if i > 0:
            g_layers.append(nn.BatchNorm1d(w, 0.8))
        g_layers.append(nn.LeakyReLU(0.2))
        width_in = w
    g_layers += [nn.Linear(1024, pixels), nn.Tanh(), View(c, r, r)]
    sn = nn.utils.spectral_norm if spectral else (lambda m: m)
    d = nn.Sequential(nn.Flatten(), sn(nn.Linear(pixels, 512)), nn.LeakyReLU(0.2),
                      sn(nn.Linear(512, 256)), nn.LeakyReLU(0.2), sn(nn.Linear(256, 1)))
    return nn.Sequential(*g_layers), d


class Maxout(nn.Module):
    def __init__(self, units, pieces):
        super().__init__()
        self.units, self.pieces = units, pieces

    def forward(self, x):
        return x.reshape(x.shape[0], self.units, self.pieces).max(dim=2).values


def goodfellow2014(c, r):
    pixels = c * r * r
    g = nn.Sequential(nn.Linear(100, 1200), nn.ReLU(), nn.Linear(1200, 1200), nn.ReLU(),
                      nn.Linear(1200, pixels), nn.Tanh(), View(c, r, r))
    d = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(pixels, 240 * 5), Maxout(240, 5),
                      nn.Dropout(0.5), nn.Linear(240, 240 * 5), Maxout(240, 5), nn.Dropout(0.5), nn.Linear(240, 1))
    return g, d


# ---------------------------------------------------------------- dcgan (PyTorch-GAN dcgan.py)
def dcgan(c, r):
    s = r // 4
    g = nn.Sequential(
        nn.Linear(100, 128 * s * s), View(128, s, s), nn.BatchNorm2d(128),
        nn.Upsample(scale_factor=2), nn.Conv2d(128, 128, 3, 1, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Upsample(scale_factor=2), nn.Conv2d(128, 64, 3, 1, 1), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
        nn.Conv2d(64, c, 3, 1, 1), nn.Tanh())
    blocks = []
    cin = c
    for i, cout in enumerate([16, 32, 64, 128]):
        blocks += [nn.Conv2d(cin, cout, 3, 2, 1), nn.LeakyReLU(0.2), nn.Dropout2d(0.25)]
        if i > 0:
            blocks.append(nn.BatchNorm2d(cout))
        cin = cout
    features = nn.Sequential(*blocks, nn.Flatten())
    with torch.no_grad():
        flat = features.eval()(torch.zeros(1, c, r, r)).shape[1]
    d = nn.Sequential(features, nn.Linear(flat, 1))
    return g, d


# ---------------------------------------------------------------- progan (official networks.py)
def nf(stage):
    return min(int(8192 / (2.0 ** stage)), 512)


class ChannelBias(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(n))


def progan(c, target):
    """Parameter-holding layers only (counts, not a runnable network)."""
    res_log = target.bit_length() - 1
    latent = nf(0)
    g = nn.ModuleList([nn.Linear(latent, nf(1) * 16, bias=False), ChannelBias(nf(1)),
                       nn.Conv2d(nf(1), nf(1), 3, padding=1), nn.Conv2d(nf(1), c, 1)])
    for res in range(3, res_log + 1):
        g.extend([nn.Conv2d(nf(res - 2), nf(res - 1), 3, padding=1), nn.Conv2d(nf(res - 1), nf(res - 1), 3, padding=1),
                  nn.Conv2d(nf(res - 1), c, 1)])
    d = nn.ModuleList()
    for res in range(res_log, 2, -1):
        d.extend([nn.Conv2d(c, nf(res - 1), 1), nn.Conv2d(nf(res - 1), nf(res - 1), 3, padding=1),
                  nn.Conv2d(nf(res - 1), nf(res - 2), 3, padding=1)])
    d.extend([nn.Conv2d(c, nf(1), 1), nn.Conv2d(nf(1) + 1, nf(1), 3, padding=1), nn.Linear(nf(1) * 16, nf(0)),
              nn.Linear(nf(0), 1)])
    return g, d


# ---------------------------------------------------------------- sndcgan (Miyato et al. 2018, table 3)
def sndcgan(c=3, r=32):
    m = r // 8
    g = nn.Sequential(nn.Linear(128, m * m * 512), nn.BatchNorm1d(m * m * 512), View(512, m, m), nn.ReLU(),
                      nn.ConvTranspose2d(512, 256, 4, 2, 1), nn.BatchNorm2d(256), nn.ReLU(),
                      nn.ConvTranspose2d(256, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.ReLU(),
                      nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
                      nn.Conv2d(64, c, 3, 1, 1), nn.Tanh())
    sn = nn.utils.spectral_norm
    convs = [(c, 64, 3, 1), (64, 64, 4, 2), (64, 128, 3, 1), (128, 128, 4, 2), (128, 256, 3, 1),
             (256, 256, 4, 2), (256, 512, 3, 1)]
    d = nn.Sequential(*[sn(nn.Conv2d(i, o, k, s, 1)) for i, o, k, s in convs], nn.Flatten(),
                      sn(nn.Linear(m * m * 512, 1)))
    return g, d


def main():
    torch.manual_seed(0)
    ref = {}
    for c, r in [(1, 28), (3, 32)]:
        g, d = mlp_gan(c, r)
        ref[f"gan_{c}x{r}"] = describe(g, d, 100, c, r, True)
    g, d = goodfellow2014(1, 28)
    ref["gan_1x28_goodfellow2014"] = describe(g, d, 100, 1, 28, True)
    g, d = mlp_gan(1, 28, spectral=True)
    ref["gan_1x28_spectral"] = describe(g, d, 100, 1, 28, False)
    for c, r in [(1, 28), (3, 32)]:
        g, d = dcgan(c, r)
        ref[f"dcgan_{c}x{r}"] = describe(g, d, 100, c, r, True)
    for c, r in [(3, 32), (3, 1024)]:
        g, d = progan(c, r)
        gt, _ = counts(g)
        dt, _ = counts(d)
        ref[f"progan_{c}x{r}"] = {"generator": {"parameters": gt, "nonTrainable": 0},
                                  "discriminator": {"parameters": dt, "nonTrainable": 0}}
    g, d = sndcgan(3, 32)
    ref["sndcgan_3x32_chainer"] = describe(g, d, 128, 3, 32, False)
    path = os.path.join(OUT, "summary_reference.json")
    with open(path, "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    for k, v in ref.items():
        print(k, v["generator"]["parameters"], v["discriminator"]["parameters"])


if __name__ == "__main__":
    main()
