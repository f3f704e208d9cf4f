"""Multilayer perceptrons for the generator and the discriminator.

Both players are MLPs built from a config section: ``depth`` hidden layers of
``hidden`` units with an activation, optional batch normalization, and a
linear output. The discriminator returns one unnormalized value per sample (a
logit for the GAN losses, a critic value for the Wasserstein loss).
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import torch
from torch import nn

from ganlab.errors import ConfigError
from ganlab.registry import Registry

# Network families by ``kind``: each entry builds a module from its config section.
# Generators: make(section, data_dim) -> nn.Module mapping (B, latent_dim) to (B, data_dim).
# Discriminators: make(section, data_dim, packing) -> nn.Module mapping (B, data_dim * packing) to (B, 1).
GENERATORS = Registry("generator kind", "generator.kind")
DISCRIMINATORS = Registry("discriminator kind", "discriminator.kind")

_ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
    "tanh": nn.Tanh,
    "elu": nn.ELU,
    "selu": nn.SELU,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "softplus": nn.Softplus,
    "sigmoid": nn.Sigmoid,
}


class MLP(nn.Module):
    """Fully connected network ``in_dim -> depth x hidden -> out_dim``."""

    def __init__(
        self,
        in_dim: int,
        out_dim: int,
        hidden: int,
        depth: int,
        activation: str = "relu",
        batch_norm: bool = False,
        input_scale: float = 1.0,
    ):
        super().__init__()
        if activation not in _ACTIVATIONS:
            raise ConfigError(f"unknown activation {activation!r}; accepted values: "
                              f"{', '.join(_ACTIVATIONS)}")
        self.input_scale = input_scale
        layers: list[nn.Module] = []
        width = in_dim
        for _ in range(depth):
            layers.append(nn.Linear(width, hidden))
            if batch_norm:
                layers.append(nn.BatchNorm1d(hidden))
            layers.append(_ACTIVATIONS[activation]())
            width = hidden
        layers.append(nn.Linear(width, out_dim))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.input_scale != 1.0:
            x = x * self.input_scale
        return self.net(x)


def initialize(module: nn.Module, scheme: str, activation: str) -> None:
    """Re-initialize every linear layer's weight with ``scheme``; biases become zero.

    ``default`` keeps PyTorch's own initialization (weights and biases).
    """
    if scheme == "default":
        return
    nonlinearity = "relu" if activation in ("relu", "elu", "gelu", "silu") else (
        "leaky_relu" if activation == "leaky_relu" else "tanh" if activation == "tanh" else "linear"
    )
    gain = nn.init.calculate_gain(nonlinearity, 0.2) if nonlinearity == "leaky_relu" else (
        nn.init.calculate_gain(nonlinearity)
    )
    for layer in module.modules():
        if not isinstance(layer, nn.Linear):
            continue
        if scheme == "orthogonal":
            nn.init.orthogonal_(layer.weight, gain=gain)
        elif scheme == "xavier_uniform":
            nn.init.xavier_uniform_(layer.weight, gain=gain)
        elif scheme == "xavier_normal":
            nn.init.xavier_normal_(layer.weight, gain=gain)
        elif scheme == "kaiming_uniform":
            nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5) if nonlinearity == "linear" else 0.2,
                                     nonlinearity="leaky_relu" if nonlinearity == "leaky_relu" else "relu")
        elif scheme == "kaiming_normal":
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        else:
            raise ConfigError(f"unknown init {scheme!r}")
        nn.init.zeros_(layer.bias)


def build_generator(section: Mapping[str, Any], data_dim: int) -> nn.Module:
    """Build the generator ``latent_dim -> data_dim`` from the ``[generator]`` section."""
    return GENERATORS.get(section.get("kind", "mlp")).obj(section, data_dim)


def build_discriminator(section: Mapping[str, Any], data_dim: int, packing: int = 1) -> nn.Module:
    """Build the discriminator ``data_dim * packing -> 1`` from ``[discriminator]``."""
    return DISCRIMINATORS.get(section.get("kind", "mlp")).obj(section, data_dim, packing)


@GENERATORS.register("mlp", description="multilayer perceptron")
def _make_mlp_generator(section: Mapping[str, Any], data_dim: int) -> MLP:
    net = MLP(section["latent_dim"], data_dim, section["hidden"], section["depth"],
              section["activation"], section["batch_norm"])
    initialize(net, section["init"], section["activation"])
    return net


@DISCRIMINATORS.register("mlp", description="multilayer perceptron")
def _make_mlp_discriminator(section: Mapping[str, Any], data_dim: int, packing: int) -> MLP:
    net = MLP(data_dim * packing, 1, section["hidden"], section["depth"], section["activation"],
              section["batch_norm"], section.get("input_scale", 1.0))
    initialize(net, section["init"], section["activation"])
    return net


def sample_latent(n: int, dim: int, kind: str, generator: torch.Generator, dtype, device) -> torch.Tensor:
    """Draw ``n`` latent vectors (n, dim): standard normal or uniform on [-1, 1]."""
    if kind == "gaussian":
        z = torch.randn(n, dim, generator=generator, dtype=dtype)
    elif kind == "uniform":
        z = torch.rand(n, dim, generator=generator, dtype=dtype) * 2 - 1
    else:
        raise ConfigError(f"generator.latent: unknown latent distribution {kind!r}")
    return z.to(device)


# The fixed generator of real data plus noise registers its kind on import.
from ganlab import data_noise  # noqa: E402,F401
