"""Mode coverage metrics on hand-built sample sets with known answers."""

import math

import numpy as np
import pytest

from ganlab.data.base import Modes
from ganlab.errors import UsageError
from ganlab.metrics.modes import assign_modes, mode_metrics, modes_from_dict, reverse_kl


def ring_modes(count=8, radius=2.0, std=0.05, weights=None):
    angles = np.arange(count) * 2 * np.pi / count
    centers = np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)
    stds = np.full((count, 2), std)
    if weights is None:
        weights = np.full(count, 1.0 / count)
    return Modes(centers, stds, np.asarray(weights, dtype=np.float64))


def points_on(modes, counts, offset_in_stds=1.0):
    # Place each point offset_in_stds standard deviations from its centre along x.
    rows = []
    for k, count in enumerate(counts):
        shift = np.array([offset_in_stds * modes.stds[k, 0], 0.0])
        rows.append(np.repeat(modes.centers[k][None] + shift, count, axis=0))
    return np.concatenate(rows)


def test_all_modes_equally_covered():
    modes = ring_modes()
    samples = points_on(modes, [10] * 8)
    result = mode_metrics(samples, modes)
    assert result.modes_covered == 8
    assert result.high_quality == 1.0
    assert np.array_equal(result.counts, np.full(8, 10))
    assert result.reverse_kl == pytest.approx(0.0, abs=1e-12)


def test_one_mode_only():
    modes = ring_modes()
    samples = points_on(modes, [0, 0, 0, 40, 0, 0, 0, 0])
    result = mode_metrics(samples, modes)
    assert result.modes_covered == 1
    assert bool(result.covered[3])
    assert result.high_quality == 1.0
    # p_gen puts all mass on one mode of weight 1/8: KL = 1 * log(1 / (1/8)).
    assert result.reverse_kl == pytest.approx(math.log(8.0))


def test_samples_off_every_mode():
    modes = ring_modes()
    samples = np.zeros((30, 2))
    result = mode_metrics(samples, modes)
    assert result.modes_covered == 0
    assert result.high_quality == 0.0
    assert np.all(result.assignment == -1)
    assert math.isnan(result.reverse_kl)


def test_uneven_weights_counts_and_kl():
    weights = np.array([0.5, 0.25, 0.125, 0.125])
    modes = ring_modes(count=4, weights=weights)
    on_mode = points_on(modes, [30, 10, 0, 0])
    off_mode = np.zeros((10, 2))
    result = mode_metrics(np.concatenate([on_mode, off_mode]), modes)

    assert np.array_equal(result.counts, [30, 10, 0, 0])
    assert result.modes_covered == 2
    assert result.high_quality == pytest.approx(40 / 50)
    # Hand computation: p_gen = (0.75, 0.25, 0, 0); empty bins contribute 0.
    expected = 0.75 * math.log(0.75 / 0.5) + 0.25 * math.log(0.25 / 0.25)
    assert result.reverse_kl == pytest.approx(expected)


def test_threshold_boundary_in_stds():
    modes = ring_modes()
    inside = points_on(modes, [5] + [0] * 7, offset_in_stds=2.9)
    outside = points_on(modes, [5] + [0] * 7, offset_in_stds=3.1)
    assert np.all(assign_modes(inside, modes) == 0)
    assert np.all(assign_modes(outside, modes) == -1)
    assert np.all(assign_modes(outside, modes, threshold=3.5) == 0)


def test_standardized_and_euclidean_disagree_on_wide_mode():
    # Mode 0 is narrow at x = 0, mode 1 wide at x = 1. A point at x = 0.4 is
    # nearer mode 0 in plain distance (8 stds away) but 0.6 stds from mode 1.
    modes = Modes(
        centers=np.array([[0.0, 0.0], [1.0, 0.0]]),
        stds=np.array([[0.05, 0.05], [1.0, 1.0]]),
        weights=np.array([0.5, 0.5]),
    )
    point = np.array([[0.4, 0.0]])
    assert assign_modes(point, modes, assignment="standardized")[0] == 1
    assert assign_modes(point, modes, assignment="euclidean")[0] == -1


def test_anisotropic_standardized_distance():
    modes = Modes(np.array([[0.0, 0.0]]), np.array([[1.0, 0.1]]), np.array([1.0]))
    along_wide_axis = np.array([[2.5, 0.0]])
    along_narrow_axis = np.array([[0.0, 0.5]])
    assert assign_modes(along_wide_axis, modes)[0] == 0
    assert assign_modes(along_narrow_axis, modes)[0] == -1


def test_fraction_coverage_rule():
    modes = ring_modes(count=4)
    samples = points_on(modes, [50, 40, 3, 7])
    result = mode_metrics(samples, modes, coverage_rule="fraction", min_fraction=0.2)
    # Expected count per mode is 100 / 4 = 25; the rule needs 0.2 * 25 = 5.
    assert list(result.covered) == [True, True, False, True]
    assert result.modes_covered == 3


def test_min_count_rule():
    modes = ring_modes(count=4)
    samples = points_on(modes, [5, 2, 1, 0])
    assert mode_metrics(samples, modes, min_count=2).modes_covered == 2
    assert mode_metrics(samples, modes, min_count=1).modes_covered == 3


def test_nonfinite_samples_are_not_high_quality():
    modes = ring_modes(count=4)
    samples = np.concatenate([points_on(modes, [2, 0, 0, 0]), [[np.nan, 0.0], [np.inf, 1.0]]])
    labels = assign_modes(samples, modes)
    assert list(labels) == [0, 0, -1, -1]


def test_reverse_kl_weight_zero_mode_is_infinite():
    assert reverse_kl(np.array([1, 1]), np.array([1.0, 0.0])) == math.inf


def test_one_dimensional_mixture():
    modes = Modes(np.array([[-2.0], [2.0]]), np.array([[0.1], [0.1]]), np.array([0.5, 0.5]))
    result = mode_metrics(np.array([-2.05, -1.95, 2.0, 0.0]), modes)
    assert list(result.counts) == [2, 1]
    assert result.high_quality == pytest.approx(0.75)


def test_shape_mismatch_is_usage_error():
    with pytest.raises(UsageError, match="do not match"):
        mode_metrics(np.zeros((4, 3)), ring_modes())


def test_modes_from_dict_with_per_mode_std():
    modes = modes_from_dict({"centers": np.zeros((3, 2)), "stds": np.array([0.1, 0.2, 0.3]),
                             "weights": None})
    assert modes.stds.shape == (3, 2)
    assert modes.stds[2, 1] == pytest.approx(0.3)
    assert np.allclose(modes.weights, 1 / 3)
