#!/usr/bin/python3
"""Builds lib/src/main/resources/dev/ganlab/loss/input_gradient.pt, the TorchScript helper behind
GAN Lab's gradient penalties.

DJL's PyTorch engine has no create-graph option for a gradient with respect to chosen inputs; its
backward with create_graph=True fills every parameter's .grad with a graph-attached tensor, and the
resulting parameter/gradient reference cycle leaks memory every step. torch.autograd.grad with
inputs=[x] computes d(sum of outputs)/dx with a graph for the second derivative and leaves
parameters' .grad untouched, so a later first-order backward of the penalty is exact and leak-free.

The module holds code only (no weights). Run with Debian's python3-torch:
    /usr/bin/python3 environment/torchscript/input_gradient.py
"""

import torch

import code_module


class InputGradient(torch.nn.Module):
    """forward(scores, inputs) = d(sum(scores)) / d(inputs), differentiable (create_graph=True)."""

    def forward(self, scores: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
        grads = torch.autograd.grad([scores.sum()], [inputs], create_graph=True, retain_graph=True)
        g = grads[0]
        if g is None:
            raise RuntimeError("the scores do not depend on the inputs")
        return g


def main():
    module = torch.jit.script(InputGradient())
    # Self-check before saving: matches the analytic gradient of sum(x^3) and is differentiable.
    x = torch.randn(3, 4, requires_grad=True)
    g = module(x.pow(3), x)
    assert torch.allclose(g, 3 * x.pow(2))
    (gx,) = torch.autograd.grad([g.sum()], [x])
    assert torch.allclose(gx, 6 * x)
    code_module.save(module, "loss", "input_gradient.pt")


if __name__ == "__main__":
    main()
