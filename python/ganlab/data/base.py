"""The data distribution interface.

A ``Distribution`` draws real samples of shape (n, dim) and describes itself:
its mixture modes when it has them (metrics need them), and a bounding box for
plotting grids. Distributions are registered in ``ganlab.data.DATASETS`` under
a name with declared parameters (``ganlab.fields.Field``), so configs are
validated and documented like every other section.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class Modes:
    """Mixture components: centres (K, d), per-axis stds (K, d), weights (K,) summing to 1."""

    centers: np.ndarray
    stds: np.ndarray
    weights: np.ndarray

    def __len__(self) -> int:
        return len(self.centers)


class Distribution(abc.ABC):
    """A real data distribution in ``dim`` dimensions."""

    name: str = ""
    dim: int = 2

    @abc.abstractmethod
    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """Draw ``n`` samples as a float64 CPU tensor of shape (n, dim) from ``generator``."""

    @property
    def modes(self) -> Modes | None:
        """Mixture modes, or ``None`` for distributions without discrete modes."""
        return None

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Return (low, high), each (dim,), a box that holds nearly all of the mass.

        The default estimates it from a fixed-seed sample (0.1 % and 99.9 %
        quantiles); subclasses with a closed form override it.
        """
        generator = torch.Generator().manual_seed(0)
        points = self.sample(20000, generator).numpy()
        return np.quantile(points, 0.001, axis=0), np.quantile(points, 0.999, axis=0)
