"""The Dirac GAN model: a point mass, a one-parameter generator and linear discriminators.

Mescheder, Geiger & Nowozin (2018), "Which Training Methods for GANs do
actually Converge?", Sec. 2.2: the data distribution is a point mass at ``c``,
the generator is ``G(z) = θ`` for every latent ``z``, and the discriminator is
``D(x) = ψx``. The unique equilibrium is ``θ = c``, ``ψ = 0``, and plain
gradient steps on it circle or spiral outward. This module registers

* the dataset ``dirac`` (parameter ``position`` = c, in 1 or more dimensions),
* the generator kind ``dirac`` (one parameter per data dimension),
* the discriminator kinds ``linear`` (``D(x) = ψ·x``, optional bias ``b``) and
  ``quadratic`` (``D(x) = ψ₁·x + ψ₂·(x∘x)``, optional bias), a cheap
  generalization whose extra parameters give the game more directions.

Initial parameter values come from ``generator.initial`` and
``discriminator.initial``: an empty list uses the defaults (θ = 1, ψ = 1,
ψ₂ = 0, b = 0); one value sets every entry of θ or of ψ; otherwise the list
gives every parameter in the order of the recorded parameter vector
(``named_parameters`` order: θ; ψ, then ψ₂, then b).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import torch
from torch import nn

from ganlab.data.base import Distribution
from ganlab.data.catalog import DATASETS
from ganlab.errors import ConfigError
from ganlab.fields import Field
from ganlab.networks import DISCRIMINATORS, GENERATORS

SOURCE = "Mescheder, Geiger & Nowozin 2018, Sec. 2.2 (the Dirac GAN)"

# Default initial values: Mescheder et al. 2018 start their Figure 1 and 3 runs near (1, 1).
DEFAULT_THETA = 1.0
DEFAULT_PSI = 1.0

# Half-width of the plotting box around the point mass, in data units.
BOX_HALF_WIDTH = 1.0


class PointMass(Distribution):
    """All mass at one point ``position`` (dim,); every sample equals it."""

    def __init__(self, position: Sequence[float]):
        self.name = "dirac"
        self.position = np.asarray(position, dtype=np.float64)
        self.dim = len(self.position)

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ConfigError(f"sample count must be an integer >= 0, got {n!r}")
        return torch.from_numpy(self.position).expand(int(n), self.dim).clone()

    # No ``modes``: a mode of zero width would make the mode metrics divide by a zero std.

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return self.position - BOX_HALF_WIDTH, self.position + BOX_HALF_WIDTH


DIRAC_FIELDS = [
    Field("position", list, [0.0], "location c of the point mass; its length sets the data "
          "dimension", unit="data units", low=1, high=16, item=float),
]


@DATASETS.register("dirac", description="a point mass at c: the data of the Dirac GAN",
                   source=SOURCE, fields=DIRAC_FIELDS)
def make_dirac(params: dict) -> PointMass:
    """Build the point mass at ``params["position"]``."""
    return PointMass(params["position"])


def _initial_values(key: str, values: Sequence[float], weight_count: int, total: int,
                    defaults: Sequence[float]) -> torch.Tensor:
    """Return the ``total`` initial parameter values from a config list (see the module doc)."""
    values = list(values or [])
    if not values:
        return torch.tensor(list(defaults), dtype=torch.float64)
    if len(values) == 1:
        start = torch.tensor(list(defaults), dtype=torch.float64)
        start[:weight_count] = float(values[0])
        return start
    if len(values) != total:
        raise ConfigError(f"{key}: expected an empty list, 1 value or {total} values (one per "
                          f"parameter, in the order of the parameter vector), got {len(values)}")
    return torch.tensor([float(v) for v in values], dtype=torch.float64)


class DiracGenerator(nn.Module):
    """``G(z) = θ`` for every latent ``z``; θ has one entry per data dimension."""

    def __init__(self, theta: torch.Tensor):
        super().__init__()
        self.theta = nn.Parameter(theta.clone())

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        # repeat, not expand: a view of a parameter would keep requires_grad under no_grad.
        return self.theta[None, :].repeat(z.shape[0], 1)


class LinearDiscriminator(nn.Module):
    """``D(x) = ψ·x (+ b)``, and with ``quadratic`` also ``+ ψ₂·(x∘x)``; output (B, 1)."""

    def __init__(self, psi: torch.Tensor, psi2: torch.Tensor | None, bias: torch.Tensor | None):
        super().__init__()
        self.psi = nn.Parameter(psi.clone())
        self.psi2 = None if psi2 is None else nn.Parameter(psi2.clone())
        self.bias = None if bias is None else nn.Parameter(bias.clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x @ self.psi
        if self.psi2 is not None:
            out = out + (x * x) @ self.psi2
        if self.bias is not None:
            out = out + self.bias
        return out[:, None]


@GENERATORS.register("dirac", description="G(z) = θ, one parameter per data dimension",
                     source=SOURCE)
def _make_dirac_generator(section: Mapping[str, Any], data_dim: int) -> DiracGenerator:
    theta = _initial_values("generator.initial", section.get("initial", []), data_dim, data_dim,
                            [DEFAULT_THETA] * data_dim)
    return DiracGenerator(theta)


def _make_linear(section: Mapping[str, Any], inputs: int, quadratic: bool) -> LinearDiscriminator:
    bias = bool(section.get("bias", False))
    weights = 2 * inputs if quadratic else inputs
    defaults = [DEFAULT_PSI] * inputs + [0.0] * (weights - inputs) + [0.0] * bias
    start = _initial_values("discriminator.initial", section.get("initial", []),
                            inputs, weights + bias, defaults)
    psi2 = start[inputs:weights] if quadratic else None
    return LinearDiscriminator(start[:inputs], psi2, start[weights:] if bias else None)


@DISCRIMINATORS.register("linear", description="D(x) = ψ·x, optionally + b", source=SOURCE)
def _make_linear_discriminator(section: Mapping[str, Any], data_dim: int,
                               packing: int) -> LinearDiscriminator:
    return _make_linear(section, data_dim * packing, quadratic=False)


@DISCRIMINATORS.register("quadratic", description="D(x) = ψ₁·x + ψ₂·(x∘x), optionally + b",
                         source=SOURCE)
def _make_quadratic_discriminator(section: Mapping[str, Any], data_dim: int,
                                  packing: int) -> LinearDiscriminator:
    return _make_linear(section, data_dim * packing, quadratic=True)
