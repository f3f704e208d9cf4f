"""Continuous toy datasets checked against their geometric definitions."""

import math

import numpy as np
import pytest
import torch

from ganlab.data import DATASETS, make_distribution, resolve_data_section

N = 50_000


def draw(name, params, n=N, seed=0):
    distribution = make_distribution(name, params)
    return distribution, distribution.sample(n, torch.Generator().manual_seed(seed)).numpy()


def test_swissroll_lies_on_roll_without_noise():
    _, points = draw("swissroll", {"noise": 0.0, "scale": 1.0})
    radius = np.hypot(points[:, 0], points[:, 1])
    # A point (t cos t, t sin t) has radius t, so its angle must equal t modulo 2π.
    angle = np.arctan2(points[:, 1], points[:, 0])
    assert radius.min() >= 1.5 * math.pi - 1e-9
    assert radius.max() <= 4.5 * math.pi + 1e-9
    residual = np.angle(np.exp(1j * (angle - radius)))
    assert np.max(np.abs(residual)) < 1e-9


def test_swissroll_parameter_is_uniform():
    _, points = draw("swissroll", {"noise": 0.0, "scale": 1.0})
    t = np.hypot(points[:, 0], points[:, 1])
    # t ~ U(1.5π, 4.5π): mean 3π, variance (3π)²/12.
    assert abs(t.mean() - 3 * math.pi) < 5 * (3 * math.pi / math.sqrt(12)) / math.sqrt(N)


def test_swissroll_wgangp_preset_scale_and_noise():
    name, params = resolve_data_section({"preset": "swissroll_wgangp"})
    assert params == {"noise": 0.25, "scale": 1 / 7.5}
    _, noisy = draw(name, params, seed=3)
    _, clean = draw(name, {"noise": 0.0, "scale": 1 / 7.5}, seed=3)
    # Same seed, same roll parameters: the difference is the scaled noise alone.
    difference = noisy - clean
    expected_std = 0.25 / 7.5
    assert np.all(np.abs(difference.std(axis=0) - expected_std) < 5 * expected_std / math.sqrt(2 * N))


def test_moons_lie_on_half_circles():
    _, points = draw("moons", {"noise": 0.0})
    upper = np.abs(np.hypot(points[:, 0], points[:, 1]) - 1.0) < 1e-9
    lower = np.abs(np.hypot(points[:, 0] - 1.0, points[:, 1] - 0.5) - 1.0) < 1e-9
    assert np.all(upper | lower)
    assert np.all(points[upper, 1] >= -1e-9)
    assert np.all(points[lower & ~upper, 1] <= 0.5 + 1e-9)


def test_moons_mean_closed_form():
    _, points = draw("moons", {"noise": 0.1})
    # Upper moon mean (0, 2/π), lower moon mean (1, 0.5 − 2/π); equal halves.
    expected = np.array([0.5, 0.25])
    assert np.all(np.abs(points.mean(axis=0) - expected) < 5 * points.std(axis=0) / math.sqrt(N))


def test_circles_radii_and_halves():
    _, points = draw("circles", {"factor": 0.3, "noise": 0.0})
    radius = np.hypot(points[:, 0], points[:, 1])
    outer = np.abs(radius - 1.0) < 1e-9
    inner = np.abs(radius - 0.3) < 1e-9
    assert np.all(outer | inner)
    assert abs(outer.mean() - 0.5) < 5 * 0.5 / math.sqrt(N)


def test_checkerboard_only_dark_squares_evenly():
    _, points = draw("checkerboard", {"cells": 4, "size": 0.5})
    column = np.floor((points[:, 0] + 1.0) / 0.5).astype(int)
    row = np.floor((points[:, 1] + 1.0) / 0.5).astype(int)
    assert np.all((column >= 0) & (column < 4) & (row >= 0) & (row < 4))
    assert np.all((column + row) % 2 == 0)
    counts = np.bincount(column * 4 + row, minlength=16)[[(i * 4 + j) for i in range(4)
                                                          for j in range(4) if (i + j) % 2 == 0]]
    expected = N / 8
    assert np.all(np.abs(counts - expected) < 5 * math.sqrt(expected))


def test_spiral_without_noise_follows_arms():
    _, points = draw("spiral", {"arms": 2, "turns": 1.0, "radius": 2.0, "noise": 0.0})
    t = np.hypot(points[:, 0], points[:, 1]) / 2.0
    angle = np.arctan2(points[:, 1], points[:, 0])
    on_first = np.abs(np.angle(np.exp(1j * (angle - 2 * math.pi * t)))) < 1e-7
    on_second = np.abs(np.angle(np.exp(1j * (angle - 2 * math.pi * t - math.pi)))) < 1e-7
    assert np.all(on_first | on_second | (t < 1e-7))
    assert abs(on_first.mean() - 0.5) < 5 * 0.5 / math.sqrt(N)


def test_line_position_and_noise():
    _, points = draw("line", {"start": [0.0, 1.0], "end": [4.0, 4.0], "noise": 0.05})
    direction = np.array([4.0, 3.0]) / 5.0
    along = (points - [0.0, 1.0]) @ direction / 5.0
    across = (points - [0.0, 1.0]) @ np.array([-direction[1], direction[0]])
    assert abs(along.mean() - 0.5) < 5 * math.sqrt(1 / 12) / math.sqrt(N) + 0.05 / 5
    assert abs(across.std() - 0.05) < 5 * 0.05 / math.sqrt(2 * N)


def test_line_1d():
    distribution, points = draw("line", {"start": [2.0], "end": [4.0], "noise": 0.0})
    assert distribution.dim == 1
    assert points.min() >= 2.0
    assert points.max() <= 4.0


def test_uniform1d_moments():
    _, points = draw("uniform1d", {"low": -3.0, "high": 5.0})
    assert points.min() >= -3.0
    assert points.max() <= 5.0
    assert abs(points.mean() - 1.0) < 5 * (8 / math.sqrt(12)) / math.sqrt(N)
    assert abs(points.var() - 64 / 12) < 0.05 * 64 / 12


CONTINUOUS = ["spiral", "swissroll", "moons", "circles", "checkerboard", "line", "uniform1d"]


@pytest.mark.parametrize("name", CONTINUOUS)
def test_bounds_hold_samples(name):
    distribution, points = draw(name, {}, n=20_000)
    low, high = distribution.bounds()
    assert np.all(points >= low)
    assert np.all(points <= high)


@pytest.mark.parametrize("name", CONTINUOUS)
def test_seed_reproduces_and_differs(name):
    distribution = make_distribution(name, {})
    first = distribution.sample(500, torch.Generator().manual_seed(11))
    again = distribution.sample(500, torch.Generator().manual_seed(11))
    other = distribution.sample(500, torch.Generator().manual_seed(12))
    assert torch.equal(first, again)
    assert not torch.equal(first, other)
    assert first.dtype == torch.float64


def test_every_dataset_documents_its_fields():
    for entry in DATASETS:
        assert entry.description, entry.name
        for field in entry.extra["fields"]:
            assert field.doc, f"{entry.name}.{field.name}"
