"""High-dimensional Gaussian mixture on a random linear subspace.

The setup follows VEEGAN (Srivastava et al. 2017), which tests mode collapse on
a mixture of 10 Gaussians whose samples lie in a 700-dimensional subspace of a
1200-dimensional space. Mode centres and the within-mode spread are ganlab's
own choice (see ``make_mixture_hd``), so that the modes stay well separated
both in D dimensions and in the 2D view given by ``projection()``.
"""

from __future__ import annotations

import numpy as np
import torch

from ganlab.data.catalog import DATASETS
from ganlab.data.mixtures import GaussianMixture
from ganlab.data.params import check_sample_count, choose_components
from ganlab.errors import ConfigError
from ganlab.fields import Field

class SubspaceMixture(GaussianMixture):
    """Mixture of isotropic Gaussians living in a ``subspace_dim``-dimensional subspace.

    A sample is ``basis @ (c_k + std * e)`` with e ~ N(0, I) in subspace
    coordinates, where ``basis`` (dim, subspace_dim) has orthonormal columns.
    ``modes.stds`` contains each ambient coordinate's std within a mode,
    std * (row norm of ``basis``), since the covariance std² · basis basisᵀ is
    not diagonal.
    """

    def __init__(self, name: str, basis: np.ndarray, subspace_centers: np.ndarray, std: float):
        centers = subspace_centers @ basis.T
        axis_stds = std * np.sqrt(np.sum(basis**2, axis=1))
        weights = np.full(len(centers), 1.0 / len(centers))
        super().__init__(name, centers, np.broadcast_to(axis_stds, centers.shape), weights)
        self.basis = basis
        self.subspace_centers = subspace_centers
        self.subspace_std = std
        self._basis = torch.from_numpy(basis)
        self._subspace_centers = torch.from_numpy(subspace_centers)
        self._projection = self._principal_axes()

    def sample_labelled(
        self, n: int, generator: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        n = check_sample_count(n)
        labels = choose_components(self._weights, n, generator)
        noise = torch.randn(n, self.basis.shape[1], generator=generator, dtype=torch.float64)
        coordinates = self._subspace_centers[labels] + self.subspace_std * noise
        return coordinates @ self._basis.T, labels

    def projection(self) -> np.ndarray:
        """Return the fixed (2, dim) matrix with orthonormal rows that maps samples to 2D.

        Its rows are the top-2 principal axes of the real distribution, each
        signed so that its largest-magnitude entry is positive (see
        ``principal_axes``).
        """
        return self._projection.copy()

    def _principal_axes(self) -> np.ndarray:
        axes = principal_axes(self.subspace_centers, self._modes.weights) @ self.basis.T
        for row in axes:
            if row[np.argmax(np.abs(row))] < 0:
                row *= -1.0
        return axes


def principal_axes(centers: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Return the top-2 principal axes (2, p) of a mixture of isotropic Gaussians.

    The covariance is sum_k w_k (c_k − μ)(c_k − μ)ᵀ + std² I, and the isotropic
    term shifts every eigenvalue equally, so the axes are the top right singular
    vectors of the weighted, centred centres. This is the limit of a principal
    component analysis of a large sample; a finite sample's second axis can
    turn far when the second and third eigenvalues are close. When the centres
    span fewer than 2 directions, the axes are completed with the first
    coordinate directions, made orthogonal to the ones found.
    """
    mean = weights @ centers
    weighted = np.sqrt(weights)[:, None] * (centers - mean)
    _, singular_values, right = np.linalg.svd(weighted, full_matrices=False)
    tolerance = 1e-12 * max(float(singular_values.max(initial=0.0)), 1.0)
    axes = [row for row, value in zip(right, singular_values) if value > tolerance][:2]

    for unit in np.eye(centers.shape[1]):
        if len(axes) == 2:
            break
        candidate = unit - sum((unit @ axis) * axis for axis in axes)
        norm = np.linalg.norm(candidate)
        if norm > 1e-6:
            axes.append(candidate / norm)
    return np.stack(axes)


MIXTURE_HD_FIELDS = [
    Field("modes", int, 10, "number of Gaussians", low=1, high=1000),
    Field("dim", int, 1200, "dimension of the data space", low=2, high=100000),
    Field("subspace_dim", int, 700, "dimension of the random subspace holding the data",
          low=2, high=100000),
    Field("spread", float, 1.0, "std of each subspace coordinate of the mode centres",
          unit="data units", low=0, low_open=True),
    Field("std", float, 0.1, "std of each mode along every subspace direction",
          unit="data units", low=0, low_open=True),
    Field("seed", int, 0, "seed of the random subspace and of the mode centres",
          low=0),
]


@DATASETS.register(
    "mixture_hd",
    description="K Gaussians on a random subspace of a high-dimensional space",
    source="Srivastava et al. 2017 (VEEGAN): 10 modes, 700-dimensional subspace of 1200 "
    "dimensions",
    fields=MIXTURE_HD_FIELDS,
)
def make_mixture_hd(params: dict) -> SubspaceMixture:
    """Build the subspace mixture.

    With seed s, a generator seeded s draws a (dim, subspace_dim) standard
    normal matrix whose QR factor Q (columns signed so that diag(R) > 0) is the
    basis, then the centres c_k ~ N(0, spread² I) in subspace coordinates.
    Each mode adds N(0, std² I) in subspace coordinates. ``projection()``
    returns the top-2 principal axes of this distribution, computed exactly
    from the centres and weights.

    NOTE: the sizes (10 modes, 700 of 1200 dimensions) follow VEEGAN; the
    centre spread and the within-mode std are not taken from that paper.
    """
    dim, subspace_dim = params["dim"], params["subspace_dim"]
    if subspace_dim > dim:
        raise ConfigError(
            f"data.subspace_dim: value {subspace_dim} exceeds data.dim = {dim}; "
            "the subspace must fit in the data space"
        )

    generator = torch.Generator().manual_seed(params["seed"])
    gaussian = torch.randn(dim, subspace_dim, generator=generator, dtype=torch.float64)
    basis, triangular = torch.linalg.qr(gaussian)
    basis = basis * torch.sign(torch.diagonal(triangular))
    centers = params["spread"] * torch.randn(
        params["modes"], subspace_dim, generator=generator, dtype=torch.float64
    )
    return SubspaceMixture("mixture_hd", basis.numpy(), centers.numpy(), params["std"])

