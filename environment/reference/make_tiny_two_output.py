#!/usr/bin/python3
"""A tiny TorchScript classifier whose forward(x) returns the tuple (features, logits).

This is the output convention GAN Lab's `--features torchscript=PATH` accepts for the Inception Score
(TorchScriptExtractor, Convention.PLAIN): output 0 the features, output 1 the class logits. The
network is size-agnostic (global average pooling), takes (N, 1, H, W) in -1..1 (GAN Lab's default
range for torchscript=PATH) and has 6 classes and 8 features.

Run with Debian's python3-torch:

    /usr/bin/python3 environment/reference/make_tiny_two_output.py lib/src/test/resources/metrics

It writes tiny_two_output.pt, fixed uint8 images tiny_two_output_input.npy (40 x 1 x 16 x 16, varied
brightness and contrast), the
logits torch computes for them (tiny_two_output_logits.npy) and tiny_two_output.json with the file's
SHA-256 and the Inception Score of those logits computed here with numpy: softmax per row,
exp(mean KL(p(y|x) || p(y))) per split over 10 consecutive splits, mean and population standard
deviation over the splits (Salimans et al., 2016; StyleGAN2-ADA's metrics/inception_score.py).
"""
import hashlib
import json
import os
import sys
from typing import Tuple

import numpy as np
import torch
import torch.nn.functional as F

OUT = sys.argv[1] if len(sys.argv) > 1 else "lib/src/test/resources/metrics"


class TwoOutput(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 8, 3, padding=1)
        self.head = torch.nn.Linear(8, 6)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        features = F.relu(self.conv(x)).mean(dim=[2, 3])
        return features, self.head(features)


def inception_score(logits, splits=10):
    logits = logits.astype(np.float64)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    n = p.shape[0]
    scores = []
    for s in range(splits):
        part = p[s * n // splits:(s + 1) * n // splits]
        py = part.mean(axis=0, keepdims=True)
        kl = np.sum(part * (np.log(part) - np.log(py)), axis=1).mean()
        scores.append(np.exp(kl))
    return float(np.mean(scores)), float(np.std(scores))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(3)
    net = TwoOutput().eval()
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(4.0)
        net.head.weight.mul_(5.0)  # confident, varied predictions: an IS well above 1
    path = os.path.join(OUT, "tiny_two_output.pt")
    torch.jit.save(torch.jit.script(net), path)
    loaded = torch.jit.load(path).eval()

    rng = np.random.default_rng(17)
    # Brightness and contrast that vary from image to image, so that the predictions differ.
    level = rng.uniform(20, 235, size=(40, 1, 1, 1))
    spread = rng.uniform(5, 60, size=(40, 1, 1, 1))
    images = np.clip(np.round(level + spread * rng.normal(size=(40, 1, 16, 16))), 0, 255).astype(np.uint8)
    np.save(os.path.join(OUT, "tiny_two_output_input.npy"), images)
    with torch.no_grad():
        x = torch.from_numpy(images).to(torch.float32) / 127.5 - 1.0
        _, logits = loaded(x)
    logits = logits.numpy().astype(np.float32)
    np.save(os.path.join(OUT, "tiny_two_output_logits.npy"), logits)
    mean, std = inception_score(logits)
    with open(path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    meta = {"sha256": sha, "feature_dim": 8, "classes": 6, "is_mean": mean, "is_std": std, "splits": 10,
            "torch_version": torch.__version__}
    with open(os.path.join(OUT, "tiny_two_output.json"), "w") as f:
        json.dump(meta, f, indent=2)
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
