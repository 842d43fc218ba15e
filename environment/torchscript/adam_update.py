#!/usr/bin/python3
"""Builds lib/src/main/resources/dev/ganlab/train/adam_update.pt, the in-place Adam update behind GAN
Lab's optimiser (train/GanOptimizer).

DJL 0.29's engine update (JniUtils.adamUpdate) clones the gradient, adds the weight decay even when it
is 0, and forms lr * m / (sqrt(v) + eps) out of four new tensors before subtracting it: eleven passes
over every parameter and five parameter-sized allocations per update. This function makes the same
update in seven in-place passes and one allocation (the denominator), the way PyTorch's own Adam
writes it (mul_/add_ for the first moment, mul_/addcmul_ for the second, addcdiv_ for the weight), and
zeroes the gradient in the same call.

The caller passes the bias corrections folded into the step size and epsilon (lr_t = lr sqrt(1 - b2^t)
/ (1 - b1^t), eps_t = eps sqrt(1 - b2^t)), which gives PyTorch's update exactly in real arithmetic:
w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps). The four numbers come as one float64
tensor on the CPU (DJL calls a module with tensors only).

The module holds code only (no weights). Run with Debian's python3-torch:
    /usr/bin/python3 environment/torchscript/adam_update.py
"""

import torch

import code_module


class AdamUpdate(torch.nn.Module):
    """forward(w, g, m, v, h) with h = [beta1, beta2, lr_t, eps_t]: updates m, v and w in place, zeroes g."""

    def forward(self, w: torch.Tensor, g: torch.Tensor, m: torch.Tensor, v: torch.Tensor,
                h: torch.Tensor) -> torch.Tensor:
        beta1 = float(h[0].item())
        beta2 = float(h[1].item())
        lr_t = float(h[2].item())
        eps_t = float(h[3].item())
        with torch.no_grad():
            m.mul_(beta1).add_(g, alpha=1.0 - beta1)
            v.mul_(beta2).addcmul_(g, g, value=1.0 - beta2)
            w.addcdiv_(m, v.sqrt().add_(eps_t), value=-lr_t)
            g.zero_()
        return w


def self_check(module):
    """Three updates against torch.optim.Adam's on the same gradients (float32, tolerance of rounding)."""
    torch.manual_seed(0)
    w0 = torch.randn(5, 7)
    grads = [torch.randn(5, 7) for _ in range(3)]
    lr, b1, b2, eps = 2e-4, 0.5, 0.999, 1e-8
    ref = w0.clone().requires_grad_(True)
    opt = torch.optim.Adam([ref], lr=lr, betas=(b1, b2), eps=eps)
    w, m, v = w0.clone(), torch.zeros(5, 7), torch.zeros(5, 7)
    for t, g in enumerate(grads, start=1):
        ref.grad = g.clone()
        opt.step()
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        h = torch.tensor([b1, b2, lr * bc2 ** 0.5 / bc1, eps * bc2 ** 0.5], dtype=torch.float64)
        gi = g.clone()
        module(w, gi, m, v, h)
        assert torch.count_nonzero(gi) == 0
        assert torch.allclose(w, ref.detach(), rtol=0, atol=1e-6), (w - ref).abs().max()


def main():
    module = torch.jit.script(AdamUpdate())
    self_check(module)
    code_module.save(module, "train", "adam_update.pt")


if __name__ == "__main__":
    main()
