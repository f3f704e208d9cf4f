"""Dynamics signals and the per-snapshot metrics hook."""

import math
import time

import numpy as np
import pytest
import scipy.stats
from scipy.interpolate import RegularGridInterpolator

from ganlab.data.base import Modes
from ganlab.errors import ConfigError
from ganlab.metrics import (
    compute_snapshot_metrics,
    compute_trajectory_metrics,
    generator_displacement,
    interpolate_surface,
    latent_mode_tracks,
    mode_mass,
    resolve_metric_options,
    saturated_share,
    scalar_at_steps,
    wasserstein2,
)
from ganlab.trajectory import Trajectory

MODES = Modes(
    centers=np.array([[-1.0, 0.0], [1.0, 0.0]]),
    stds=np.full((2, 2), 0.1),
    weights=np.array([0.5, 0.5]),
)


def test_bilinear_interpolation_matches_scipy():
    rng = np.random.default_rng(0)
    grid_x = np.linspace(-2, 2, 17)
    grid_y = np.linspace(-1, 3, 11)
    surface = rng.normal(size=(11, 17))
    points = np.column_stack([rng.uniform(-2, 2, 200), rng.uniform(-1, 3, 200)])
    reference = RegularGridInterpolator((grid_y, grid_x), surface, method="linear")
    expected = reference(points[:, ::-1])
    assert np.allclose(interpolate_surface(surface, grid_x, points, grid_y), expected, atol=1e-12)


def test_bilinear_interpolation_is_exact_for_bilinear_function():
    grid_x = np.linspace(0, 1, 5)
    grid_y = np.linspace(0, 2, 9)
    surface = 2 + 3 * grid_x[None, :] - grid_y[:, None] + 0.5 * grid_x[None, :] * grid_y[:, None]
    points = np.array([[0.33, 1.71], [0.9, 0.05]])
    values = interpolate_surface(surface, grid_x, points, grid_y)
    expected = 2 + 3 * points[:, 0] - points[:, 1] + 0.5 * points[:, 0] * points[:, 1]
    assert np.allclose(values, expected)


def test_interpolation_clamps_outside_points():
    grid_x = np.array([0.0, 1.0])
    surface = np.array([[0.0, 1.0], [2.0, 3.0]])
    assert interpolate_surface(surface, grid_x, np.array([[5.0, -5.0]]), grid_x)[0] == 1.0


def test_linear_interpolation_1d():
    grid_x = np.linspace(-1, 1, 5)
    values = interpolate_surface(2 * grid_x, grid_x, np.array([-0.3, 0.7]))
    assert np.allclose(values, [-0.6, 1.4])


def test_saturated_share_counts_large_logits():
    surface = np.array([[0.0, 6.0], [-7.0, 4.9]])
    assert saturated_share(surface, 5.0) == 0.5


def test_latent_tracks_and_mode_mass():
    samples = np.array([
        [[-1.0, 0.0], [1.0, 0.0], [0.0, 0.0], [1.05, 0.0]],
        [[-1.0, 0.0], [-1.0, 0.0], [-1.0, 0.0], [5.0, 5.0]],
    ])
    tracks = latent_mode_tracks(samples, MODES)
    assert tracks.tolist() == [[0, 1, -1, 1], [0, 0, 0, -1]]
    mass = mode_mass(tracks, 2)
    assert mass.tolist() == [[0.25, 0.5], [0.75, 0.0]]


def test_generator_displacement_per_1000_steps():
    samples = np.zeros((3, 2, 2))
    samples[1] += [3.0, 4.0]
    samples[2] = samples[1]
    displacement = generator_displacement(samples, np.array([0, 500, 1500]))
    assert math.isnan(displacement[0])
    assert displacement[1] == pytest.approx(10.0)
    assert displacement[2] == 0.0


def test_scalar_at_steps_takes_latest_record():
    scalars = {"step": np.array([0, 10, 20]), "g_loss": np.array([1.0, 2.0, 3.0])}
    aligned = scalar_at_steps(scalars, "g_loss", np.array([5, 10, 100]))
    assert aligned.tolist() == [1.0, 2.0, 3.0]
    assert scalar_at_steps(scalars, "d_loss", np.array([0])) is None


def ring_real(rng, count):
    return MODES.centers[rng.integers(0, 2, count)] + 0.1 * rng.standard_normal((count, 2))


def test_snapshot_metrics_keys_and_values():
    rng = np.random.default_rng(1)
    real = ring_real(rng, 600)
    samples = MODES.centers[np.zeros(300, dtype=int)] + 0.1 * rng.standard_normal((300, 2))
    grid = np.linspace(-2, 2, 21)
    surface = np.where(grid[None, :] > 0, 8.0, 0.0) + 0 * grid[:, None]
    metrics = compute_snapshot_metrics(samples, real, MODES, surface, "nonsaturating", {},
                                       grid=(grid, grid))
    assert metrics["modes_covered"] == 1.0
    assert metrics["mode_count_0"] + metrics["mode_count_1"] == pytest.approx(
        metrics["high_quality"] * 300)
    assert metrics["w2"] == pytest.approx(wasserstein2(samples, real[:300]))
    assert metrics["saturated_share"] == pytest.approx(10 / 21)
    # Samples sit left of x = 0 where the surface is 0; half the real points sit right of it.
    assert metrics["d_fake_mean"] == pytest.approx(0.0)
    assert 2.0 < metrics["d_real_mean"] < 6.0
    assert "ks" not in metrics


def test_snapshot_metrics_1d_has_ks():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(400, 1))
    samples = rng.normal(size=(400, 1)) + 0.5
    metrics = compute_snapshot_metrics(samples, real, None, None, "nonsaturating", {})
    assert metrics["ks"] == pytest.approx(scipy.stats.ks_2samp(samples[:, 0], real[:, 0]).statistic)
    assert "modes_covered" not in metrics
    assert "mean_y" not in metrics


def test_snapshot_metrics_skip_saturation_for_critic():
    rng = np.random.default_rng(3)
    real = ring_real(rng, 100)
    metrics = compute_snapshot_metrics(real, real, MODES, np.zeros((4, 4)), "wasserstein", {})
    assert "saturated_share" not in metrics


def test_snapshot_metrics_enabled_subset():
    rng = np.random.default_rng(4)
    real = ring_real(rng, 100)
    metrics = compute_snapshot_metrics(real, real, MODES, None, "", {"enabled": ["w2"]})
    assert sorted(metrics) == ["w2"]


def test_snapshot_metrics_nonfinite_samples_give_nan():
    rng = np.random.default_rng(5)
    real = ring_real(rng, 100)
    samples = real.copy()
    samples[3] = np.nan
    metrics = compute_snapshot_metrics(samples, real, MODES, None, "", {})
    assert math.isnan(metrics["w2"])
    assert math.isnan(metrics["mmd2"])
    assert metrics["high_quality"] == pytest.approx(0.99)


def test_metric_options_reject_unknown_group():
    with pytest.raises(ConfigError, match="unknown metric group"):
        resolve_metric_options({"enabled": ["w3"]})
    with pytest.raises(ConfigError, match="unknown key"):
        resolve_metric_options({"treshold": 2.0})


def test_snapshot_hook_time_for_512_samples():
    rng = np.random.default_rng(6)
    angles = np.arange(8) * np.pi / 4
    centers = np.stack([2 * np.cos(angles), 2 * np.sin(angles)], axis=1)
    modes = Modes(centers, np.full((8, 2), 0.02), np.full(8, 1 / 8))
    real = centers[rng.integers(0, 8, 2048)] + 0.02 * rng.standard_normal((2048, 2))
    samples = centers[rng.integers(0, 8, 512)] + 0.02 * rng.standard_normal((512, 2))
    grid = np.linspace(-3, 3, 128)
    surface = rng.normal(size=(128, 128))
    start = time.perf_counter()
    compute_snapshot_metrics(samples, real, modes, surface, "nonsaturating", {}, grid=(grid, grid))
    elapsed = time.perf_counter() - start
    # About 0.14 s on a 2-core CPU container; the bound leaves room for slow machines.
    assert elapsed < 2.0


def test_trajectory_metrics_match_snapshot_hook():
    rng = np.random.default_rng(7)
    real = ring_real(rng, 200)
    samples = np.stack([ring_real(rng, 100) for _ in range(3)])
    traj = Trajectory.from_arrays(
        {"config": {"objective": {"loss": "nonsaturating"}, "metrics": {"hist_bins": 8}}},
        {"real": real, "mode_centers": MODES.centers, "mode_stds": MODES.stds,
         "mode_weights": MODES.weights},
        {"": {"steps": np.array([0, 10, 20]), "samples": samples}},
    )
    metrics = compute_trajectory_metrics(traj)
    assert metrics["step"].tolist() == [0, 10, 20]
    for t in range(3):
        single = compute_snapshot_metrics(samples[t], real, MODES, None, "nonsaturating", {"hist_bins": 8})
        for name, value in single.items():
            assert metrics[name][t] == pytest.approx(value), name
