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

# Size of the fixed-seed real sample whose top-2 principal components define projection().
PROJECTION_SAMPLE_SIZE = 4096


class SubspaceMixture(GaussianMixture):
    """Mixture of isotropic Gaussians living in a ``subspace_dim``-dimensional subspace.

    A sample is ``basis @ (c_k + std * e)`` with e ~ N(0, I) in subspace
    coordinates, where ``basis`` (dim, subspace_dim) has orthonormal columns.
    ``modes.stds`` holds each ambient coordinate's std within a mode,
    std * (row norm of ``basis``), since the covariance std² · basis basisᵀ is
    not diagonal.
    """

    def __init__(self, name: str, basis: np.ndarray, subspace_centers: np.ndarray, std: float,
                 seed: int):
        centers = subspace_centers @ basis.T
        axis_stds = std * np.sqrt(np.sum(basis**2, axis=1))
        weights = np.full(len(centers), 1.0 / len(centers))
        super().__init__(name, centers, np.broadcast_to(axis_stds, centers.shape), weights)
        self.basis = basis
        self.subspace_centers = subspace_centers
        self.subspace_std = std
        self._basis = torch.from_numpy(basis)
        self._subspace_centers = torch.from_numpy(subspace_centers)
        self._projection = self._principal_axes(seed)

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

        Its rows are the top-2 principal components of a real sample of
        ``PROJECTION_SAMPLE_SIZE`` points drawn with seed ``seed + 1``, each
        signed so that its largest-magnitude entry is positive.
        """
        return self._projection.copy()

    def _principal_axes(self, seed: int) -> np.ndarray:
        # Samples lie in span(basis), so the principal components of the subspace
        # coordinates, mapped through basis, equal those of the ambient samples.
        generator = torch.Generator().manual_seed(seed + 1)
        labels = choose_components(self._weights, PROJECTION_SAMPLE_SIZE, generator)
        noise = torch.randn(PROJECTION_SAMPLE_SIZE, self.basis.shape[1], generator=generator,
                            dtype=torch.float64)
        coordinates = (self._subspace_centers[labels] + self.subspace_std * noise).numpy()
        centred = coordinates - coordinates.mean(axis=0)
        _, _, right = np.linalg.svd(centred, full_matrices=False)
        axes = right[:2] @ self.basis.T
        for row in axes:
            if row[np.argmax(np.abs(row))] < 0:
                row *= -1.0
        return axes


MIXTURE_HD_FIELDS = [
    Field("modes", int, 10, "number of Gaussians", low=1, high=1000),
    Field("dim", int, 1200, "dimension of the data space", low=2, high=100000),
    Field("subspace_dim", int, 700, "dimension of the random subspace holding the data",
          low=1, high=100000),
    Field("spread", float, 1.0, "std of each subspace coordinate of the mode centres",
          unit="data units", low=0, low_open=True),
    Field("std", float, 0.1, "std of each mode along every subspace direction",
          unit="data units", low=0, low_open=True),
    Field("seed", int, 0, "seed of the subspace, the centres and the projection sample",
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
    return SubspaceMixture(
        "mixture_hd", basis.numpy(), centers.numpy(), params["std"], params["seed"]
    )

