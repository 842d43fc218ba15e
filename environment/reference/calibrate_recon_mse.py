#!/usr/bin/env python3
"""Calibrates FastGAN's "mse" reconstruction distance (ReconstructionLoss.MSE_TO_LPIPS) against an
LPIPS-shaped distance on a randomly initialised VGG16, since LPIPS's trained weights cannot be had here.

FastGAN's official train.py adds percept(rec, target).sum() for each decoder: LPIPS (VGG, "net-lin").
GAN Lab's default replaces it by k * mean((rec - target)^2) per image (images in [-1, 1]). What matters
to training is how hard the term pulls on the reconstructions next to the hinge loss, so k is measured
two ways on emoji smileys (the data the factor was first estimated on; shrunk to SIZE px):
  k_value = LPIPS-like distance / MSE           (the term's share of D's loss)
  k_grad  = |d LPIPS-like / d rec| / |d MSE / d rec|  (its pull on the decoder outputs)
on "reconstructions" made as the decoders' early outputs look, blurred: the target low-passed through a
coarse grid, at about the MSE levels measured in GAN Lab's FastGAN runs (0.09 to 0.15 after 10 to 20
steps, see ReconstructionLoss).

The LPIPS-like distance has LPIPS's form (Zhang et al. 2018): LPIPS's input scaling layer, VGG16's
relu1_2, relu2_2, relu3_3, relu4_3, relu5_3 maps, each unit-normalised over channels, squared
differences summed over channels (uniform weights: the "lin" weights are trained and unavailable),
averaged over positions and summed over the five layers; VGG16 with torchvision's initialisation
(Kaiming normal, fan_out), averaged over several random networks. Its scale is arbitrary, so it is
anchored: scaled so that pairs of different images of the data score ANCHOR, LPIPS (VGG)'s value for
such a pair. ANCHOR is an assumption, not measured (the order of published LPIPS diversity scores of
different images of one kind, 0.4 to 0.7); the script prints k for 0.4, 0.5 and 0.7, and k is linear
in it.

Run: /usr/bin/python3 environment/reference/calibrate_recon_mse.py  (CPU minutes: VGG16 forwards and
backwards; on the shared machine of 2026-11-30 it took about half an hour of wall time)
"""
import json
import os
import random

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "data", "node_modules", "emoji-datasource-google")
N_IMAGES = 12
N_NETWORKS = 2
# Images are area-shrunk from the set's 64 px to SIZE: the shared 2-core machine could not run VGG16 at
# 64 px in the time there was.
SIZE = 32
ANCHORS = (0.4, 0.5, 0.7)
# LPIPS's ScalingLayer (its own constants for inputs in [-1, 1]).
SHIFT = torch.tensor([-.030, -.088, -.188]).view(1, 3, 1, 1)
SCALE = torch.tensor([.458, .448, .450]).view(1, 3, 1, 1)
VGG16 = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512]
TAPS = {1, 3, 6, 9, 12}  # index of the conv (0-based, over convs) after whose relu a map is taken


def smileys():
    entries = json.load(open(os.path.join(ROOT, "emoji.json")))
    names = sorted((e["sort_order"], e["image"]) for e in entries
                   if e["category"] == "Smileys & Emotion" and e.get("has_img_google"))
    out = []
    for _, name in names[:N_IMAGES]:
        im = Image.open(os.path.join(ROOT, "img", "google", "64", name)).convert("RGBA")
        white = Image.new("RGBA", im.size, (255, 255, 255, 255))
        rgb = np.asarray(Image.alpha_composite(white, im).convert("RGB"), dtype=np.float32)
        out.append(rgb / 127.5 - 1)
    x = torch.tensor(np.stack(out)).permute(0, 3, 1, 2).contiguous()
    return F.interpolate(x, size=SIZE, mode="area") if SIZE != 64 else x


def vgg(seed):
    torch.manual_seed(seed)
    layers, c = [], 3
    for v in VGG16:
        if v == "M":
            layers.append("M")
        else:
            conv = torch.nn.Conv2d(c, v, 3, padding=1)
            torch.nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
            torch.nn.init.zeros_(conv.bias)
            layers.append(conv)
            c = v
    return layers


def maps(net, x):
    x = (x - SHIFT) / SCALE
    out, k = [], 0
    for layer in net:
        if layer == "M":
            x = F.max_pool2d(x, 2)
        else:
            x = F.relu(layer(x))
            if k in TAPS:
                out.append(x)
            k += 1
    return out


def lpips_like(nets, a, b):
    """Per-image LPIPS-form distance, averaged over the random networks."""
    total = 0
    for net in nets:
        for fa, fb in zip(maps(net, a), maps(net, b)):
            na = fa / (fa.pow(2).sum(1, keepdim=True).sqrt() + 1e-10)
            nb = fb / (fb.pow(2).sum(1, keepdim=True).sqrt() + 1e-10)
            total = total + (na - nb).pow(2).sum(1).mean((1, 2))
    return total / len(nets)


def mse(a, b):
    return (a - b).pow(2).mean((1, 2, 3))


def low_pass(x, size):
    return F.interpolate(F.interpolate(x, size=size, mode="area"), size=x.shape[-1], mode="bilinear",
                         align_corners=False)


def gradient_norms(nets, rec, target):
    r = rec.clone().requires_grad_(True)
    lpips_like(nets, r, target).sum().backward()
    g_p = r.grad.flatten(1).norm(dim=1)
    r = rec.clone().requires_grad_(True)
    mse(r, target).sum().backward()
    g_m = r.grad.flatten(1).norm(dim=1)
    return g_p, g_m


def main():
    torch.set_num_threads(2)
    x = smileys()
    nets = [vgg(s) for s in range(N_NETWORKS)]
    rng = random.Random(0)
    perm = list(range(len(x)))
    rng.shuffle(perm)
    other = x[perm]
    keep = torch.tensor([p != i for i, p in enumerate(perm)])
    with torch.no_grad():
        unrelated = lpips_like(nets, x[keep], other[keep]).mean().item()
        unrelated_mse = mse(x[keep], other[keep]).mean().item()
    print(f"{len(x)} emoji smileys at {SIZE} px, {N_NETWORKS} random VGG16s", flush=True)
    print(f"unrelated pairs: LPIPS-like {unrelated:.4f}, MSE {unrelated_mse:.4f}")
    print("reconstruction   MSE     LPIPS-like/unrelated  k_value(anchor " + "/".join(map(str, ANCHORS))
          + ")  k_grad(anchor ...)")
    rows = []
    noise = 0.1 * torch.randn(x.shape, generator=torch.Generator().manual_seed(1))
    for name, rec in [(f"low-pass {SIZE // 8}x{SIZE // 8}", low_pass(x, SIZE // 8)),
                      (f"low-pass {SIZE // 4}x{SIZE // 4}", low_pass(x, SIZE // 4)),
                      (f"low-pass {SIZE // 2}x{SIZE // 2}", low_pass(x, SIZE // 2)),
                      (f"low-pass {SIZE // 4} + noise 0.1", low_pass(x, SIZE // 4) + noise)]:
        with torch.no_grad():
            d = lpips_like(nets, rec, x) / unrelated
            m = mse(rec, x)
        g_p, g_m = gradient_norms(nets, rec, x)
        g_p = g_p / unrelated
        kv = [a * d.mean().item() / m.mean().item() for a in ANCHORS]
        kg = [a * (g_p / g_m).median().item() for a in ANCHORS]
        rows.append((name, m.mean().item(), d.mean().item(), kv, kg))
        print(f"{name:18s} {m.mean().item():.4f}  {d.mean().item():.4f}               "
              + "/".join(f"{k:.2f}" for k in kv) + "        " + "/".join(f"{k:.2f}" for k in kg))
    return rows


if __name__ == "__main__":
    main()
