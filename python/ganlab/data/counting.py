"""Counting toys: 1D signals and small images that contain k bumps or dots.

A real sample is a signal of ``length`` values (``count1d``) or a flattened
``size`` x ``size`` image (``count2d``) holding k Gaussian bumps of peak 1 and
width ``width``, with k drawn from ``counts`` with ``count_weights``. Bump
centres sit on the integer grid and keep a minimum distance ``gap`` (see
``minimum_gap``), so ``count_objects`` recovers k exactly on real samples.
A generator that learns the data should reproduce the distribution of k.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from scipy import ndimage

from ganlab.data.base import Distribution
from ganlab.data.catalog import DATASETS
from ganlab.data.mixtures import padded_box
from ganlab.data.params import check_sample_count, choose_components, mixture_weights
from ganlab.errors import ConfigError, UsageError
from ganlab.fields import Field

# Counting threshold as a fraction of the bump peak (1).
DEFAULT_THRESHOLD = 0.5
# Distance from a bump centre at which it falls to half its peak, in units of width.
HALF_PEAK_RADIUS = math.sqrt(2.0 * math.log(2.0))
COUNT_KINDS = ("count1d", "count2d")
COUNT_METHODS = ("components", "maxima")


def minimum_gap(width: float) -> int:
    """Return the smallest centre distance (grid steps) that keeps bumps countable.

    Two bumps at distance g sum to 2·exp(−g²/(8 width²)) midway, which is below
    the threshold 1/2 when g > 2 width √(2 ln 4). Their above-threshold regions
    (radius ``HALF_PEAK_RADIUS`` · width) must also stay at least one grid step
    apart, so that they are not neighbours even diagonally.
    """
    valley = math.floor(2.0 * width * math.sqrt(2.0 * math.log(4.0))) + 1
    separate = 2 * math.floor(HALF_PEAK_RADIUS * width) + 2
    return max(2, valley, separate)


class CountingDistribution(Distribution):
    """Signals or images with a random number of Gaussian bumps."""

    def __init__(self, name: str, side: int, spatial_dims: int, counts, count_weights,
                 width: float):
        self.name = name
        self.side = side
        self.spatial_dims = spatial_dims
        self.dim = side**spatial_dims
        self.counts = np.asarray(counts, dtype=np.int64)
        self.count_weights = np.asarray(count_weights, dtype=np.float64)
        self.width = width
        self.gap = minimum_gap(width)
        self.margin = math.floor(HALF_PEAK_RADIUS * width)
        self._check_fits()
        grid = np.stack(np.meshgrid(*[np.arange(side)] * spatial_dims, indexing="ij"), axis=-1)
        self._grid = torch.from_numpy(grid.reshape(-1, spatial_dims).astype(np.float64))

    def _check_fits(self) -> None:
        usable = self.side - 2 * self.margin
        max_count = int(self.counts.max())
        if self.spatial_dims == 1:
            fits = usable >= 1 and (max_count - 1) * self.gap + 1 <= usable
            key = "length"
        else:
            # Random sequential placement always finds a free cell when the
            # cells blocked by the earlier dots cannot cover the usable square.
            fits = usable >= 1 and (max_count - 1) * (2 * self.gap - 1) ** 2 < usable**2
            key = "size"
        if not fits:
            raise ConfigError(
                f"data.counts: {max_count} bumps of width {self.width:g} need centres {self.gap} "
                f"apart and do not fit in data.{key} = {self.side}; "
                f"increase data.{key} or lower data.counts or data.width"
            )

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        samples, _ = self.sample_with_counts(n, generator)
        return samples

    def sample_with_counts(
        self, n: int, generator: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw ``n`` samples (n, dim) and the number of bumps in each (n,)."""
        n = check_sample_count(n)
        weights = torch.from_numpy(self.count_weights)
        k = torch.from_numpy(self.counts)[choose_components(weights, n, generator)]
        if self.spatial_dims == 1:
            centres = self._place_on_line(k, generator)
        else:
            centres = self._place_on_square(k, generator)
        return self._render(centres), k

    def _place_on_line(self, k: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Return centres (n, k_max, 1), NaN where unused, uniform over valid placements.

        Placements of k centres in ``usable`` cells with gaps >= g correspond one to
        one to k-subsets of usable − (k − 1)(g − 1) slots: sorted slot v_i maps to
        centre margin + v_i + i (g − 1).
        """
        n, max_count = len(k), int(self.counts.max())
        usable = self.side - 2 * self.margin
        slots = usable - (k - 1).clamp(min=0) * (self.gap - 1)
        keys = torch.rand(n, usable, generator=generator, dtype=torch.float64)
        keys[torch.arange(usable)[None, :] >= slots[:, None]] = math.inf
        chosen = torch.topk(keys, max_count, dim=1, largest=False).indices.to(torch.float64)
        unused = torch.arange(max_count)[None, :] >= k[:, None]
        chosen[unused] = math.inf
        chosen, _ = torch.sort(chosen, dim=1)
        centres = self.margin + chosen + torch.arange(max_count) * (self.gap - 1)
        centres[unused] = math.nan
        return centres[:, :, None]

    def _place_on_square(self, k: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Return centres (n, k_max, 2), NaN where unused, by random sequential placement.

        Each dot is drawn uniformly from the cells that are at Chebyshev distance
        >= gap from the dots already placed.
        """
        n, max_count, side = len(k), int(self.counts.max()), self.side
        cells = self._grid.to(torch.int64)
        inside = ((cells >= self.margin) & (cells < side - self.margin)).all(dim=1)
        distance = (cells[:, None, :] - cells[None, :, :]).abs().max(dim=2).values
        blocks = distance < self.gap
        free = inside.expand(n, -1).clone()
        centres = torch.full((n, max_count, 2), math.nan, dtype=torch.float64)
        for index in range(max_count):
            placing = k > index
            if not placing.any():
                break
            weights = free[placing].to(torch.float64)
            picked = torch.multinomial(weights, 1, generator=generator)[:, 0]
            centres[placing, index] = self._grid[picked]
            free[placing] &= ~blocks[picked]
        return centres

    def _render(self, centres: torch.Tensor) -> torch.Tensor:
        """Sum unit-peak Gaussian bumps at ``centres`` (n, k_max, d) over the grid."""
        offsets = self._grid[None, None, :, :] - centres[:, :, None, :]
        squared = (offsets**2).sum(dim=3)
        bumps = torch.exp(-squared / (2.0 * self.width**2))
        return torch.nan_to_num(bumps, nan=0.0).sum(dim=1)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        # A value is at most the peak 1 plus the tails of the other bumps, each
        # at least ``gap`` away.
        tails = (int(self.counts.max()) - 1) * math.exp(-self.gap**2 / (2.0 * self.width**2))
        return padded_box(np.zeros(self.dim), np.full(self.dim, 1.0 + tails))


def _count_setup(params: dict) -> tuple[list[int], np.ndarray]:
    counts = params["counts"]
    if len(set(counts)) != len(counts):
        raise ConfigError(f"data.counts: values must be distinct, got {counts}")
    for value in counts:
        if value < 0:
            raise ConfigError(f"data.counts: values must be >= 0, got {value}")
    return counts, mixture_weights("count_weights", params["count_weights"], len(counts))


COUNT_COMMON_FIELDS = [
    Field("counts", list, [1, 2, 3], "possible numbers of bumps in a sample", item=int, low=1),
    Field("count_weights", list, [], "probability of each entry of counts, normalized; "
          "empty means equal", item=float),
]


@DATASETS.register(
    "count1d",
    description="1D signals with k Gaussian bumps at random, well-separated positions",
    fields=[
        Field("length", int, 32, "samples per signal (the data dimension)", low=2, high=4096),
        *COUNT_COMMON_FIELDS,
        Field("width", float, 1.0, "standard deviation of each bump", unit="samples",
              low=0.1, high=64),
    ],
)
def make_count1d(params: dict) -> CountingDistribution:
    """Build the 1D counting toy.

    A signal is x[i] = Σ_j exp(−(i − p_j)² / (2 width²)), i = 0 … length − 1,
    over k integer centres p_j. The centres are drawn uniformly among all
    placements that keep them ``minimum_gap(width)`` apart and at least
    floor(1.18 width) from either end. ``count_objects(samples, "count1d")``
    (threshold 1/2, then count runs above it) returns k exactly for these
    signals.
    """
    counts, weights = _count_setup(params)
    return CountingDistribution("count1d", params["length"], 1, counts, weights, params["width"])


@DATASETS.register(
    "count2d",
    description="size x size images with k Gaussian dots at random, well-separated pixels",
    fields=[
        Field("size", int, 8, "image side in pixels (the data dimension is size²)",
              low=2, high=256),
        *COUNT_COMMON_FIELDS,
        Field("width", float, 0.5, "standard deviation of each dot", unit="pixels",
              low=0.1, high=32),
    ],
)
def make_count2d(params: dict) -> CountingDistribution:
    """Build the 2D counting toy.

    An image is the sum of unit-peak Gaussian dots exp(−‖q − p_j‖² / (2 width²))
    over pixels q, flattened row by row to size² values. The k integer centres
    are placed one after another, each uniformly among the pixels at Chebyshev
    distance >= ``minimum_gap(width)`` from the earlier ones (random sequential
    placement, not uniform over all valid placements).
    ``count_objects(samples, "count2d")`` (threshold 1/2, then count
    8-connected pixel groups) returns k exactly for these images.
    """
    counts, weights = _count_setup(params)
    return CountingDistribution("count2d", params["size"], 2, counts, weights, params["width"])


def count_objects(
    samples, kind: str, *, threshold: float = DEFAULT_THRESHOLD, method: str = "components",
    size: int | None = None,
) -> np.ndarray:
    """Count the bumps in each sample; return an int64 array of shape (n,).

    ``samples`` is (n, length) for ``count1d`` or (n, size²) for ``count2d``
    (images flattened row by row). ``method="components"`` marks values above
    ``threshold`` and counts connected runs (1D) or 8-connected pixel groups
    (2D). ``method="maxima"`` counts values above ``threshold`` that are local
    maxima: greater than the left (1D) or earlier-in-raster (2D) neighbours and
    at least equal to the others, so a flat top counts once when it spans one
    or two cells in 1D.
    """
    if kind not in COUNT_KINDS:
        raise UsageError(f"count kind {kind!r} is unknown; accepted kinds: {', '.join(COUNT_KINDS)}")
    if method not in COUNT_METHODS:
        raise UsageError(
            f"count method {method!r} is unknown; accepted methods: {', '.join(COUNT_METHODS)}"
        )
    values = samples.detach().cpu().numpy() if isinstance(samples, torch.Tensor) else samples
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2:
        raise UsageError(f"samples must have shape (n, dim), got shape {values.shape}")

    if kind == "count1d":
        return _count_1d(values, threshold, method)

    if size is None:
        size = math.isqrt(values.shape[1])
    if size * size != values.shape[1]:
        raise UsageError(
            f"count2d samples need size² values per row; {values.shape[1]} is not "
            f"{size}² (pass size=)"
        )
    return _count_2d(values.reshape(-1, size, size), threshold, method)


def _count_1d(values: np.ndarray, threshold: float, method: str) -> np.ndarray:
    if method == "components":
        above = values > threshold
        starts = above[:, 1:] & ~above[:, :-1]
        return above[:, 0].astype(np.int64) + starts.sum(axis=1)

    padded = np.pad(values, ((0, 0), (1, 1)), constant_values=-np.inf)
    centre = padded[:, 1:-1]
    peaks = (centre > threshold) & (centre > padded[:, :-2]) & (centre >= padded[:, 2:])
    return peaks.sum(axis=1).astype(np.int64)


def _count_2d(images: np.ndarray, threshold: float, method: str) -> np.ndarray:
    if method == "components":
        eight_neighbours = np.ones((3, 3), dtype=bool)
        return np.array(
            [ndimage.label(image > threshold, structure=eight_neighbours)[1] for image in images],
            dtype=np.int64,
        )

    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    centre = padded[:, 1:-1, 1:-1]
    peaks = centre > threshold
    rows, cols = centre.shape[1], centre.shape[2]
    for d_row, d_col in [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]:
        neighbour = padded[:, 1 + d_row: 1 + d_row + rows, 1 + d_col: 1 + d_col + cols]
        earlier = d_row < 0 or (d_row == 0 and d_col < 0)
        peaks &= (centre > neighbour) if earlier else (centre >= neighbour)
    return peaks.sum(axis=(1, 2)).astype(np.int64)
