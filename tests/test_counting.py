"""Count metrics and the counting view: hand-made signals, hand-computed KL, a tiny real run."""

from __future__ import annotations

import math

import imageio.v3 as iio
import numpy as np
import pytest
import zarr

from ganlab.config import load_config
from ganlab.counting import (
    CountSetup,
    count_bins,
    count_histogram,
    count_metrics,
    count_quality,
    count_series,
    histogram_kl,
)
from ganlab.errors import UsageError
from ganlab.render import render
from ganlab.store import open_trajectory
from ganlab.training import train

LENGTH = 32


def bumps(centres, length=LENGTH, width=1.0):
    """Return one signal with unit-peak Gaussian bumps at ``centres``."""
    grid = np.arange(length, dtype=np.float64)
    signal = np.zeros(length)
    for centre in centres:
        signal += np.exp(-((grid - centre) ** 2) / (2 * width**2))
    return signal


SETUP = CountSetup("count1d", LENGTH, np.array([1, 2, 3]), np.array([0.5, 0.25, 0.25]))


def test_bins_include_zero_and_overflow():
    bins = count_bins([1, 2, 3])
    assert bins.tolist() == [0, 1, 2, 3, 4]


def test_histogram_puts_large_counts_last():
    histogram = count_histogram([0, 1, 1, 3, 4, 7, 9, 2], count_bins([1, 2, 3]))
    assert histogram.tolist() == [1 / 8, 2 / 8, 1 / 8, 1 / 8, 3 / 8]


def test_kl_matches_hand_computation():
    p_true = np.array([0.0, 0.5, 0.25, 0.25, 0.0])
    p_gen = np.array([0.1, 0.6, 0.3, 0.0, 0.0])
    epsilon = 1e-3
    smoothed = [(value + epsilon) / (1 + 5 * epsilon) for value in p_gen]
    expected = (0.5 * math.log(0.5 / smoothed[1]) + 0.25 * math.log(0.25 / smoothed[2])
                + 0.25 * math.log(0.25 / smoothed[3]))
    assert histogram_kl(p_true, p_gen, epsilon) == pytest.approx(expected, rel=1e-12)


def test_kl_zero_for_matching_histograms():
    p_true = np.array([0.0, 0.5, 0.5])
    assert histogram_kl(p_true, p_true, 1e-12) == pytest.approx(0.0, abs=1e-9)


def test_metrics_on_hand_made_signals():
    generated = np.stack([
        bumps([5]),             # 1
        bumps([5, 15]),         # 2
        bumps([4, 14, 24]),     # 3
        bumps([3, 10, 17, 24]), # 4: not a count of the data
        np.zeros(LENGTH),       # 0
        bumps([20]),            # 1
    ])
    real = np.stack([bumps([5]), bumps([6, 16]), bumps([4, 14, 24]), bumps([25])])
    real_counts = SETUP.count(real)
    assert real_counts.tolist() == [1, 2, 3, 1]

    histogram, quality, scalars = count_metrics(generated, real, real_counts, SETUP, 1e-6)

    assert histogram.tolist() == [1 / 6, 2 / 6, 1 / 6, 1 / 6, 1 / 6]
    assert scalars["count_exact"] == pytest.approx(4 / 6)
    assert scalars["count_tv"] == pytest.approx(0.5 * (1 / 6 + 1 / 6 + 1 / 12 + 1 / 12 + 1 / 6))
    # Count 1: bumps([5]) matches a real sample exactly, bumps([20]) is nearest to bumps([25]).
    far = np.linalg.norm(bumps([20]) - bumps([25])) / math.sqrt(LENGTH)
    assert quality[0] == pytest.approx(far / 2)
    assert scalars["count_quality_1"] == pytest.approx(far / 2)
    near = np.linalg.norm(bumps([5, 15]) - bumps([6, 16])) / math.sqrt(LENGTH)
    assert quality[1] == pytest.approx(near)
    assert quality[2] == pytest.approx(0.0, abs=1e-12)


def test_quality_nan_without_generated_count():
    signals = np.stack([bumps([5]), bumps([20])])
    quality = count_quality(signals, [1, 1], signals, [1, 1], [1, 2])
    assert quality[0] == pytest.approx(0.0)
    assert math.isnan(quality[1])


def test_counter_counts_2d_dots():
    setup = CountSetup("count2d", 8, np.array([1, 2]), np.array([0.5, 0.5]))
    image = np.zeros((8, 8))
    image[1, 1] = 1.0
    image[5, 6] = 1.0
    image[6, 2] = 0.9
    assert setup.count(image.reshape(1, 64)).tolist() == [3]


def test_bins_reject_negative_counts():
    with pytest.raises(UsageError):
        count_bins([-1, 2])


TINY = ["training.steps=40", "record.every=20", "record.samples=64", "record.real=256",
        "training.batch_size=32", "generator.hidden=32", "discriminator.hidden=32",
        "record.scalars_every=5", "record.checkpoint_every=0"]


@pytest.fixture(scope="module")
def count_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("count") / "run"
    config = load_config(_config_path("count1d"), TINY)
    train(config, out)
    return out


def _config_path(name):
    from pathlib import Path

    return Path(__file__).resolve().parents[1] / "configs" / f"{name}.toml"


def test_run_records_count_histograms(count_run):
    store = zarr.open_group(str(count_run / "trajectory.zarr"), mode="r")
    histogram = np.asarray(store["counts"]["histogram"])
    assert histogram.shape == (3, 5)
    assert np.allclose(histogram.sum(axis=1), 1.0)
    assert np.asarray(store["count_bins"]).tolist() == [0, 1, 2, 3, 4]


def test_recorded_histogram_matches_counter(count_run):
    with open_trajectory(count_run) as traj:
        series = count_series(traj)
        last = traj.samples[-1]
        setup = CountSetup(series.kind, series.side, series.counts, series.true[series.counts])
        expected = count_histogram(setup.count(last), series.bins)
        assert np.allclose(series.histogram[-1], expected)
        assert np.allclose(series.true, [0, 1 / 3, 1 / 3, 1 / 3, 0])
        assert traj.metrics["count_kl"].shape == (3,)
        assert np.all(np.isfinite(traj.metrics["count_kl"]))


def test_counts_kind_writes_png_and_gif(count_run, tmp_path):
    png = tmp_path / "counts.png"
    gif = tmp_path / "counts.gif"
    render(str(count_run), "counts", png)
    render(str(count_run), "counts", gif, progress=False)
    assert iio.imread(png).ndim == 3
    frames = iio.imread(gif, index=None)
    assert frames.shape[0] == 3


@pytest.mark.parametrize("kind,suffix", [("overview", ".png"), ("snapshot", ".pdf"),
                                         ("animation", ".gif")])
def test_planar_kinds_delegate_to_counts(count_run, tmp_path, kind, suffix):
    out = tmp_path / f"{kind}{suffix}"
    render(str(count_run), kind, out)
    assert out.stat().st_size > 1000


def test_counts_kind_rejects_other_runs(tmp_path):
    from ganlab.trajectory import Trajectory

    traj = Trajectory.from_arrays({"dim": 2}, {"real": np.zeros((4, 2))},
                                  {"": {"steps": np.array([0]), "samples": np.zeros((1, 4, 2))}})
    with pytest.raises(UsageError, match="count dataset"):
        render(traj, "counts", tmp_path / "x.png")
