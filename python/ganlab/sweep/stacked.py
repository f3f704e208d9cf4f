"""Stacked networks: the MLPs of R runs evaluated as one batched computation.

Each run keeps its own ``nn.Module`` (built by ``Trainer`` with the run's
seed). The stack holds one leaf tensor per parameter with a leading run axis
(R, ...), and every run's module parameter is re-pointed at its slice of that
tensor, so the modules always show the stacked values and the normal
``Recorder`` can evaluate them run by run.

A linear layer of R runs is one batched matrix product. Which batched product
reproduces ``torch.nn.functional.linear`` bit for bit depends on the BLAS
kernels: on the CPU with PyTorch 2.13, ``baddbmm`` matches ``linear`` for
layers with more than one output, and ``bmm(W, xᵀ)ᵀ + b`` matches it for
layers with one output (``linear`` takes a matrix-vector path there, which
``baddbmm`` does not). ``check_exact`` tests every layer shape of a group
against ``linear`` before training, so a BLAS that behaves otherwise makes
the group fall back to separate runs instead of giving different numbers.
"""

from __future__ import annotations

import logging
from typing import Sequence

import torch
from torch import nn
from torch.nn import functional

log = logging.getLogger(__name__)

Tensor = torch.Tensor


def batched_linear(x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    """Apply R linear layers to R batches: x (R, B, in), weight (R, out, in), bias (R, out)."""
    if weight.shape[1] == 1:
        return torch.bmm(weight, x.transpose(1, 2)).transpose(1, 2) + bias.unsqueeze(1)
    return torch.baddbmm(bias.unsqueeze(1), x, weight.transpose(1, 2))


def layer_plan(module: nn.Module) -> list[nn.Module]:
    """Return the layers of an ``MLP`` in order (linear layers and activations)."""
    return list(module.net)


class StackedNetwork:
    """One player's networks of R runs as stacked parameters.

    ``modules`` are the runs' networks (same architecture); ``parameters``
    are the stacked leaf tensors in ``module.parameters()`` order.
    """

    def __init__(self, modules: Sequence[nn.Module]):
        self.modules = list(modules)
        self.layers = layer_plan(self.modules[0])
        self.input_scale = float(getattr(self.modules[0], "input_scale", 1.0))
        per_run = [list(module.parameters()) for module in self.modules]
        self.parameters = [
            torch.stack([params[index].detach() for params in per_run]).requires_grad_(True)
            for index in range(len(per_run[0]))
        ]
        self._alias()

    def _alias(self) -> None:
        # Every run's parameter shares storage with its slice of the stack, so optimizer
        # steps on the stack are what the run's module (and its Recorder) sees.
        for run, module in enumerate(self.modules):
            for stacked, param in zip(self.parameters, module.parameters()):
                param.data = stacked.detach()[run]

    def run_parameters(self, run: int) -> list[nn.Parameter]:
        return list(self.modules[run].parameters())

    def keep(self, runs: Sequence[int]) -> None:
        """Drop every run not listed in ``runs``; the kept runs' values are unchanged."""
        index = torch.as_tensor(list(runs), dtype=torch.long, device=self.parameters[0].device)
        self.modules = [self.modules[run] for run in runs]
        self.parameters = [
            stacked.detach().index_select(0, index).clone().requires_grad_(True)
            for stacked in self.parameters
        ]
        self._alias()

    def __call__(self, x: Tensor) -> Tensor:
        """Evaluate all runs: x (R, B, in) -> (R, B, out)."""
        if self.input_scale != 1.0:
            x = x * self.input_scale
        position = 0
        for layer in self.layers:
            if isinstance(layer, nn.Linear):
                weight, bias = self.parameters[position], self.parameters[position + 1]
                position += 2
                x = batched_linear(x, weight, bias)
            else:
                x = layer(x)
        return x


def check_exact(network: StackedNetwork, rows: Sequence[int], dtype: torch.dtype,
                device: torch.device) -> str | None:
    """Compare ``batched_linear`` with ``functional.linear`` for every layer shape.

    ``rows`` are the batch lengths the group evaluates. Returns None when
    values and gradients agree exactly, else a description of the mismatch.
    """
    generator = torch.Generator().manual_seed(0)
    runs = 3
    shapes = sorted({tuple(layer.weight.shape) for layer in network.layers
                     if isinstance(layer, nn.Linear)})
    for out_features, in_features in shapes:
        for count in sorted(set(rows)):
            x = torch.randn(runs, count, in_features, generator=generator, dtype=dtype)
            weight = torch.randn(runs, out_features, in_features, generator=generator, dtype=dtype)
            bias = torch.randn(runs, out_features, generator=generator, dtype=dtype)
            upstream = torch.randn(runs, count, out_features, generator=generator, dtype=dtype)
            x, weight, bias, upstream = (t.to(device) for t in (x, weight, bias, upstream))
            leaves = [t.clone().requires_grad_(True) for t in (x, weight, bias)]
            batched = batched_linear(*leaves)
            batched_grads = torch.autograd.grad(batched, leaves, upstream)
            for run in range(runs):
                single = [t[run].clone().requires_grad_(True) for t in (x, weight, bias)]
                value = functional.linear(*single)
                grads = torch.autograd.grad(value, single, upstream[run])
                same = torch.equal(value, batched[run].detach()) and all(
                    torch.equal(a, b[run]) for a, b in zip(grads, batched_grads))
                if not same:
                    return (f"the batched product of a {in_features} -> {out_features} layer on "
                            f"{count} rows differs from torch.nn.functional.linear")
    return None
