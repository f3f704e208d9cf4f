"""Distances between two sample sets: W2, MMD, energy distance, histogram KL/JS, KS.

All functions take (n, d) and (m, d) float arrays (1D arrays are read as
d = 1) and return a float. ``docs/metrics.md`` gives each formula and source.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.spatial.distance import cdist

from ganlab.errors import UsageError


def _points(array: np.ndarray, name: str) -> np.ndarray:
    points = np.asarray(array, dtype=np.float64)
    if points.ndim == 1:
        points = points[:, None]
    if points.ndim != 2 or len(points) == 0:
        raise UsageError(f"{name}: expected a non-empty (n, d) array of points, got shape {points.shape}")
    return points


def _pair(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = _points(x, "x")
    y = _points(y, "y")
    if x.shape[1] != y.shape[1]:
        raise UsageError(f"point sets of dimension {x.shape[1]} and {y.shape[1]} cannot be compared")
    return x, y


def wasserstein2(x: np.ndarray, y: np.ndarray) -> float:
    """Return the exact Wasserstein-2 distance between the empirical measures of ``x`` and ``y``.

    W2 = sqrt(min_P sum_ij P_ij ||x_i - y_j||^2) over couplings P of uniform
    weights, solved exactly as a linear program by POT's ``ot.emd2`` (network
    simplex). The solver's cost grows roughly cubically with the set size.
    Returns NaN when either set holds a non-finite value.
    """
    import ot

    x, y = _pair(x, y)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        return float("nan")

    cost = ot.dist(x, y, metric="sqeuclidean")
    weights_x = np.full(len(x), 1.0 / len(x))
    weights_y = np.full(len(y), 1.0 / len(y))
    squared = ot.emd2(weights_x, weights_y, cost, numItermax=10_000_000)
    return float(np.sqrt(max(float(squared), 0.0)))


# The recorder compares every snapshot with the same real points, so terms that depend on
# one point set only are cached by the set's bytes. Sets up to 128 kB are cached (8192
# points in 2D), at most 64 per cached term, so each cache keeps under about 8 MB of keys.
_CACHED_SET_BYTES = 128 * 1024
_CACHED_SETS = 64


def _cache_key(points: np.ndarray) -> tuple[bytes, tuple[int, ...]] | None:
    if points.nbytes > _CACHED_SET_BYTES:
        return None
    return np.ascontiguousarray(points).tobytes(), points.shape


def _from_key(data: bytes, shape: tuple[int, ...]) -> np.ndarray:
    return np.frombuffer(data, dtype=np.float64).reshape(shape)


def median_bandwidth(points: np.ndarray) -> float:
    """Return the median pairwise Euclidean distance of ``points`` (the median heuristic).

    Gretton et al. 2012 ("A kernel two-sample test", JMLR 13) set the Gaussian
    kernel width to the median distance between points. Returns 1.0 when all
    points coincide.
    """
    points = _points(points, "points")
    key = _cache_key(points)
    if key is None:
        return _median_distance(points)
    return _cached_median_distance(*key)


@functools.lru_cache(maxsize=_CACHED_SETS)
def _cached_median_distance(data: bytes, shape: tuple[int, ...]) -> float:
    return _median_distance(_from_key(data, shape))


def _median_distance(points: np.ndarray) -> float:
    distances = cdist(points, points)
    upper = distances[np.triu_indices(len(points), k=1)]
    upper = upper[upper > 0]
    return float(np.median(upper)) if len(upper) else 1.0


def mmd2(
    x: np.ndarray,
    y: np.ndarray,
    bandwidths: list[float] | tuple[float, ...] | None = None,
    unbiased: bool = True,
) -> float:
    """Return the squared maximum mean discrepancy with a Gaussian kernel.

    k(a, b) = sum_h exp(-||a - b||^2 / (2 h^2)) over ``bandwidths`` h (the
    median heuristic on the pooled sample when None). The unbiased estimator
    of Gretton et al. 2012 drops the i = j terms of the within-set sums:
    MMD^2_u = mean_{i!=j} k(x_i, x_j) + mean_{i!=j} k(y_i, y_j) - 2 mean_ij k(x_i, y_j).
    It can be slightly negative when the distributions agree. The biased
    estimator keeps the i = j terms and is 0 for identical sets.
    """
    x, y = _pair(x, y)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        return float("nan")
    if unbiased and (len(x) < 2 or len(y) < 2):
        raise UsageError("the unbiased MMD estimator needs at least 2 points in each set")
    if bandwidths is None or len(bandwidths) == 0:
        bandwidths = [median_bandwidth(np.concatenate([x, y]))]
    bandwidths = tuple(float(h) for h in bandwidths)

    within_x = _within_kernel_mean(x, bandwidths, unbiased)
    key = _cache_key(y)
    if key is None:
        within_y = _within_kernel_mean(y, bandwidths, unbiased)
    else:
        within_y = _cached_within_kernel_mean(*key, bandwidths, unbiased)
    return float(within_x + within_y - 2.0 * _gaussian_kernel(x, y, bandwidths).mean())


def _gaussian_kernel(a: np.ndarray, b: np.ndarray, bandwidths: tuple[float, ...]) -> np.ndarray:
    squared = cdist(a, b, metric="sqeuclidean")
    return sum(np.exp(-squared / (2.0 * h * h)) for h in bandwidths)


def _within_kernel_mean(points: np.ndarray, bandwidths: tuple[float, ...],
                        unbiased: bool) -> float:
    """Return the mean kernel value within one set, without the i = j terms when unbiased."""
    kernel = _gaussian_kernel(points, points, bandwidths)
    if unbiased:
        n = len(points)
        return (kernel.sum() - np.trace(kernel)) / (n * (n - 1))
    return kernel.mean()


@functools.lru_cache(maxsize=_CACHED_SETS)
def _cached_within_kernel_mean(data: bytes, shape: tuple[int, ...],
                               bandwidths: tuple[float, ...], unbiased: bool) -> float:
    return _within_kernel_mean(_from_key(data, shape), bandwidths, unbiased)


def energy_distance(x: np.ndarray, y: np.ndarray) -> float:
    """Return the energy distance 2 E||X - Y|| - E||X - X'|| - E||Y - Y'|| of the empirical measures.

    This is the energy distance of Székely and Rizzo (2013, "Energy statistics:
    a class of statistics based on distances") between the two empirical
    distributions. The within-set means run over all pairs including i = j
    (a V-statistic), so identical sets give 0. It
    is the square of what ``scipy.stats.energy_distance`` returns in 1D.
    """
    x, y = _pair(x, y)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        return float("nan")
    between = cdist(x, y).mean()
    within_x = cdist(x, x).mean()
    key = _cache_key(y)
    within_y = cdist(y, y).mean() if key is None else _cached_within_distance_mean(*key)
    return float(2.0 * between - within_x - within_y)


@functools.lru_cache(maxsize=_CACHED_SETS)
def _cached_within_distance_mean(data: bytes, shape: tuple[int, ...]) -> float:
    points = _from_key(data, shape)
    return cdist(points, points).mean()


def histogram_range(
    points: np.ndarray, padding: float = 0.1
) -> list[tuple[float, float]]:
    """Return per-axis (low, high) of ``points``' bounding box, widened by ``padding`` of its size."""
    points = _points(points, "points")
    low = points.min(axis=0)
    high = points.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    return [(float(a - padding * s), float(b + padding * s)) for a, b, s in zip(low, high, span)]


def histogram(
    points: np.ndarray, bins: int, value_range: list[tuple[float, float]], epsilon: float
) -> np.ndarray:
    """Return smoothed bin probabilities of ``points`` on a regular grid over ``value_range``.

    Points outside the range are clipped into the edge bins, so every point
    counts. p_i = (c_i / n + epsilon) / (1 + B epsilon) for B bins.
    """
    points = _points(points, "points")
    low = np.array([r[0] for r in value_range])
    high = np.array([r[1] for r in value_range])
    finite = np.all(np.isfinite(points), axis=1)
    clipped = np.clip(points[finite], low, high)
    counts, _ = np.histogramdd(clipped, bins=bins, range=value_range)

    total = max(len(points), 1)
    probabilities = counts.ravel() / total + epsilon
    return probabilities / probabilities.sum()


def histogram_divergences(
    real: np.ndarray,
    generated: np.ndarray,
    bins: int = 20,
    epsilon: float = 1e-6,
    value_range: list[tuple[float, float]] | None = None,
) -> tuple[float, float]:
    """Return (KL(P_real || P_gen), JS(P_real, P_gen)) in nats on a shared histogram grid.

    Both sets are binned on ``bins`` bins per axis over ``value_range``
    (default: the real points' bounding box widened by 10 %) and smoothed by
    ``epsilon`` (see ``histogram``), which bounds KL by about log(1 / epsilon).
    JS = KL(P || M) / 2 + KL(Q || M) / 2 with M = (P + Q) / 2, at most log 2.
    Returns NaN for both when a generated point is not finite.
    """
    real, generated = _pair(real, generated)
    if not np.all(np.isfinite(generated)):
        return float("nan"), float("nan")
    if value_range is None:
        value_range = histogram_range(real)

    p = histogram(real, bins, value_range, epsilon)
    q = histogram(generated, bins, value_range, epsilon)
    mixture = 0.5 * (p + q)
    kl = float(np.sum(p * np.log(p / q)))
    js = float(0.5 * np.sum(p * np.log(p / mixture)) + 0.5 * np.sum(q * np.log(q / mixture)))
    return kl, js


def ks_distance(x: np.ndarray, y: np.ndarray) -> float:
    """Return the two-sample Kolmogorov-Smirnov statistic sup_t |F_x(t) - F_y(t)| for 1D samples.

    The empirical CDFs are compared at every sample value, where the supremum
    is attained; the result equals ``scipy.stats.ks_2samp(x, y).statistic``.
    """
    x, y = _pair(x, y)
    if x.shape[1] != 1:
        raise UsageError(f"the KS distance is defined for 1D samples, got {x.shape[1]} dimensions")
    x = np.sort(x[:, 0])
    y = np.sort(y[:, 0])
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        return float("nan")

    values = np.concatenate([x, y])
    cdf_x = np.searchsorted(x, values, side="right") / len(x)
    cdf_y = np.searchsorted(y, values, side="right") / len(y)
    return float(np.max(np.abs(cdf_x - cdf_y)))
