#!/usr/bin/python3
"""A tiny TorchScript network with the calling convention of StyleGAN2-ADA's Inception-v3 detector.

The real detector (inception-2015-12-05.pt) cannot be downloaded here, so GAN Lab tests its loading
and calling code with this stand-in. Like the real one, its scripted forward is

    forward(img, return_features: bool = False, use_fp16: bool = False, no_output_bias: bool = False)

* img: (N, 3, H, W), any dtype, values in 0..255 (StyleGAN2-ADA passes uint8);
* the network converts to float32 and, when H x W is not its input size, resizes internally with
  bilinear grid sampling (affine_grid + grid_sample, border padding) exactly as the real one does
  to 299 x 299 (here: 32 x 32);
* it normalises with (x - 128) / 128;
* return_features=True returns the pooled features (N, 16) (the real one: pool3, N x 2048);
* otherwise it returns softmax probabilities over its classes (N, 12) (the real one: 1008), computed
  without the output bias when no_output_bias=True (what StyleGAN2-ADA's Inception Score asks for).

Run with Debian's python3-torch (apt-get install python3-torch):

    /usr/bin/python3 environment/reference/make_tiny_inception.py lib/src/test/resources/metrics

It writes tiny_inception.pt, fixed uint8 inputs and torch's outputs for them (.npy), and
tiny_inception.json with the file's SHA-256. The Java test feeds the same images through GAN Lab's
extractor, whose preparation is: grey -> RGB by replication; images larger than the network's input
are shrunk with an area filter (for the 2x case here, the mean of 2x2 blocks, which is what
avg_pool2d computes below); smaller ones go in at their own size for the network to enlarge.
"""
import hashlib
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

OUT = sys.argv[1] if len(sys.argv) > 1 else "lib/src/test/resources/metrics"
SIZE = 32


class TinyInception(torch.nn.Module):
    size: int

    def __init__(self):
        super().__init__()
        self.size = SIZE
        self.conv1 = torch.nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.conv2 = torch.nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.output = torch.nn.Linear(16, 12)

    def forward(self, img: torch.Tensor, return_features: bool = False, use_fp16: bool = False,
                no_output_bias: bool = False) -> torch.Tensor:
        batch_size, channels, height, width = img.shape
        assert channels == 3
        x = img.to(torch.float32)
        size = self.size
        if height != size or width != size:
            theta = torch.eye(2, 3, dtype=torch.float32)
            theta[0, 2] += theta[0, 0] / width - theta[0, 0] / size
            theta[1, 2] += theta[1, 1] / height - theta[1, 1] / size
            theta = theta.unsqueeze(0).repeat([batch_size, 1, 1])
            grid = F.affine_grid(theta, [batch_size, channels, size, size], align_corners=False)
            x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
        x = (x - 128.0) / 128.0
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        features = x.mean(dim=[2, 3])
        if return_features:
            return features
        if no_output_bias:
            logits = F.linear(features, self.output.weight)
        else:
            logits = self.output(features)
        return F.softmax(logits, dim=1)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    net = TinyInception().eval()
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(3.0)  # larger weights: outputs that differ visibly between inputs
    scripted = torch.jit.script(net)
    path = os.path.join(OUT, "tiny_inception.pt")
    torch.jit.save(scripted, path)
    loaded = torch.jit.load(path).eval()

    rng = np.random.default_rng(11)
    rgb64 = rng.integers(0, 256, size=(4, 3, 64, 64), dtype=np.uint8)
    grey20 = rng.integers(0, 256, size=(3, 1, 20, 20), dtype=np.uint8)
    np.save(os.path.join(OUT, "tiny_input_rgb64.npy"), rgb64)
    np.save(os.path.join(OUT, "tiny_input_grey20.npy"), grey20)
    with torch.no_grad():
        big = F.avg_pool2d(torch.from_numpy(rgb64).to(torch.float32), 2)   # area filter, 64 -> 32
        small = torch.from_numpy(grey20).repeat([1, 3, 1, 1])              # grey -> RGB, 20 x 20
        for name, x in (("rgb64", big), ("grey20", small)):
            feats = loaded(x, return_features=True)
            probs = loaded(x, no_output_bias=True)
            np.save(os.path.join(OUT, "tiny_features_%s.npy" % name), feats.numpy().astype(np.float32))
            np.save(os.path.join(OUT, "tiny_probs_%s.npy" % name), probs.numpy().astype(np.float32))
    with open(path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    meta = {"sha256": sha, "input_size": SIZE, "feature_dim": 16, "classes": 12,
            "torch_version": torch.__version__}
    with open(os.path.join(OUT, "tiny_inception.json"), "w") as f:
        json.dump(meta, f, indent=2)
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
