"""Count metrics: how often a generator produces each number of objects, and how well.

Every generated sample is counted with ``ganlab.data.count_objects`` (the same
deterministic counter that recovers k exactly on real samples). With the
data's counts k₁ < … < k_K and B = k_K + 2 histogram bins for the counts
0, 1, …, k_K + 1, where the last bin collects every count above k_K:

* ``histogram`` (B,): share of generated samples per bin, p_gen;
* ``count_kl``: KL(p_true ‖ p̃_gen) in nats, with p̃_gen = (p_gen + ε) / (1 + Bε)
  so that a count the generator never produces costs at most about log(1/ε);
* ``count_tv``: total variation ½ Σ_b |p_true(b) − p_gen(b)|;
* ``count_exact``: share of generated samples whose count is one of the data's;
* ``quality`` (K,) and ``count_quality_<k>``: the mean, over the generated
  samples counted k, of the distance to the nearest real sample counted k.
  The distance is a root mean square per value, ‖x − r‖ / √dim, in units of
  the bump peak (1). It is NaN when no generated sample has count k.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import cdist

from ganlab.data.counting import DEFAULT_THRESHOLD, count_objects
from ganlab.errors import UsageError

# Probability added to every bin of the generated histogram before the KL divergence.
DEFAULT_EPSILON = 1e-6


@dataclass(frozen=True)
class CountSetup:
    """Description of a count dataset: its kind, image side, counts and their probabilities."""

    kind: str
    side: int
    counts: np.ndarray
    weights: np.ndarray
    threshold: float = DEFAULT_THRESHOLD

    @classmethod
    def from_distribution(cls, distribution) -> "CountSetup | None":
        """Return the setup of a ``count1d`` or ``count2d`` distribution, else ``None``."""
        from ganlab.data.counting import CountingDistribution

        if not isinstance(distribution, CountingDistribution):
            return None
        kind = "count1d" if distribution.spatial_dims == 1 else "count2d"
        order = np.argsort(distribution.counts)
        weights = np.asarray(distribution.count_weights, dtype=np.float64)[order]
        return cls(kind, int(distribution.side), np.asarray(distribution.counts)[order],
                   weights / weights.sum())

    @property
    def bins(self) -> np.ndarray:
        return count_bins(self.counts)

    def true_histogram(self) -> np.ndarray:
        """Return p_true over ``bins``: the data's count probabilities, 0 elsewhere."""
        histogram = np.zeros(len(self.bins))
        histogram[self.counts] = self.weights
        return histogram

    def count(self, samples: np.ndarray) -> np.ndarray:
        """Count the objects in each sample (n, dim) with the dataset's counter."""
        size = self.side if self.kind == "count2d" else None
        return count_objects(np.asarray(samples, dtype=np.float64), self.kind,
                             threshold=self.threshold, size=size)


def count_bins(counts) -> np.ndarray:
    """Return the histogram's bins 0, 1, …, max(counts) + 1 (the last one means "more")."""
    counts = np.asarray(counts, dtype=np.int64)
    if counts.size == 0 or counts.min() < 0:
        raise UsageError(f"counts must be a non-empty list of counts >= 0, got {counts.tolist()}")
    return np.arange(int(counts.max()) + 2, dtype=np.int64)


def count_histogram(sample_counts, bins) -> np.ndarray:
    """Return the share of ``sample_counts`` per bin; counts above the last bin fall into it."""
    sample_counts = np.asarray(sample_counts, dtype=np.int64)
    bins = np.asarray(bins, dtype=np.int64)
    if sample_counts.size == 0:
        return np.full(len(bins), np.nan)
    clipped = np.minimum(sample_counts, bins[-1])
    return np.bincount(clipped, minlength=len(bins)).astype(np.float64) / len(sample_counts)


def histogram_kl(p_true, p_gen, epsilon: float = DEFAULT_EPSILON) -> float:
    """Return KL(p_true ‖ p̃_gen) in nats, with ``epsilon`` added to every generated bin."""
    p_true = np.asarray(p_true, dtype=np.float64)
    p_gen = np.asarray(p_gen, dtype=np.float64)
    if p_true.shape != p_gen.shape:
        raise UsageError(f"histograms differ in shape: {p_true.shape} and {p_gen.shape}")
    if not np.all(np.isfinite(p_gen)):
        return float("nan")
    smoothed = (p_gen + epsilon) / (1.0 + epsilon * len(p_gen))
    support = p_true > 0
    return float(np.sum(p_true[support] * np.log(p_true[support] / smoothed[support])))


def count_quality(samples, sample_counts, real, real_counts, counts) -> np.ndarray:
    """Return, per count k of ``counts``, the mean RMS distance to the nearest real sample counted k.

    ``samples`` (n, dim) and ``real`` (m, dim) come with their counts. The
    value for k is NaN when no generated or no real sample has count k.
    """
    samples = np.asarray(samples, dtype=np.float64)
    real = np.asarray(real, dtype=np.float64)
    sample_counts = np.asarray(sample_counts)
    real_counts = np.asarray(real_counts)
    dim = samples.shape[1]

    quality = np.full(len(counts), np.nan)
    for position, k in enumerate(counts):
        generated = samples[sample_counts == k]
        reference = real[real_counts == k]
        if len(generated) == 0 or len(reference) == 0:
            continue
        nearest = cdist(generated, reference).min(axis=1)
        quality[position] = float(np.mean(nearest / np.sqrt(dim)))
    return quality


def count_metrics(samples, real, real_counts, setup: CountSetup,
                  epsilon: float = DEFAULT_EPSILON) -> tuple[np.ndarray, np.ndarray, dict]:
    """Measure one snapshot: return (histogram (B,), quality (K,), scalar metrics).

    ``real_counts`` are the counts of ``real``, computed once per run. The
    scalar metrics are count_kl, count_tv, count_exact and count_quality_<k>.
    """
    samples = np.asarray(samples, dtype=np.float64)
    sample_counts = setup.count(samples)
    histogram = count_histogram(sample_counts, setup.bins)
    p_true = setup.true_histogram()
    quality = count_quality(samples, sample_counts, real, real_counts, setup.counts)

    scalars = {
        "count_kl": histogram_kl(p_true, histogram, epsilon),
        "count_tv": float(0.5 * np.abs(p_true - histogram).sum()),
        "count_exact": float(np.isin(sample_counts, setup.counts).mean()),
    }
    for k, value in zip(setup.counts, quality):
        scalars[f"count_quality_{int(k)}"] = float(value)
    return histogram, quality, scalars
