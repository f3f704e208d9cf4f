"""Cached single-set terms of MMD, energy distance and the median bandwidth stay correct."""

import numpy as np

import ganlab.metrics.distances as distances
from ganlab.metrics.distances import energy_distance, median_bandwidth, mmd2


def direct_mmd2(x, y, h):
    """Unbiased MMD^2 with one Gaussian kernel, by broadcasting (Gretton et al. 2012)."""
    def kernel(a, b):
        return np.exp(-((a[:, None, :] - b[None, :, :]) ** 2).sum(-1) / (2 * h * h))

    n, m = len(x), len(y)
    k_xx, k_yy = kernel(x, x), kernel(y, y)
    within_x = (k_xx.sum() - np.trace(k_xx)) / (n * (n - 1))
    within_y = (k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return within_x + within_y - 2 * kernel(x, y).mean()


def direct_energy(x, y):
    def mean_distance(a, b):
        return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)).mean()

    return 2 * mean_distance(x, y) - mean_distance(x, x) - mean_distance(y, y)


def test_repeated_real_set_matches_direct_formula():
    rng = np.random.default_rng(3)
    real = rng.standard_normal((200, 2))
    for _ in range(3):
        samples = rng.standard_normal((150, 2)) * 1.5
        np.testing.assert_allclose(mmd2(samples, real, [0.7]), direct_mmd2(samples, real, 0.7),
                                   rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(energy_distance(samples, real), direct_energy(samples, real),
                                   rtol=1e-10)


def test_changed_set_is_not_served_from_cache():
    rng = np.random.default_rng(4)
    real = rng.standard_normal((100, 2))
    samples = rng.standard_normal((100, 2))
    before_mmd = mmd2(samples, real, [1.0])
    before_energy = energy_distance(samples, real)
    before_median = median_bandwidth(real)

    real[:50] += 3.0  # same shape and object, new contents
    assert mmd2(samples, real, [1.0]) != before_mmd
    np.testing.assert_allclose(mmd2(samples, real, [1.0]), direct_mmd2(samples, real, 1.0),
                               rtol=1e-10, atol=1e-14)
    assert energy_distance(samples, real) != before_energy
    np.testing.assert_allclose(energy_distance(samples, real), direct_energy(samples, real),
                               rtol=1e-10)
    assert median_bandwidth(real) != before_median


def test_large_set_bypasses_cache(monkeypatch):
    monkeypatch.setattr(distances, "_CACHED_SET_BYTES", 1000)
    rng = np.random.default_rng(5)
    real = rng.standard_normal((100, 2))  # 1600 bytes, above the lowered limit
    samples = rng.standard_normal((50, 2))
    assert distances._cache_key(real) is None
    np.testing.assert_allclose(mmd2(samples, real, [0.8]), direct_mmd2(samples, real, 0.8),
                               rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(energy_distance(samples, real), direct_energy(samples, real),
                               rtol=1e-10)
