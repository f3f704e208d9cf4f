"""Gaussian mixtures and presets: modes measured from samples against closed forms."""

import math

import numpy as np
import pytest
import torch

from ganlab.data import DATA_PRESETS, make_distribution, resolve_data_section

SAMPLES = 100_000


def draw(distribution, n=SAMPLES, seed=0):
    return distribution.sample(n, torch.Generator().manual_seed(seed)).numpy()


def nearest_center(points, centers):
    distances = ((points[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
    return distances.argmin(axis=1)


def check_mixture(points, centers, stds, weights):
    """Compare per-cluster statistics of points with the given mixture (5-sigma tolerances)."""
    labels = nearest_center(points, centers)
    n = len(points)
    for k in range(len(centers)):
        members = points[labels == k]
        m = len(members)
        expected = weights[k]
        assert abs(m / n - expected) < 5 * math.sqrt(expected * (1 - expected) / n) + 1e-12
        assert np.all(np.abs(members.mean(axis=0) - centers[k]) < 5 * stds[k] / math.sqrt(m))
        assert np.all(np.abs(members.std(axis=0) - stds[k]) < 5 * stds[k] / math.sqrt(2 * m))


def test_ring_modes_match_samples():
    ring = make_distribution("ring", {"modes": 6, "radius": 3.0, "std": 0.1, "start_angle": 30.0})
    angles = np.radians(30.0 + 60.0 * np.arange(6))
    expected = 3.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    assert len(ring.modes) == 6
    np.testing.assert_allclose(ring.modes.centers, expected, atol=1e-12)
    np.testing.assert_allclose(ring.modes.stds, 0.1)
    np.testing.assert_allclose(ring.modes.weights, 1 / 6)
    check_mixture(draw(ring), expected, np.full((6, 2), 0.1), np.full(6, 1 / 6))


def test_grid_modes_match_samples():
    grid = make_distribution("grid", {"side": 3, "spacing": 1.5, "std": 0.05})
    axis = np.array([-1.5, 0.0, 1.5])
    expected = np.array([[x, y] for x in axis for y in axis])
    assert len(grid.modes) == 9
    np.testing.assert_allclose(np.sort(grid.modes.centers, axis=0), np.sort(expected, axis=0))
    check_mixture(draw(grid), grid.modes.centers, grid.modes.stds, grid.modes.weights)


def test_mixture_unequal_weights_and_stds():
    params = {"centers": [[0.0, 0.0], [3.0, 1.0], [-2.0, 4.0]], "stds": [0.2, 0.1, 0.3],
              "weights": [1.0, 2.0, 7.0]}
    mixture = make_distribution("mixture", params)
    np.testing.assert_allclose(mixture.modes.weights, [0.1, 0.2, 0.7])
    np.testing.assert_allclose(mixture.modes.stds[:, 0], [0.2, 0.1, 0.3])
    check_mixture(draw(mixture), np.array(params["centers"]),
                  np.array(params["stds"])[:, None].repeat(2, axis=1), np.array([0.1, 0.2, 0.7]))


def test_mixture_1d_centres():
    mixture = make_distribution("mixture", {"centers": [[-1.0], [2.0]], "stds": [0.1]})
    assert mixture.dim == 1
    check_mixture(draw(mixture), np.array([[-1.0], [2.0]]), np.full((2, 1), 0.1),
                  np.array([0.5, 0.5]))


def test_mixture1d_dataset():
    mixture = make_distribution("mixture1d", {"centers": [-5.0, 0.0, 5.0], "stds": [0.5, 0.2, 0.4],
                                              "weights": [0.5, 0.25, 0.25]})
    points = draw(mixture)
    assert points.shape == (SAMPLES, 1)
    check_mixture(points, np.array([[-5.0], [0.0], [5.0]]), np.array([[0.5], [0.2], [0.4]]),
                  np.array([0.5, 0.25, 0.25]))


def test_gaussian_mean_and_axis_stds():
    gaussian = make_distribution("gaussian", {"mean": [1.0, -2.0], "std": [0.5, 2.0]})
    points = draw(gaussian)
    assert np.all(np.abs(points.mean(axis=0) - [1.0, -2.0]) < 5 * np.array([0.5, 2.0]) / math.sqrt(SAMPLES))
    assert np.all(np.abs(points.std(axis=0) - [0.5, 2.0]) < 5 * np.array([0.5, 2.0]) / math.sqrt(2 * SAMPLES))
    assert len(gaussian.modes) == 1


def test_same_seed_reproduces_samples():
    ring = make_distribution("ring", {})
    first = ring.sample(1000, torch.Generator().manual_seed(7))
    second = ring.sample(1000, torch.Generator().manual_seed(7))
    assert torch.equal(first, second)
    assert first.dtype == torch.float64


def test_different_seeds_differ():
    ring = make_distribution("ring", {})
    first = ring.sample(1000, torch.Generator().manual_seed(1))
    second = ring.sample(1000, torch.Generator().manual_seed(2))
    assert not torch.allclose(first, second)


def test_bounds_are_centres_plus_four_stds():
    grid = make_distribution("grid", {"side": 5, "spacing": 2.0, "std": 0.05})
    low, high = grid.bounds()
    extent = 2 * (4.0 + 4 * 0.05)
    np.testing.assert_allclose(low, -(4.2 + 0.05 * extent))
    np.testing.assert_allclose(high, 4.2 + 0.05 * extent)
    points = draw(grid, 20000)
    assert np.all(points >= low) and np.all(points <= high)


def test_zero_samples():
    assert make_distribution("ring", {}).sample(0, torch.Generator()).shape == (0, 2)


# Literature definitions written out independently of ganlab's parameters.
WGANGP_8_CENTRES = 2.0 * np.array(
    [(1, 0), (-1, 0), (0, 1), (0, -1), (1 / math.sqrt(2), 1 / math.sqrt(2)),
     (1 / math.sqrt(2), -1 / math.sqrt(2)), (-1 / math.sqrt(2), 1 / math.sqrt(2)),
     (-1 / math.sqrt(2), -1 / math.sqrt(2))]
) / 1.414
VEEGAN_RING_CENTRES = np.array([(math.cos(2 * math.pi * i / 8), math.sin(2 * math.pi * i / 8))
                                for i in range(8)])
VEEGAN_GRID_CENTRES = np.array([(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)],
                               dtype=float)
WGANGP_25_CENTRES = np.array([(2 * i, 2 * j) for i in range(-2, 3) for j in range(-2, 3)],
                             dtype=float) / 2.828

PRESET_CASES = [
    ("ring8_veegan", VEEGAN_RING_CENTRES, 0.01),
    ("grid25_veegan", VEEGAN_GRID_CENTRES, 0.05),
    ("8gaussians_wgangp", WGANGP_8_CENTRES, 0.02 / 1.414),
    ("25gaussians_wgangp", WGANGP_25_CENTRES, 0.05 / 2.828),
    ("ring8_unrolled", 2.0 * VEEGAN_RING_CENTRES, 0.02),
]


def sorted_rows(array):
    rounded = np.round(array, 9)
    return rounded[np.lexsort(rounded.T[::-1])]


@pytest.mark.parametrize("preset, centres, std", PRESET_CASES)
def test_preset_matches_literature(preset, centres, std):
    name, params = resolve_data_section({"preset": preset})
    distribution = make_distribution(name, params)
    modes = distribution.modes
    assert len(modes) == len(centres)
    np.testing.assert_allclose(sorted_rows(modes.centers), sorted_rows(centres), atol=1e-9)
    np.testing.assert_allclose(modes.stds, std, rtol=1e-12)
    np.testing.assert_allclose(modes.weights, 1 / len(centres))
    check_mixture(draw(distribution), centres, np.full(centres.shape, std),
                  np.full(len(centres), 1 / len(centres)))


def test_wgangp_8gaussians_scale():
    _, params = resolve_data_section({"preset": "8gaussians_wgangp"})
    assert params["radius"] == pytest.approx(1.41442716, abs=1e-8)
    assert params["std"] == pytest.approx(0.01414427, abs=1e-8)


def test_every_preset_has_source():
    for entry in DATA_PRESETS:
        assert entry.source, entry.name
        assert entry.description, entry.name
