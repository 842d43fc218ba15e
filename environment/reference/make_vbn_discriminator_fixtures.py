#!/usr/bin/python3
"""Reference values for GAN Lab's DCGAN discriminator with virtual batch norm (dcgan.dNorm=vbn).

Run with Debian's interpreter (python3-torch):

    /usr/bin/python3 environment/reference/make_vbn_discriminator_fixtures.py lib/src/test/resources

Written from the papers, not from GAN Lab's Java code. Virtual batch norm is Salimans et al. 2016,
sec. 3.4, in the exact form of their code (openai/improved-gan, imagenet/model.py, class VBN): per
channel, with the reference batch's mean m_r and mean of squares q_r over its R examples and all
positions, and an example's own m_x, q_x over its positions,
    a = 1/(R+1), m = a m_x + (1-a) m_r, q = a q_x + (1-a) q_r,
    y = gamma (x - m) / sqrt(eps + q - m^2) + beta,  eps = 1e-5.
The reference batch is run through the network as a separate pass (the authors' two-pass structure),
so its statistics at the VBN layer are those of the reference images under the current weights.

The network is the DCGAN paper discriminator (Radford et al. 2016, official code's discrim) for
1 x 16 x 16 images with ndf = 2: conv 5x5 stride 2 padding 2 without bias to 2 channels, LeakyReLU
0.2, conv 5x5 stride 2 padding 2 without bias to 4 channels, VBN, LeakyReLU 0.2, flatten (64), dense
without bias to 1 logit. Weights, reference images and inputs are drawn here (seed 0) and written out.

What it writes, models/dcgan_vbn_d.json (float64 values):
  conv1, conv2, gamma, beta, dense: the parameters; reference (R=3, 1, 16, 16); x (N=3, 1, 16, 16);
  logits (N): D(x), each example with the reference only;
  grad_x: d(sum logits)/dx - each example's own input gradient;
  r1: the R1 penalty (gamma_r1 = 10) 10/2 * mean_i |grad_x_i|^2 at x;
  r1_dconv2, r1_dgamma, r1_dbeta, r1_ddense: its parameter gradients (double backward, through the
  reference statistics too).
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

OUT = sys.argv[1] if len(sys.argv) > 1 else "lib/src/test/resources"
EPS = 1e-5
R, N = 3, 3
torch.manual_seed(0)
dt = torch.float64

conv1 = (torch.randn(2, 1, 5, 5, dtype=dt) * 0.2).requires_grad_()
conv2 = (torch.randn(4, 2, 5, 5, dtype=dt) * 0.2).requires_grad_()
gamma = (1 + 0.1 * torch.randn(4, dtype=dt)).requires_grad_()
beta = (0.1 * torch.randn(4, dtype=dt)).requires_grad_()
dense = (torch.randn(1, 64, dtype=dt) * 0.2).requires_grad_()
reference = torch.rand(R, 1, 16, 16, dtype=dt) * 2 - 1
x = (torch.rand(N, 1, 16, 16, dtype=dt) * 2 - 1).requires_grad_()


def trunk(images):
    h = F.leaky_relu(F.conv2d(images, conv1, stride=2, padding=2), 0.2)
    return F.conv2d(h, conv2, stride=2, padding=2)                        # (B, 4, 4, 4), before VBN


def stats(h):
    """Per-channel mean and mean of squares over the given examples and positions: (1, C, 1, 1)."""
    return h.mean(dim=(0, 2, 3), keepdim=True), (h * h).mean(dim=(0, 2, 3), keepdim=True)


def vbn_one(h, m_r, q_r):
    """One example (1, C, H, W) normalised with its own statistics mixed with the reference's."""
    a = 1.0 / (R + 1)
    m = a * h.mean(dim=(2, 3), keepdim=True) + (1 - a) * m_r
    q = a * (h * h).mean(dim=(2, 3), keepdim=True) + (1 - a) * q_r
    y = (h - m) / torch.sqrt(EPS + q - m * m)
    return y * gamma.view(1, -1, 1, 1) + beta.view(1, -1, 1, 1)


def discriminator(images):
    m_r, q_r = stats(trunk(reference))            # the reference pass, with the current weights
    outs = []
    for i in range(images.shape[0]):              # each example on its own: no other example is seen
        h = vbn_one(trunk(images[i:i + 1]), m_r, q_r)
        outs.append(F.leaky_relu(h, 0.2).flatten(1) @ dense.t())
    return torch.cat(outs).view(-1)


logits = discriminator(x)
(grad_x,) = torch.autograd.grad(logits.sum(), x, create_graph=True)
r1 = 10.0 / 2 * grad_x.pow(2).sum(dim=(1, 2, 3)).mean()
d_conv2, d_gamma, d_beta, d_dense = torch.autograd.grad(r1, [conv2, gamma, beta, dense])


def flat(t):
    return [float(v) for v in t.detach().reshape(-1)]


fixture = {
    "reference_rows": R,
    "conv1": flat(conv1), "conv2": flat(conv2), "gamma": flat(gamma), "beta": flat(beta), "dense": flat(dense),
    "reference": flat(reference), "x": flat(x),
    "logits": flat(logits), "grad_x": flat(grad_x), "r1": float(r1),
    "r1_dconv2": flat(d_conv2), "r1_dgamma": flat(d_gamma), "r1_dbeta": flat(d_beta), "r1_ddense": flat(d_dense),
}
os.makedirs(os.path.join(OUT, "models"), exist_ok=True)
with open(os.path.join(OUT, "models", "dcgan_vbn_d.json"), "w") as f:
    json.dump(fixture, f)
    f.write("\n")
print("logits", flat(logits), "r1", float(r1))
