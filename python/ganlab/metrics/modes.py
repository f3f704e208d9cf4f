"""Mode coverage metrics for samples of a Gaussian mixture.

Each sample is assigned to its nearest mixture component. A sample is *high
quality* when it lies within ``threshold`` standard deviations of that mode,
and a mode is *covered* when enough high-quality samples are assigned to it.
These are the mode metrics ("modes captured", "high quality samples") of
VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018).
``docs/metrics.md`` lists the formulas and defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganlab.data.base import Modes
from ganlab.errors import UsageError

ASSIGNMENTS = ("standardized", "euclidean")
COVERAGE_RULES = ("count", "fraction")


@dataclass(frozen=True)
class ModeMetrics:
    """Mode coverage of one sample set.

    ``assignment`` (n,) is the nearest mode of each sample, or -1 when the
    sample is not high quality. ``counts`` (K,) counts high-quality samples per
    mode. ``reverse_kl`` is NaN when no sample is high quality.
    """

    assignment: np.ndarray
    counts: np.ndarray
    covered: np.ndarray
    modes_covered: int
    high_quality: float
    reverse_kl: float


def _as_samples(samples: np.ndarray, dim: int) -> np.ndarray:
    points = np.asarray(samples, dtype=np.float64)
    if points.ndim == 1 and dim == 1:
        points = points[:, None]
    if points.ndim != 2 or points.shape[1] != dim:
        raise UsageError(
            f"samples of shape {points.shape} do not match modes in {dim} dimensions; "
            f"pass an (n, {dim}) array"
        )
    return points


def _per_axis_stds(stds: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    # Isotropic mixtures may store one std per mode (K,) instead of (K, d).
    stds = np.asarray(stds, dtype=np.float64)
    if stds.ndim == 1 and len(stds) == shape[0]:
        stds = stds[:, None]
    return np.broadcast_to(stds, shape)


def mode_distances(samples: np.ndarray, modes: Modes, assignment: str = "standardized") -> np.ndarray:
    """Return the (n, K) distance of every sample to every mode centre.

    ``"standardized"``: sqrt(sum_j (x_j - mu_kj)^2 / sigma_kj^2), the distance
    in units of mode k's per-axis standard deviations.
    ``"euclidean"``: ||x - mu_k|| divided by mode k's root-mean-square standard
    deviation sqrt(mean_j sigma_kj^2), so both rules compare against the same
    threshold in standard deviations; the nearest mode is chosen by the plain
    Euclidean distance (see ``assign_modes``).
    """
    if assignment not in ASSIGNMENTS:
        raise UsageError(
            f"unknown mode assignment {assignment!r}; accepted values: {', '.join(ASSIGNMENTS)}"
        )

    centers = np.asarray(modes.centers, dtype=np.float64)
    stds = _per_axis_stds(modes.stds, centers.shape)
    points = _as_samples(samples, centers.shape[1])
    offsets = points[:, None, :] - centers[None, :, :]

    if assignment == "standardized":
        return np.sqrt(np.sum((offsets / stds[None]) ** 2, axis=-1))

    rms_std = np.sqrt(np.mean(stds**2, axis=-1))
    return np.sqrt(np.sum(offsets**2, axis=-1)) / rms_std[None, :]


def assign_modes(
    samples: np.ndarray,
    modes: Modes,
    threshold: float = 3.0,
    assignment: str = "standardized",
) -> np.ndarray:
    """Return the nearest mode of each sample, or -1 when it is farther than ``threshold`` stds.

    With ``"standardized"`` the nearest mode minimizes the standardized
    distance; with ``"euclidean"`` it minimizes the Euclidean distance, and
    the sample is high quality when it lies within ``threshold`` times that
    mode's standard deviation. Above 2 dimensions the limit is
    ``dimension_threshold(threshold, dim)``. Non-finite samples are never high
    quality.
    """
    distances = mode_distances(samples, modes, assignment)
    if assignment == "standardized":
        nearest = np.argmin(np.where(np.isfinite(distances), distances, np.inf), axis=1)
    else:
        centers = np.asarray(modes.centers, dtype=np.float64)
        points = _as_samples(samples, centers.shape[1])
        euclidean = np.sqrt(np.sum((points[:, None, :] - centers[None]) ** 2, axis=-1))
        nearest = np.argmin(np.where(np.isfinite(euclidean), euclidean, np.inf), axis=1)

    nearest_distance = distances[np.arange(len(distances)), nearest]
    limit = dimension_threshold(threshold, np.asarray(modes.centers).shape[1])
    high_quality = np.isfinite(nearest_distance) & (nearest_distance < limit)
    return np.where(high_quality, nearest, -1).astype(np.int64)


def dimension_threshold(threshold: float, dim: int) -> float:
    """Return the distance limit in ``dim`` dimensions that matches ``threshold`` stds in 2D.

    Up to 2 dimensions the limit is ``threshold`` itself, the rule of VEEGAN and
    PacGAN on 2D rings and grids. The norm of a standard normal vector grows
    like √dim, so above 2 dimensions a fixed limit would reject real samples.
    The limit becomes the radius that holds the same share of a standard
    normal's mass as ``threshold`` holds in 2D, 1 − exp(−threshold²/2):
    sqrt(F⁻¹(1 − exp(−threshold²/2))) with F the χ² distribution function
    with ``dim`` degrees of freedom (3 gives 8.7 in 50 dimensions, 36.3 in 1200).

    NOTE: the standardized distance of a Gaussian whose covariance is not
    diagonal (a mixture on a rotated subspace) is not exactly χ-distributed,
    so there the share of real samples inside the limit differs somewhat from
    1 − exp(−threshold²/2): 93 % of 1000 real samples of a 10-mode mixture on 20 of
    50 dimensions fall inside, against 98.9 % for a χ-distributed distance.
    """
    if dim <= 2:
        return float(threshold)
    from scipy.stats import chi2

    mass = -np.expm1(-0.5 * float(threshold) ** 2)
    return float(np.sqrt(chi2.ppf(mass, dim)))


def reverse_kl(counts: np.ndarray, weights: np.ndarray) -> float:
    """Return KL(p_gen || p_true) between the mode histogram ``counts`` and the mode weights.

    p_gen = counts / sum(counts); KL = sum_k p_gen_k log(p_gen_k / w_k) in nats.
    Empty bins (p_gen_k = 0) contribute 0, so a missing mode is not
    penalized directly; it raises the share of the covered ones instead.
    Returns NaN when ``counts`` is all zero (no high-quality sample) and
    +inf when a mode of weight 0 receives samples.
    """
    counts = np.asarray(counts, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    total = counts.sum()
    if total <= 0:
        return float("nan")

    p_gen = counts / total
    nonzero = p_gen > 0
    with np.errstate(divide="ignore"):
        terms = p_gen[nonzero] * np.log(p_gen[nonzero] / weights[nonzero])
    return float(np.sum(terms))


def covered_modes(
    counts: np.ndarray,
    weights: np.ndarray,
    n_samples: int,
    rule: str = "count",
    min_count: int = 1,
    min_fraction: float = 0.1,
) -> np.ndarray:
    """Return a boolean (K,) mask of covered modes.

    ``"count"``: mode k is covered when counts_k >= ``min_count`` (VEEGAN uses 1).
    ``"fraction"``: covered when counts_k >= ``min_fraction`` * w_k * n_samples,
    a share of the samples the mode would receive from a perfect generator.
    """
    counts = np.asarray(counts)
    if rule == "count":
        return counts >= min_count
    if rule == "fraction":
        expected = np.asarray(weights, dtype=np.float64) * n_samples
        return counts >= min_fraction * expected
    raise UsageError(f"unknown coverage rule {rule!r}; accepted values: {', '.join(COVERAGE_RULES)}")


def mode_metrics(
    samples: np.ndarray,
    modes: Modes,
    threshold: float = 3.0,
    assignment: str = "standardized",
    coverage_rule: str = "count",
    min_count: int = 1,
    min_fraction: float = 0.1,
) -> ModeMetrics:
    """Compute assignment, per-mode counts, coverage, high-quality share and reverse KL."""
    labels = assign_modes(samples, modes, threshold, assignment)
    counts = np.bincount(labels[labels >= 0], minlength=len(modes)).astype(np.int64)
    covered = covered_modes(counts, modes.weights, len(labels), coverage_rule, min_count, min_fraction)
    share = float(np.mean(labels >= 0)) if len(labels) else float("nan")
    return ModeMetrics(
        assignment=labels,
        counts=counts,
        covered=covered,
        modes_covered=int(covered.sum()),
        high_quality=share,
        reverse_kl=reverse_kl(counts, modes.weights),
    )


def modes_from_dict(modes: dict | Modes | None) -> Modes | None:
    """Convert ``Trajectory.modes`` (a dict of arrays) into ``Modes``; pass ``Modes`` through."""
    if modes is None or isinstance(modes, Modes):
        return modes
    centers = np.asarray(modes["centers"], dtype=np.float64)
    stds = modes.get("stds")
    weights = modes.get("weights")
    if stds is None:
        raise UsageError("the trajectory stores mode centres without mode_stds; mode metrics need both")
    if weights is None:
        weights = np.full(len(centers), 1.0 / len(centers))
    stds = _per_axis_stds(stds, centers.shape)
    return Modes(centers=centers, stds=stds, weights=np.asarray(weights, dtype=np.float64))
