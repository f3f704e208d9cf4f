"""Gaussian mixtures: ring, grid, user-given mixtures and the single Gaussian.

Every distribution here is a ``GaussianMixture`` with axis-aligned components,
so its ``modes`` (centres, per-axis stds, weights) are exact and its bounding
box has a closed form.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ganlab.data.base import Distribution, Modes
from ganlab.data.catalog import DATASETS
from ganlab.data.params import (
    broadcast_list,
    check_sample_count,
    choose_components,
    mixture_weights,
    require_positive,
)
from ganlab.errors import ConfigError
from ganlab.fields import Field

# A component's box reaches this many standard deviations from its centre.
BOUNDS_STDS = 4.0
# Each side of a bounding box is widened by this fraction of its extent.
BOUNDS_PADDING = 0.05


def padded_box(low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Widen the box (low, high) by ``BOUNDS_PADDING`` of its extent on each side."""
    extent = np.maximum(high - low, 1e-12)
    return low - BOUNDS_PADDING * extent, high + BOUNDS_PADDING * extent


class GaussianMixture(Distribution):
    """Mixture of Gaussians with diagonal covariances.

    ``centers`` and ``stds`` have shape (K, dim), ``weights`` shape (K,).
    """

    def __init__(self, name: str, centers, stds, weights):
        centers = np.asarray(centers, dtype=np.float64)
        stds = np.broadcast_to(np.asarray(stds, dtype=np.float64), centers.shape).copy()
        weights = np.asarray(weights, dtype=np.float64)
        self.name = name
        self.dim = centers.shape[1]
        self._modes = Modes(centers=centers, stds=stds, weights=weights / weights.sum())
        self._centers = torch.from_numpy(centers)
        self._stds = torch.from_numpy(stds)
        self._weights = torch.from_numpy(self._modes.weights)

    @property
    def modes(self) -> Modes:
        return self._modes

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        samples, _ = self.sample_labelled(n, generator)
        return samples

    def sample_labelled(
        self, n: int, generator: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw ``n`` samples (n, dim) and the index of the component each came from (n,)."""
        n = check_sample_count(n)
        labels = choose_components(self._weights, n, generator)
        noise = torch.randn(n, self.dim, generator=generator, dtype=torch.float64)
        samples = self._centers[labels] + self._stds[labels] * noise
        return samples, labels

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        centers, stds = self._modes.centers, self._modes.stds
        low = np.min(centers - BOUNDS_STDS * stds, axis=0)
        high = np.max(centers + BOUNDS_STDS * stds, axis=0)
        return padded_box(low, high)


def ring_centers(modes: int, radius: float, start_angle_degrees: float) -> np.ndarray:
    """Return (modes, 2) centres evenly spaced on a circle, the first at ``start_angle``."""
    angles = math.radians(start_angle_degrees) + 2.0 * math.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid_centers(side: int, spacing: float) -> np.ndarray:
    """Return (side², 2) centres of a side x side grid centred at the origin, row-major in x."""
    offsets = (np.arange(side) - (side - 1) / 2.0) * spacing
    x, y = np.meshgrid(offsets, offsets, indexing="ij")
    return np.stack([x.ravel(), y.ravel()], axis=1)


RING_FIELDS = [
    Field("modes", int, 8, "number of Gaussians on the circle", low=1, high=10000),
    Field("radius", float, 1.0, "radius of the circle of centres", unit="data units",
          low=0, low_open=True, typical="1 (VEEGAN) or 2 (Unrolled GAN)"),
    Field("std", float, 0.05, "standard deviation of each Gaussian, per axis",
          unit="data units", low=0, low_open=True, typical="0.01 to 0.05"),
    Field("start_angle", float, 0.0, "angle of the first centre, counter-clockwise from +x",
          unit="degrees"),
]


@DATASETS.register(
    "ring",
    description="K equally weighted Gaussians evenly spaced on a circle",
    source="Metz et al. 2016 (Unrolled GAN); Srivastava et al. 2017 (VEEGAN)",
    fields=RING_FIELDS,
)
def make_ring(params: dict) -> GaussianMixture:
    """Build the ring of Gaussians."""
    centers = ring_centers(params["modes"], params["radius"], params["start_angle"])
    weights = np.full(params["modes"], 1.0 / params["modes"])
    return GaussianMixture("ring", centers, params["std"], weights)


GRID_FIELDS = [
    Field("side", int, 5, "Gaussians per row and per column (side² in total)", low=1, high=100),
    Field("spacing", float, 2.0, "distance between neighbouring centres", unit="data units",
          low=0, low_open=True),
    Field("std", float, 0.05, "standard deviation of each Gaussian, per axis",
          unit="data units", low=0, low_open=True, typical="0.05"),
]


@DATASETS.register(
    "grid",
    description="side x side equally weighted Gaussians on a square grid centred at the origin",
    source="Srivastava et al. 2017 (VEEGAN); Gulrajani et al. 2017 (WGAN-GP)",
    fields=GRID_FIELDS,
)
def make_grid(params: dict) -> GaussianMixture:
    """Build the grid of Gaussians."""
    centers = grid_centers(params["side"], params["spacing"])
    weights = np.full(len(centers), 1.0 / len(centers))
    return GaussianMixture("grid", centers, params["std"], weights)


MIXTURE_FIELDS = [
    Field("centers", list, [[-1.0, 0.0], [1.0, 0.0]],
          "component centres, a list of [x, y] (2D) or [x] (1D) points", unit="data units",
          item=list, low=1),
    Field("stds", list, [0.1], "standard deviation of each component (isotropic); "
          "one value applies to all", unit="data units", item=float, low=1),
    Field("weights", list, [], "mixture weights, normalized to sum 1; empty means equal",
          item=float),
]


@DATASETS.register(
    "mixture",
    description="user-given Gaussian mixture in 1D or 2D",
    fields=MIXTURE_FIELDS,
)
def make_mixture(params: dict) -> GaussianMixture:
    """Build a mixture from explicit centres, stds and weights."""
    centers = params["centers"]
    dims = {len(center) for center in centers}
    if len(dims) != 1 or dims.pop() not in (1, 2):
        raise ConfigError(
            "data.centers: every centre must have the same length, 1 (1D) or 2 (2D); "
            f"got lengths {[len(center) for center in centers]} "
            "(use dataset mixture_hd for more dimensions)"
        )
    count = len(centers)
    stds = broadcast_list("stds", params["stds"], count, "centre")
    require_positive("stds", stds)
    weights = mixture_weights("weights", params["weights"], count)
    return GaussianMixture("mixture", centers, stds[:, None], weights)


MIXTURE1D_FIELDS = [
    Field("centers", list, [-2.0, 2.0], "component centres", unit="data units",
          item=float, low=1),
    Field("stds", list, [0.5], "standard deviation of each component; one value applies to all",
          unit="data units", item=float, low=1),
    Field("weights", list, [], "mixture weights, normalized to sum 1; empty means equal",
          item=float),
]


@DATASETS.register(
    "mixture1d",
    description="1D Gaussian mixture",
    fields=MIXTURE1D_FIELDS,
)
def make_mixture1d(params: dict) -> GaussianMixture:
    """Build a 1D mixture."""
    centers = np.asarray(params["centers"], dtype=np.float64)[:, None]
    stds = broadcast_list("stds", params["stds"], len(centers), "centre")
    require_positive("stds", stds)
    weights = mixture_weights("weights", params["weights"], len(centers))
    return GaussianMixture("mixture1d", centers, stds[:, None], weights)


GAUSSIAN_FIELDS = [
    Field("mean", list, [0.0, 0.0], "mean, [x, y] for 2D or [x] for 1D", unit="data units",
          item=float, low=1, high=2),
    Field("std", list, [1.0], "standard deviation per axis; one value applies to all axes",
          unit="data units", item=float, low=1, high=2),
]


@DATASETS.register(
    "gaussian",
    description="a single Gaussian with diagonal covariance in 1D or 2D",
    fields=GAUSSIAN_FIELDS,
)
def make_gaussian(params: dict) -> GaussianMixture:
    """Build a single Gaussian (a one-component mixture)."""
    mean = np.asarray(params["mean"], dtype=np.float64)
    stds = broadcast_list("std", params["std"], len(mean), "axis")
    require_positive("std", stds)
    return GaussianMixture("gaussian", mean[None, :], stds[None, :], np.ones(1))
