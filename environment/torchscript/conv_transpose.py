#!/usr/bin/python3
"""Builds lib/src/main/resources/dev/ganlab/core/conv_transpose.pt, the engine's transposed convolution.

DJL 0.29's PyTorch binding has no transposed convolution (its deconvolution throws), and the form GAN
Lab used before (one ordinary convolution per output phase, then a reshape that interleaves the phases)
spends most of its time in that strided copy: about 450 ms of a 2.9 s FastGAN step at 64 px (see
lib/BENCHMARKS.md). libtorch's own conv_transpose2d writes the interleaved output directly, and a
TorchScript function reaches it through DJL's module call: the call is recorded by autograd like any
other engine operation, so the backward (and a gradient penalty's double backward) is libtorch's.

The module holds code only (no weights). DJL calls a module with autograd on only through its
tensor-only forward, so the integer settings come as a tensor too (GAN Lab keeps it on the CPU, so
reading it never waits for a GPU), and an empty bias tensor stands for no bias. Run with Debian's
python3-torch:
    /usr/bin/python3 environment/torchscript/conv_transpose.py
"""
from typing import Optional

import torch
import torch.nn.functional as F

import code_module


class ConvTranspose(torch.nn.Module):
    """forward(x, w, b, settings) = conv_transpose2d(x, w, b or None, stride, padding, output_padding),
    settings = int64 tensor [stride, padding, output_padding] (square); groups and dilation 1."""

    def forward(self, x: torch.Tensor, w: torch.Tensor, b: torch.Tensor, settings: torch.Tensor) -> torch.Tensor:
        stride = int(settings[0].item())
        padding = int(settings[1].item())
        output_padding = int(settings[2].item())
        bias: Optional[torch.Tensor] = None
        if b.numel() > 0:
            bias = b
        return F.conv_transpose2d(x, w, bias, stride, padding, output_padding)


def self_check(module):
    """The scripted calls against the eager function, in value and in first and second derivatives."""
    torch.manual_seed(0)
    x = torch.randn(2, 5, 4, 3, requires_grad=True)
    w = torch.randn(5, 3, 4, 4, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    y = module(x, w, b, torch.tensor([2, 1, 1]))
    expected = F.conv_transpose2d(x, w, b, 2, 1, 1)
    assert y.shape == (2, 3, 9, 7), y.shape
    assert torch.allclose(y, expected, atol=1e-6)
    assert torch.allclose(module(x, w, torch.empty(0), torch.tensor([2, 1, 0])),
                          F.conv_transpose2d(x, w, None, 2, 1, 0), atol=1e-6)
    (gx,) = torch.autograd.grad([y.square().sum()], [x], create_graph=True)
    (gw,) = torch.autograd.grad([gx.square().sum()], [w])
    (gx_e,) = torch.autograd.grad([expected.square().sum()], [x], create_graph=True)
    (gw_e,) = torch.autograd.grad([gx_e.square().sum()], [w])
    assert torch.allclose(gw, gw_e, rtol=1e-5, atol=1e-4)


def main():
    module = torch.jit.script(ConvTranspose())
    self_check(module)
    code_module.save(module, "core", "conv_transpose.pt")


if __name__ == "__main__":
    main()
