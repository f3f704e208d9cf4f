"""Shared builders for the stabilizing-method tests: small float64 games and configs."""

from __future__ import annotations

import torch

import ganlab
from ganlab.game import Game

# A tiny, fast run: small networks and small recording grids.
SMALL_RUN = [
    "generator.hidden=8", "generator.depth=1",
    "discriminator.hidden=8", "discriminator.depth=1",
    "training.batch_size=16", "training.device=\"cpu\"", "training.precision=\"float64\"",
    "record.grid=6", "record.field_grid=3", "record.real=32", "record.samples=16",
    "record.manifold_grid=3",
]


def small_config(*overrides: str, steps: int = 4):
    """Return a resolved ring8 config with small networks and ``steps`` generator steps."""
    extra = [f"training.steps={steps}", f"record.every={steps}", "record.scalars_every=1"]
    return ganlab.load_config("ring8", [*SMALL_RUN, *extra, *overrides])


def float64_game(*overrides: str, dim: int = 2) -> Game:
    """Return a float64 game of the small config with ``overrides``."""
    torch.manual_seed(0)
    return Game(small_config(*overrides), dim, torch.device("cpu"), torch.float64)


def linear_game(*overrides: str, weight=(0.6, -0.8, 0.0, 0.0), bias: float = 0.3,
                dim: int = 2) -> Game:
    """Return a float64 game whose discriminator is D(x) = w·x + b (no hidden layer)."""
    game = float64_game("discriminator.depth=0", *overrides, dim=dim)
    layer = game.discriminator.net[-1]
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(weight[: layer.weight.shape[1]],
                                        dtype=torch.float64).reshape(1, -1))
        layer.bias.fill_(bias)
    return game


def batches(n: int = 8, dim: int = 2, latent_dim: int = 2, seed: int = 0):
    """Return a (real, latent) pair of float64 batches."""
    generator = torch.Generator().manual_seed(seed)
    real = torch.randn(n, dim, generator=generator, dtype=torch.float64)
    latent = torch.randn(n, latent_dim, generator=generator, dtype=torch.float64)
    return real, latent
