"""Counting toys and the bump counter: hand-made signals and real samples."""

import math

import numpy as np
import pytest
import torch

from ganlab.data import count_objects, make_distribution
from ganlab.data.counting import minimum_gap
from ganlab.errors import ConfigError, UsageError

METHODS = ["components", "maxima"]


def bump(length, centre, width=1.0):
    return np.exp(-((np.arange(length) - centre) ** 2) / (2 * width**2))


@pytest.mark.parametrize("method", METHODS)
def test_counter_on_hand_made_signals(method):
    signals = np.array([
        np.zeros(16),
        bump(16, 5),
        bump(16, 2) + bump(16, 9),
        bump(16, 0) + bump(16, 7) + bump(16, 15),  # bumps cut by both edges
        0.4 * bump(16, 8),  # below the threshold
        np.r_[np.zeros(6), np.ones(3), np.zeros(7)],  # one flat plateau
    ])
    expected = [0, 1, 2, 3, 0, 1] if method == "components" else [0, 1, 2, 3, 0, 1]
    assert count_objects(signals, "count1d", method=method).tolist() == expected


def test_counter_components_on_hand_made_images():
    images = np.zeros((4, 6, 6))
    images[1, 2, 2] = 1.0
    images[2, 0, 0] = images[2, 5, 5] = images[2, 0, 5] = 1.0
    images[3, 1, 1] = images[3, 2, 2] = 1.0  # diagonal neighbours: one 8-connected object
    counts = count_objects(images.reshape(4, 36), "count2d")
    assert counts.tolist() == [0, 1, 3, 1]


def test_counter_maxima_on_hand_made_images():
    images = np.zeros((3, 5, 5))
    images[1, 2, 2], images[1, 2, 1] = 1.0, 0.7  # one peak with a shoulder
    images[2, 0, 0] = images[2, 4, 4] = 0.9
    images[2, 2, 2] = 0.3  # below threshold
    assert count_objects(images.reshape(3, 25), "count2d", method="maxima").tolist() == [0, 1, 2]


def test_counter_threshold_argument():
    signal = (0.3 * bump(20, 4) + bump(20, 14))[None, :]
    assert count_objects(signal, "count1d", threshold=0.5).tolist() == [1]
    assert count_objects(signal, "count1d", threshold=0.2).tolist() == [2]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("width", [0.6, 1.0, 2.5])
def test_counter_exact_on_real_1d_samples(method, width):
    toy = make_distribution("count1d", {"length": 48, "counts": [0, 1, 2, 3, 4], "width": width})
    samples, counts = toy.sample_with_counts(4000, torch.Generator().manual_seed(1))
    found = count_objects(samples, "count1d", method=method)
    assert np.array_equal(found, counts.numpy())


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("width, size", [(0.4, 8), (0.5, 12), (1.0, 16)])
def test_counter_exact_on_real_2d_samples(method, width, size):
    toy = make_distribution("count2d", {"size": size, "counts": [1, 2, 3, 4], "width": width})
    samples, counts = toy.sample_with_counts(1500, torch.Generator().manual_seed(2))
    found = count_objects(samples, "count2d", method=method)
    assert np.array_equal(found, counts.numpy())


def peak_positions(signal):
    return [i for i in range(1, len(signal) - 1)
            if signal[i] > 0.5 and signal[i] >= signal[i - 1] and signal[i] >= signal[i + 1]]


def test_1d_bumps_keep_gap_and_margin():
    toy = make_distribution("count1d", {"length": 32, "counts": [3], "width": 1.0})
    samples = toy.sample(2000, torch.Generator().manual_seed(3)).numpy()
    gap = minimum_gap(1.0)
    for signal in samples:
        peaks = peak_positions(signal)
        assert len(peaks) == 3
        assert min(np.diff(peaks)) >= gap
        assert peaks[0] >= toy.margin
        assert peaks[-1] <= 31 - toy.margin


def test_1d_single_bump_position_is_uniform():
    toy = make_distribution("count1d", {"length": 20, "counts": [1], "width": 1.0})
    samples = toy.sample(40_000, torch.Generator().manual_seed(4)).numpy()
    positions = samples.argmax(axis=1)
    usable = np.arange(toy.margin, 20 - toy.margin)
    frequencies = np.bincount(positions, minlength=20)
    expected = 40_000 / len(usable)
    assert frequencies[usable].min() > expected - 5 * math.sqrt(expected)
    assert frequencies[usable].max() < expected + 5 * math.sqrt(expected)
    assert frequencies.sum() == frequencies[usable].sum()


def test_1d_bump_shape_is_gaussian():
    toy = make_distribution("count1d", {"length": 32, "counts": [1], "width": 1.5})
    signal = toy.sample(1, torch.Generator().manual_seed(5)).numpy()[0]
    centre = int(signal.argmax())
    np.testing.assert_allclose(signal, bump(32, centre, 1.5), atol=1e-12)


def test_count_frequencies_follow_weights():
    toy = make_distribution("count2d", {"counts": [1, 2, 3], "count_weights": [0.2, 0.3, 0.5]})
    _, counts = toy.sample_with_counts(20_000, torch.Generator().manual_seed(6))
    for value, weight in [(1, 0.2), (2, 0.3), (3, 0.5)]:
        share = (counts == value).double().mean().item()
        assert abs(share - weight) < 5 * math.sqrt(weight * (1 - weight) / 20_000)


def test_count2d_dimension_and_bounds():
    toy = make_distribution("count2d", {"size": 8})
    samples = toy.sample(500, torch.Generator().manual_seed(7)).numpy()
    low, high = toy.bounds()
    assert toy.dim == 64
    assert np.all(samples >= low)
    assert np.all(samples <= high)


def test_counting_seed_reproduces():
    toy = make_distribution("count1d", {})
    first = toy.sample(50, torch.Generator().manual_seed(8))
    again = toy.sample(50, torch.Generator().manual_seed(8))
    other = toy.sample(50, torch.Generator().manual_seed(9))
    assert torch.equal(first, again)
    assert not torch.equal(first, other)


def test_too_many_bumps_rejected():
    with pytest.raises(ConfigError, match="data.counts"):
        make_distribution("count1d", {"length": 10, "counts": [1, 5], "width": 1.0})


def test_duplicate_counts_rejected():
    with pytest.raises(ConfigError, match="distinct"):
        make_distribution("count1d", {"counts": [1, 1]})


def test_counter_rejects_bad_input():
    with pytest.raises(UsageError, match="kind"):
        count_objects(np.zeros((2, 4)), "count3d")
    with pytest.raises(UsageError, match="not 3²"):
        count_objects(np.zeros((2, 10)), "count2d")
