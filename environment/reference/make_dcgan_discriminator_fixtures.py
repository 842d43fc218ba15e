#!/usr/bin/python3
"""Reference values for GAN Lab's DCGAN paper discriminator, built in PyTorch.

Run with Debian's interpreter (python3-torch):

    /usr/bin/python3 environment/reference/make_dcgan_discriminator_fixtures.py lib/src/test/resources

Written from the official code's description (Radford et al. 2016, Newmu/dcgan_code,
faces/train_uncond_dcgan.py, function discrim), not from GAN Lab's Java code. What it writes:

* models/dcgan_paper_d_reference.json, keyed "<norm>_<channels>x<resolution>": trainable and
  non-trainable value counts and the output shape (C, H, W) of each convolution, then the number of
  flattened features, of the discriminator
    [conv 5x5, stride 2, padding 2, no bias -> norm (not after the first conv) -> LeakyReLU 0.2]
    per halving, widths 128, 256, 512, ... (the code's ndf = 128 doubling), then a dense layer
    without bias to 1 logit.
  The number of halvings mirrors the DCGAN generator: the resolution is halved while the result stays
  even and >= 4 (64 -> 4 convs to 4x4, 32 -> 3 convs to 4x4, 28 -> 2 convs to 7x7, as the official
  MNIST model's two 5x5 stride-2 convolutions).
  Normalisers (Kurach et al. 2019's axis): none; batch (BatchNorm2d: scale and shift trainable,
  running mean and variance not); layer (statistics over (C, H, W) per example, a scale and shift per
  channel: GroupNorm with one group); spectral (torch.nn.utils.spectral_norm on every conv and the
  dense layer: weight_u and weight_v buffers, not trained; no norm layer).
  Also "pytorchgan_<norm>_3x32": PyTorch-GAN's dcgan.py discriminator (four conv 3x3 s2 p1 blocks of
  16, 32, 64, 128 channels with bias, the norm on blocks 2-4, a linear layer with bias to 1), so the
  normaliser axis of the old layout is checked against the same code.
"""
import json
import os
import sys

import torch
import torch.nn as nn

OUT = sys.argv[1] if len(sys.argv) > 1 else "lib/src/test/resources"


def start_size(s):
    s0 = s
    while s0 % 2 == 0 and s0 // 2 >= 4:
        s0 //= 2
    return s0


def norm_layer(kind, c):
    if kind == "batch":
        return nn.BatchNorm2d(c)
    if kind == "layer":
        return nn.GroupNorm(1, c)
    return None


def wrap(layer, kind):
    return nn.utils.spectral_norm(layer) if kind == "spectral" else layer


def paper_d(kind, c, s):
    """(convs, per-conv modules incl. norm, head) of the paper discriminator."""
    n = (s // start_size(s)).bit_length() - 1
    blocks, cin = [], c
    for i in range(n):
        cout = 128 * 2 ** i
        block = [wrap(nn.Conv2d(cin, cout, 5, 2, 2, bias=False), kind)]
        if i > 0 and norm_layer(kind, cout) is not None:
            block.append(norm_layer(kind, cout))
        block.append(nn.LeakyReLU(0.2))
        blocks.append(nn.Sequential(*block))
        cin = cout
    features = nn.Sequential(*blocks)
    flat = features(torch.zeros(2, c, s, s)).flatten(1).shape[1]
    return blocks, wrap(nn.Linear(flat, 1, bias=False), kind)


def pytorchgan_d(kind, c, s):
    blocks, cin = [], c
    for i, cout in enumerate([16, 32, 64, 128]):
        block = [wrap(nn.Conv2d(cin, cout, 3, 2, 1), kind), nn.LeakyReLU(0.2), nn.Dropout2d(0.25)]
        if i > 0 and norm_layer(kind, cout) is not None:
            block.append(norm_layer(kind, cout))
        blocks.append(nn.Sequential(*block))
        cin = cout
    flat = nn.Sequential(*blocks)(torch.zeros(2, c, s, s)).flatten(1).shape[1]
    return blocks, wrap(nn.Linear(flat, 1), kind)


def describe(blocks, head, c, s):
    modules = nn.ModuleList(blocks + [head])
    trainable = sum(p.numel() for p in modules.parameters() if p.requires_grad)
    # running statistics and spectral-norm vectors (num_batches_tracked is an integer counter: left out)
    fixed = sum(b.numel() for name, b in modules.named_buffers() if not name.endswith("num_batches_tracked"))
    x, shapes = torch.zeros(2, c, s, s), []
    for b in blocks:
        b.eval()
        x = b(x)
        shapes.append(list(x.shape[1:]))
    return {"trainable": trainable, "non_trainable": fixed, "conv_shapes": shapes, "features": x.flatten(1).shape[1]}


reference = {}
for kind in ["none", "batch", "layer", "spectral"]:
    for c, s in [(1, 28), (3, 32), (3, 64), (1, 32)]:
        reference["%s_%dx%d" % (kind, c, s)] = describe(*paper_d(kind, c, s), c, s)
    reference["pytorchgan_%s_3x32" % kind] = describe(*pytorchgan_d(kind, 3, 32), 3, 32)

os.makedirs(os.path.join(OUT, "models"), exist_ok=True)
with open(os.path.join(OUT, "models", "dcgan_paper_d_reference.json"), "w") as f:
    json.dump(reference, f, indent=1, sort_keys=True)
    f.write("\n")
print(json.dumps(reference, sort_keys=True))
